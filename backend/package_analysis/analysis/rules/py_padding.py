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
    severity="critical",
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
    for n, m in enumerate(_HIDDEN_PAD.finditer(src)):
        line = src.count("\n", 0, m.start()) + 1
        start = src.rfind("\n", 0, m.start()) + 1
        col = len(src[start : m.start() + 1].encode("utf-8", "replace"))  # as ast counts
        hash_at = src.find("#", start, m.start())
        comment = hash_at >= 0 and not _in_string(
            c, line, len(src[start:hash_at].encode("utf-8", "replace"))
        )
        # a padded table in a string or a comment hides no statement
        if not comment and not _in_string(c, line, col):
            c.emit(PADDING, None, line=line, reach=c.ctx.reach)
            return
        if n >= 20:
            return


def _in_string(c: PyCheck, line: int, col: int) -> bool:
    """Whether (line, col) lies inside a string literal (a padded table in a docstring)."""
    for k in c.facts.constants:
        if not isinstance(k.value, str | bytes) or not k.lineno <= line <= (k.end_lineno or 0):
            continue
        after_start = line > k.lineno or col >= k.col_offset
        before_end = line < (k.end_lineno or 0) or col < (k.end_col_offset or 0)
        if after_start and before_end:
            return True
    return False
