"""Helpers for the metadata rules (`meta_*`, `npm_*`): popular names, edit distance,
version shapes, package.json reading."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from ..model import Ecosystem

DATA = Path(__file__).with_name("data")
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "preuninstall", "postuninstall")
_CONFUSABLE_MAP = str.maketrans(
    {
        ch: asc
        for ch, asc in zip(
            "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u04cf", "aeopcyxil", strict=True
        )
    }
)


@functools.cache
def popular(ecosystem: str) -> frozenset[str]:
    path = DATA / f"popular-{ecosystem}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def normalise(name: str, ecosystem: str) -> str:
    name = name.lower().strip()
    return re.sub(r"[-_.]+", "-", name) if ecosystem == "pypi" else name


def one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly 1 (insert, delete, substitute or swap)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def typosquat_target(name: str, ecosystem: str) -> str | None:
    """The popular name this one imitates, or None (popular names imitate nothing)."""
    names = popular(ecosystem)
    norm = normalise(name, ecosystem)
    if norm in names:
        return None
    ascii_form = norm.translate(_CONFUSABLE_MAP)
    if ascii_form != norm and ascii_form in names:
        return ascii_form
    scope, _, bare = norm.rpartition("/")
    if len(bare) < 4:
        return None
    matches = [
        candidate
        for candidate in names
        if candidate.rpartition("/")[0] == scope
        and len(cand_bare := candidate.rpartition("/")[2]) >= 4
        and one_edit(bare, cand_bare)
        and not _plural_or_suffix(bare, cand_bare)
    ]
    # the same answer on every run (a set's order follows the hash seed): the longest name,
    # since short names lie one edit from many words by chance ('equests': requests, quests)
    return min(matches, key=lambda c: (-len(c), c), default=None)


def _plural_or_suffix(a: str, b: str) -> bool:
    """'pkg' vs 'pkgs' or 'pkg2' vs 'pkg3': versions of a family, not typos."""
    short, long_ = sorted((a, b), key=len)
    if long_.startswith(short) and long_[len(short) :] in {"s", "2", "3", "x", "-"}:
        return True
    return a[:-1] == b[:-1] and a[-1:].isdigit() and b[-1:].isdigit()


def depconf_version(version: str | None) -> bool:
    """Versions like 99.0, 999.1.2 or 1337.0 that outrank any private package's."""
    if not version:
        return False
    m = re.match(r"^v?(\d+)", version)
    if not m:
        return False
    major = int(m.group(1))
    if 1990 <= major <= 2100 or 19900000 <= major <= 21001231:  # calendar versions
        return False
    return major >= 90


def package_json(data: bytes) -> dict[str, Any] | None:
    """package.json as npm reads it (a UTF-8 BOM is stripped), or None."""
    try:
        doc = json.loads(data.decode("utf-8", "replace").removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


def ecosystem_of(value: str) -> Ecosystem:
    return "npm" if value == "npm" else "pypi"
