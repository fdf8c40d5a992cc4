import struct


def chunks(raw: bytes):
    pos = 8
    while pos < len(raw):
        size, kind = struct.unpack('>I4s', raw[pos:pos + 8])
        yield kind.decode('ascii'), raw[pos + 8:pos + 8 + size]
        if kind == b'IEND':
            return
        pos += 12 + size
