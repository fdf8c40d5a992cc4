"""META-TYPOSQUAT-SHELL: a look-alike of a popular package that hands its import over to a
dependency nobody knows."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ..inputs import lines
from .base import Rule
from .metadata import normalise, typosquat_target

if TYPE_CHECKING:
    from .subjects import TreeCheck

SHELL = Rule(
    id="META-TYPOSQUAT-SHELL",
    title="A look-alike name whose package loads an unknown dependency's code on import",
    category="typosquat",
    severity="high",
    explanation=(
        "The name is one edit from a popular package, and importing it runs the code of a "
        "dependency that is not popular (`from payloadlib import *` at the top of "
        "`__init__`): the look-alike is a shell, and what it really installs and runs is the "
        "dependency. Analyse that dependency too; it is where such campaigns keep the payload."
    ),
)
RULES = (SHELL,)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_INSTALL_REQUIRES = re.compile(r"install_requires\s*=\s*\[([^\]]{0,2000})\]")


def check_tree(t: TreeCheck) -> None:
    eco = t.package.ecosystem
    if eco != "pypi" or not typosquat_target(t.package.name, eco):
        return
    popular = t.popular(eco)
    own = normalise(t.package.name, eco)
    unknown = {d for d in _requirements(t) if d not in popular and d != own}
    if not unknown:
        return
    for rel in t.files:
        path = PurePosixPath(rel)
        if path.name not in {"__init__.py", "__main__.py"} or not rel.startswith(t.prefix):
            continue
        text = t.read(rel, 1 << 18)
        for dep in sorted(unknown):
            module = re.escape(dep.replace("-", "_"))
            m = re.search(rf"^(from\s+{module}(\.\w+)*\s+import\b|import\s+{module}\b)", text, re.M)
            if m:
                line = text.count("\n", 0, m.start()) + 1
                detail = (
                    f"{t.package.name!r} looks like {typosquat_target(t.package.name, eco)!r}; "
                    f"its {path.name} imports the dependency {dep!r}, which is not popular."
                )
                snippet = lines(text)[line - 1].strip()[:200]
                t.emit_at(SHELL, rel, line, snippet, detail, reach="import")
                return


def _requirements(t: TreeCheck) -> set[str]:
    """Normalised names of what the package requires (requires.txt, METADATA, setup.py)."""
    out: set[str] = set()
    eco = t.package.ecosystem
    for rel in t.files:
        name = PurePosixPath(rel).name
        if name == "requires.txt" or name == "METADATA" or name == "PKG-INFO":
            for line in t.read(rel, 1 << 18).splitlines():
                if name != "requires.txt" and not line.startswith("Requires-Dist:"):
                    continue
                if line.startswith("["):
                    break  # extras: not installed by default
                if re.search(r";.*\bextra\s*==", line):
                    continue  # METADATA's form of an extra
                m = _REQUIREMENT.match(line.removeprefix("Requires-Dist:"))
                if m:
                    out.add(normalise(m.group(1), eco))
        elif name == "setup.py":
            m = _INSTALL_REQUIRES.search(t.read(rel, 1 << 18))
            for item in re.findall(r"['\"]([^'\"]+)['\"]", m.group(1) if m else ""):
                req = _REQUIREMENT.match(item)
                if req:
                    out.add(normalise(req.group(1), eco))
    return out
