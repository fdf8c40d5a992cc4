"""META-DEP-TYPOSQUAT: a dependency whose name is a popular package's with two neighbouring
letters swapped (the commonest typing slip, and the typosquatter's favourite), in
PKG-INFO/METADATA, requires.txt or package.json. Other one-edit neighbours are too often real
packages of their own (fastai/fastapi, flru/lru) to say anything; optional extras are skipped."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule
from .metadata import normalise, popular

if TYPE_CHECKING:
    from .subjects import ManifestCheck, MetaCheck

DEP_TYPOSQUAT = Rule(
    id="META-DEP-TYPOSQUAT",
    title="Depends on a misspelling of a popular package",
    category="typosquat",
    severity="high",
    explanation=(
        "The dependency's name is a popular package's with two neighbouring letters "
        "swapped. Installing this package installs whatever the owner of the misspelt name "
        "published. Compare with the popular name."
    ),
)
RULES = (DEP_TYPOSQUAT,)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def swapped(a: str, b: str) -> bool:
    """`a` is `b` with two neighbouring letters exchanged (the commonest typing slip)."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    i, j = diff
    return a[i] == b[j] and a[j] == b[i]


def _check(subject: MetaCheck | ManifestCheck, name: str, ecosystem: str, shown: str) -> None:
    names = popular(ecosystem)
    norm = normalise(name, ecosystem)
    scope, _, bare = norm.rpartition("/")
    if norm in names or len(bare) < 5:
        return
    target = min(  # the same answer on every run, whatever the set's order
        (c for c in names if c.rpartition("/")[0] == scope and swapped(bare, c.rpartition("/")[2])),
        default=None,
    )
    if target is None:
        return
    subject.emit(
        DEP_TYPOSQUAT,
        subject.line_of(shown),
        shown,
        f"{name!r} is the popular {target!r} with two letters swapped.",
        reach="install",
    )


def check_pkg_info(m: MetaCheck) -> None:
    if m.msg is None:
        return
    for req in m.msg.get_all("Requires-Dist") or []:
        head = _NAME.match(req)
        if head and "extra ==" not in req.replace("extra==", "extra =="):
            _check(m, head.group(1), "pypi", req.strip())


def check_requires(m: MetaCheck) -> None:
    for line in m.text.splitlines():
        if line.startswith("["):  # extras and marker sections follow the plain requirements
            return
        head = _NAME.match(line)
        if head:
            _check(m, head.group(1), "pypi", line.strip())


def check_manifest(m: ManifestCheck) -> None:
    for key in ("dependencies", "optionalDependencies"):
        deps = m.doc.get(key)
        if isinstance(deps, dict):
            for name in deps:
                _check(m, str(name), "npm", f'"{name}"')
