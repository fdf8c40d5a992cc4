"""PY-UNUSUAL-CODEC: a PEP 263 coding cookie names a codec that rewrites what reviewers read."""

from __future__ import annotations

import codecs
import functools
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PyCheck

CODEC = Rule(
    id="PY-UNUSUAL-CODEC",
    title="Source declares an unusual encoding (PEP 263 coding cookie)",
    category="obfuscation",
    severity="high",
    explanation=(
        "Python decodes the file with the codec its first lines name. With UTF-7 or a similar "
        "codec, text that reads as a comment or a string in an editor becomes code when Python "
        "runs it. The decoded source was scanned; read it, not the raw file."
    ),
)
RULES = (CODEC,)
COMMON = {"utf-8", "utf8", "ascii", "latin-1", "iso-8859-1", "iso8859-1", "latin1", "cp1252",
          "utf_8", "us-ascii", "iso-8859-15", "euc-jp", "shift_jis", "gbk", "gb2312", "big5",
          "euc-kr", "cp932", "cp949", "koi8-r", "cp1251", "utf-8-sig"}  # fmt: skip


_CANONICAL = {codecs.lookup(name).name for name in COMMON}
_PROBES = (bytes(range(128)), b"a\\x41\\n\\u0041\\N{SPACE}+AAo-", b"\x1b$B\x30\x21\x1b(B~{x}~")


@functools.lru_cache(maxsize=64)
def transparent(codec: str) -> bool:
    """A codec that leaves ASCII alone and maps no other byte to ASCII (iso-8859-5, cp1250,
    koi8-u…): what an editor shows as code is what Python runs. UTF-7, EBCDIC pages and
    escape codecs are not."""
    try:
        for probe in _PROBES:  # escapes, shifts (UTF-7 `+AAo-`, ISO-2022 ESC): read as ASCII
            if probe.decode(codec) != probe.decode("ascii"):
                return False
        for b in range(128, 256):
            ch = bytes([b]).decode(codec, "ignore")
            if any(ord(x) < 128 for x in ch):
                return False
    except (LookupError, UnicodeError, TypeError, ValueError):
        return False
    return True


def check_python(c: PyCheck) -> None:
    if not c.codec or c.depth:
        return
    try:
        codec = codecs.lookup(c.codec).name
    except LookupError:
        codec = c.codec
    if codec not in _CANONICAL and not transparent(codec):
        c.emit(CODEC, None, f"coding: {c.codec}.", line=1, reach=c.ctx.reach)
