import struct

PNG_MAGIC = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
MASK = bytes([255, 255, 0, 0])
SIZE = (1024).to_bytes(4, 'big')
TABLE = str.maketrans('abc', 'xyz')
LABEL = 'cab'.translate(TABLE)


def header(n):
    return PNG_MAGIC + struct.pack('>I', n)
