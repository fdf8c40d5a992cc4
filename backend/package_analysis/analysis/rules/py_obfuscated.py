"""PY-OBFUSCATED-NAMES: identifiers that look machine-obfuscated (or pyarmor runtime)."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PyCheck

OBFUSCATED = Rule(
    id="PY-OBFUSCATED-NAMES",
    title="Identifiers look machine-obfuscated",
    category="obfuscation",
    severity="medium",
    explanation=(
        "Names like _0x1f3a or IlIlIl are produced by obfuscators, not people. Obfuscated "
        "install- or import-time code deserves a careful read."
    ),
)
RULES = (OBFUSCATED,)
_OBF_NAME = re.compile(r"^(_0x[0-9a-fA-F]{3,}|[Il1]{6,}|[O0]{6,}|_{3,}[A-Za-z0-9]?)$")


def random_ident(name: str) -> bool:
    """Long identifiers with many case flips (ZkQvTpLm…) are generated, not written."""
    if len(name) < 24 or "_" in name.strip("_"):
        return False
    flips = sum(1 for a, b in itertools.pairwise(name) if a.islower() and b.isupper())
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)
    mean_word = sum(len(w) for w in words) / max(len(words), 1)
    return flips >= len(name) / 6 and mean_word < 3.0


def check_python(c: PyCheck) -> None:
    f = c.facts
    names = {n for n in f.names if _OBF_NAME.match(n) or random_ident(n)}
    names |= {n for n in f.defs if random_ident(n)}
    pyarmor = "__pyarmor__" in f.src or "pyarmor_runtime" in f.src
    if len(names) >= 5 or pyarmor or any(len(n) >= 60 for n in names):
        detail = "pyarmor-protected code." if pyarmor else f"e.g. {sorted(names)[:3]}."
        reach = "import" if c.ctx.reach == "runtime" else c.ctx.reach
        c.emit(OBFUSCATED, None, detail, line=1, reach=reach)
