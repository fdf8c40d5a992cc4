"""JS-ENCODED-CODE and JS-OBFUSCATED: encoded literals that decode to code, and
obfuscator-shaped identifiers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..jspass import JsCheck

ENCODED = Rule(
    id="JS-ENCODED-CODE",
    title="A string literal decodes (statically) to JavaScript that loads modules or runs code",
    category="obfuscation",
    severity="medium",
    explanation=(
        "An encoded literal that decodes to require()/eval/child_process code is a hidden "
        "payload. The decoded text was scanned too; see the other findings on the same line."
    ),
)
OBFUSCATED = Rule(
    id="JS-OBFUSCATED",
    title="JavaScript looks machine-obfuscated",
    category="obfuscation",
    severity="medium",
    explanation=(
        "_0x-style identifiers and string-array rotation come from obfuscators. Minified code "
        "is normal; obfuscated install- or import-time code is not."
    ),
)
RULES = (ENCODED, OBFUSCATED)
_OBF = re.compile(rb"\b_0x[0-9a-f]{4,6}\b")
_CODE = re.compile(r"(require\(|child_process|eval\(|process\.env|https?\.request|\bexec\()")


def check_javascript(js: JsCheck) -> None:
    if not js.text_pass:  # a big file's earlier window: the payloads of all, with the last
        return
    for p in js.payloads:
        # joined fragments, and a command line whose every piece is written as is, are
        # folded, not decoded: their code is read where it is written
        if p.chain != "folded string" and not p.literal and _CODE.search(p.text):
            js.emit(
                ENCODED,
                None,
                f"Decodes ({p.chain}) to: {(p.shown or p.text)[:160]!r}.",
                lt=False,
                line=p.line,
                offset=p.offset,
            )
    obf = set(_OBF.findall(js.data)) if b"_0x" in js.data else set()  # (a C search first)
    if len(obf) >= 10:
        off = js.data.find(min(obf))
        js.emit(OBFUSCATED, None, line=js.data.count(b"\n", 0, off) + 1, offset=off, lt=False)
