"""PY-UNUSUAL-CODEC: a PEP 263 coding cookie names a codec that rewrites what reviewers read."""

from __future__ import annotations

import codecs
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


def check_python(c: PyCheck) -> None:
    if not c.codec or c.depth:
        return
    try:
        codec = codecs.lookup(c.codec).name
    except LookupError:
        codec = c.codec
    if codec not in _CANONICAL:
        c.emit(CODEC, None, f"coding: {c.codec}.", line=1, reach=c.ctx.reach)
