import asyncio
import glob
import io
import json
import os
import pathlib

HERE = pathlib.Path(__file__).parent
SCHEMAS = {p: open(p).read() for p in glob.glob(os.path.join(str(HERE), 'schemas', '*.json'))}
report = io.StringIO()
for name in ('a.json', 'b.json'):
    p = HERE / 'schemas' / name
    if p.exists():
        report.write(p.read_text())
SUMMARY = report.getvalue()


async def ping(host, port=80):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(json.dumps({'ping': 1}).encode())
    await writer.drain()
    return await reader.read(100)
