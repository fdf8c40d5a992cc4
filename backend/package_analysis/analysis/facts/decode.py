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


# ---- named decoders, applied to a folded value (never to anything that runs) ----
_CODEC_ALIASES = {
    "rot13": "rot13",
    "rot_13": "rot13",
    "rot-13": "rot13",
    "base64": "base64",
    "base64_codec": "base64",
    "base_64": "base64",
    "hex": "hex",
    "hex_codec": "hex",
    "zlib": "zlib",
    "zlib_codec": "zlib",
    "zip": "zlib",
    "bz2": "bz2",
    "bz2_codec": "bz2",
    "uu": "uu",
}


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode("latin-1", "replace") if isinstance(data, str) else data


def apply(name: str, data: str | bytes) -> bytes | str | None:
    """Apply the decoder `name` ("b64decode", "fromhex", "zlib", "rot13"…) to `data`
    statically. Returns None when the data does not decode. Output is capped."""
    try:
        return _apply(name, data)
    except (ValueError, TypeError, binascii.Error, zlib.error, OSError, EOFError, lzma.LZMAError):
        return None


def _apply(name: str, data: str | bytes) -> bytes | str | None:
    import codecs

    raw = _as_bytes(data)
    if name in {"b64decode", "decodebytes", "decodestring", "standard_b64decode", "a2b_base64"}:
        return base64.b64decode(re.sub(rb"\s", b"", raw) + b"==")
    if name == "urlsafe_b64decode":
        return base64.urlsafe_b64decode(re.sub(rb"\s", b"", raw) + b"==")
    if name == "b32decode":
        return base64.b32decode(raw + b"=" * (-len(raw) % 8))
    if name in {"b16decode", "unhexlify", "a2b_hex", "fromhex", "hex"}:
        return bytes.fromhex(re.sub(rb"\s", b"", raw).decode("ascii"))
    if name == "b85decode":
        return base64.b85decode(raw)
    if name == "a85decode":
        return base64.a85decode(raw)
    if name in {"zlib", "decompress"}:
        out = _decompress(raw)
        if out is None:
            return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, MAX_DECODED)
        return out[1]
    if name == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, MAX_DECODED)
    if name == "bz2":
        return bz2.BZ2Decompressor().decompress(raw, MAX_DECODED)
    if name == "lzma":
        return lzma.LZMADecompressor().decompress(raw, MAX_DECODED)
    if name == "rot13":
        text = data if isinstance(data, str) else data.decode("latin-1")
        return codecs.decode(text, "rot13")
    if name == "uu":
        return codecs.decode(raw, "uu")
    return None


def codec(name: str) -> str | None:
    """The decoder a codec name stands for (`codecs.decode(x, 'rot_13')`), or None."""
    return _CODEC_ALIASES.get(name.strip().lower())


def xor(data: bytes, key: bytes) -> bytes:
    """XOR with a repeating constant key (capped)."""
    if not key:
        return data
    data = data[:MAX_DECODED]
    return bytes(b ^ key[i % len(key)] for i, b in enumerate(data))
