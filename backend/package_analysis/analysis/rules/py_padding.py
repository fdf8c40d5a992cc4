"""PY-HIDDEN-PADDING: code pushed off-screen after a long run of whitespace."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PyCheck

PADDING = Rule(
    id="PY-HIDDEN-PADDING",
    title="Code pushed off-screen after a long run of whitespace",
    category="obfuscation",
    severity="high",
    explanation=(
        "Hundreds of spaces before a statement hide it beyond the right edge of an editor or "
        "diff view. Scroll right and read the hidden code."
    ),
    strong=True,
)
RULES = (PADDING,)
_HIDDEN_PAD = re.compile(
    r"\S[ \t]{120,}(?=[^\n]*?(import|exec|eval|system|compile|urlopen|requests|;))[^\s]"
)


def check_python(c: PyCheck) -> None:
    src = c.facts.src
    if " " * 120 not in src and "\t" * 120 not in src:
        return
    m = _HIDDEN_PAD.search(src)
    if m:
        line = src.count("\n", 0, m.start()) + 1
        c.emit(PADDING, None, line=line, reach=c.ctx.reach)
