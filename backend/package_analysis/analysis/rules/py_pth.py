"""PY-PTH-CODE: a .pth file line that Python executes at every interpreter start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from .subjects import PthCheck

PTH = Rule(
    id="PY-PTH-CODE",
    title="A .pth file contains code that runs at every interpreter start",
    category="persistence",
    severity="low",
    explanation=(
        "Lines in a .pth file that start with 'import' are executed by every Python process "
        "on the machine. Check that it only adjusts import paths."
    ),
)
RULES = (PTH,)


def check_pth(p: PthCheck) -> None:
    for lineno, line in p.code_lines:
        p.emit(PTH, lineno, line)
