"""PY-ENCODED-CODE: a literal decodes (statically) to program code or a shell line."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PayloadCheck

ENCODED = Rule(
    id="PY-ENCODED-CODE",
    title="A string literal decodes (statically) to program code",
    category="obfuscation",
    severity="medium",
    explanation=(
        "A base64/hex/compressed literal that decodes to code is a hidden payload. The decoded "
        "text was scanned too; see the other findings on the same line."
    ),
)
RULES = (ENCODED,)
_SHELL = re.compile(r"(powershell|cmd(\.exe)? /c|curl |wget |/bin/(ba)?sh)", re.I)


def check_payload(p: PayloadCheck) -> None:
    if p.text is None or p.marshal:
        return
    if p.python_code or _SHELL.search(p.text):
        p.parent.emit(
            ENCODED, p.node, f"Decodes ({p.chain}) to: {p.text[:160]!r}.", reach=p.parent.ctx.reach
        )
