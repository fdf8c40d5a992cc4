"""What a file is by its first bytes: a native executable (PE, ELF, Mach-O), a known data
format, or neither."""

from __future__ import annotations

import math
from collections import Counter


def executable_kind(head: bytes) -> str:
    """'PE', 'ELF', 'Mach-O' when `head` starts like a native executable, else ''."""
    if head[:2] == b"MZ":
        return "PE"
    if head[:4] == b"\x7fELF":
        return "ELF"
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "Mach-O"
    return ""


# (offset, signature) of file formats a package ships as data: images, audio and video,
# fonts, archives and compressed streams, documents, bytecode, native code. Entropy alone
# cannot tell a compressed image from ciphertext; a header can.
_SIGNATURES = (
    (0, b"\x89PNG"), (0, b"\xff\xd8\xff"), (0, b"GIF8"), (0, b"BM"), (0, b"\0\0\1\0"),
    (0, b"\0\0\2\0"), (0, b"RIFF"), (0, b"RIFX"), (0, b"RF64"), (0, b"II*\0"), (0, b"MM\0*"),
    (4, b"ftyp"), (0, b"OggS"), (0, b"fLaC"), (0, b"ID3"), (0, b"\x1aE\xdf\xa3"),
    (0, b"wOFF"), (0, b"wOF2"), (0, b"OTTO"), (0, b"\0\1\0\0"), (0, b"true"), (0, b"ttcf"),
    (0, b"PK"), (0, b"\x1f\x8b"), (0, b"BZh"), (0, b"\xfd7zXZ"), (0, b"(\xb5/\xfd"),
    (0, b"7z\xbc\xaf"), (0, b"Rar!"), (0, b"\x04\x22\x4d\x18"), (257, b"ustar"),
    (0, b"%PDF"), (0, b"%!PS"), (0, b"\xd0\xcf\x11\xe0"), (0, b"SQLite format 3"),
    (0, b"\x93NUMPY"), (0, b"\x89HDF"), (0, b"CDF"), (0, b"\0asm"), (0, b"dex\n"),
    (0, b"MZ"), (0, b"\x7fELF"), (0, b"\xcf\xfa\xed\xfe"), (0, b"\xca\xfe\xba\xbe"),
)  # fmt: skip
_ZLIB = {b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda"}  # a raw zlib stream's header
_MP3_FRAME = {b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xfa"}


def known_format(head: bytes) -> bool:
    """Whether `head` (a file's first 512 bytes) starts like a format data files come in,
    whatever the file's name says (a `.png` that is a JPEG is still an image)."""
    if any(head[at : at + len(sig)] == sig for at, sig in _SIGNATURES):
        return True
    if head[2:4] == b"\r\n":  # CPython bytecode: a 2-byte magic number then \r\n
        return True
    return head[:2] in _ZLIB or head[:2] in _MP3_FRAME


def entropy(data: bytes) -> float:
    """Shannon entropy in bits per byte (8.0: indistinguishable from random)."""
    if not data:
        return 0.0
    total = len(data)
    return -sum(c / total * math.log2(c / total) for c in Counter(data).values())
