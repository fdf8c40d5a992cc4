"""Static decoding of payload literals (base64, hex, zlib/gzip/bz2/lzma, reversed text).

Nothing decoded here is ever executed: the result is only handed back to the scanners.
Every decompression is capped, so a bomb costs at most MAX_DECODED bytes.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import lzma
import re
import zlib

MIN_LITERAL = 40
MAX_DECODED = 2 * 1024 * 1024
MAX_DEPTH = 4

_B64 = re.compile(rb"^[A-Za-z0-9+/\-_\s]+={0,2}\s*$")
_HEX = re.compile(rb"^(?:[0-9a-fA-F]{2}\s*)+$")
_HEX_ESCAPED = re.compile(rb"^(?:\\x[0-9a-fA-F]{2})+$")


def _decompress(data: bytes) -> tuple[str, bytes] | None:
    try:
        if data[:2] in (b"x\x9c", b"x\xda", b"x\x01", b"x^"):
            d = zlib.decompressobj()
            return "zlib", d.decompress(data, MAX_DECODED)
        if data[:2] == b"\x1f\x8b":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return "gzip", d.decompress(data, MAX_DECODED)
        if data[:3] == b"BZh":
            return "bz2", bz2.BZ2Decompressor().decompress(data, MAX_DECODED)
        if data[:6] == b"\xfd7zXZ\x00":
            return "lzma", lzma.LZMADecompressor().decompress(data, MAX_DECODED)
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError):
        return None
    return None


def _unwrap(data: bytes) -> tuple[str, bytes] | None:
    """One layer of encoding, or None when `data` does not look encoded."""
    stripped = data.strip()
    if len(stripped) < MIN_LITERAL:
        return _decompress(stripped)
    if _HEX.match(stripped) and len(re.sub(rb"\s", b"", stripped)) % 2 == 0:
        try:
            return "hex", bytes.fromhex(stripped.decode("ascii"))
        except ValueError:
            return None
    if _HEX_ESCAPED.match(stripped):
        return "hex", bytes.fromhex(stripped.replace(b"\\x", b"").decode("ascii"))
    if _B64.match(stripped):
        compact = re.sub(rb"\s", b"", stripped)
        if len(set(compact)) < 16:  # runs of one letter are not base64 payloads
            return None
        padded = compact + b"=" * (-len(compact) % 4)
        try:
            if b"-" in compact or b"_" in compact:
                return "base64", base64.urlsafe_b64decode(padded)
            return "base64", base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError):
            return None
    return _decompress(stripped)


def decode_layers(data: bytes) -> tuple[list[str], bytes] | None:
    """Peel encodings off a literal; returns the chain and the innermost bytes, or None."""
    chain: list[str] = []
    current = data
    for _ in range(MAX_DEPTH):
        step = _unwrap(current)
        if step is None or not step[1]:
            break
        chain.append(step[0])
        current = step[1][:MAX_DECODED]
    return (chain, current) if chain else None


def as_text(data: bytes) -> str | None:
    """Decoded bytes as text when they are mostly printable, else None."""
    text = data.decode("utf-8", "replace")
    if not text:
        return None
    printable = sum(1 for ch in text[:4096] if ch.isprintable() or ch in "\n\r\t")
    return text if printable / min(len(text), 4096) >= 0.9 else None


def looks_like_marshal(data: bytes) -> bool:
    """A marshalled code object: type 'c' (optionally flagged), then small int32 counts
    (argcount, posonly, kwonly) and a plausible stack size."""
    if len(data) < 64 or data[0] not in (0x63, 0xE3):
        return False
    fields = [int.from_bytes(data[1 + 4 * i : 5 + 4 * i], "little") for i in range(4)]
    return all(f < 256 for f in fields[:3]) and fields[3] < 100_000
