"""META-WHEEL-HIDDEN-NATIVE: a wheel tagged for any platform whose package imports a
compiled extension module as it loads."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from .subjects import TreeCheck

HIDDEN_NATIVE = Rule(
    id="META-WHEEL-HIDDEN-NATIVE",
    title="A wheel tagged for any platform imports a compiled module as it loads",
    category="evasion",
    severity="high",
    explanation=(
        "A wheel tagged `none-any` promises pure Python, yet this one carries a compiled "
        "extension module (built for one interpreter and platform) that its package imports "
        "on import: the code that runs is machine code nobody can read in the source, and "
        "the tag keeps it out of the platform-specific builds reviewers expect to hold "
        "binaries. Build tools never produce such a wheel; take the module's strings apart."
    ),
    strong=True,
)
RULES = (HIDDEN_NATIVE,)
_EXTENSION = re.compile(r"\.(cpython-\d+[^/]*|cp\d+[^/]*|abi3|pypy[^/]*)?\.(so|pyd)$")


def check_tree(t: TreeCheck) -> None:
    if t.package.ecosystem != "pypi":
        return
    wheel = next((f for f in t.files if f.endswith(".dist-info/WHEEL")), None)
    if wheel is None:
        return
    lines = t.read(wheel, 8192).splitlines()
    tags = [ln.split(":", 1)[1].strip() for ln in lines if ln.lower().startswith("tag:")]
    if not tags or not all(tag.endswith("-any") for tag in tags):
        return
    for rel in t.files:
        if not _EXTENSION.search(rel):
            continue
        path = PurePosixPath(rel)
        stem = path.name.split(".", 1)[0]
        init = str(path.parent / "__init__.py")
        if init not in t.files or not _imports(t.read(init, 1 << 18), stem):
            continue
        t.emit_at(
            HIDDEN_NATIVE,
            init,
            None,
            path.name,
            f"{wheel.rsplit('/', 1)[0]} is tagged {tags[0]}, and {init} imports the compiled "
            f"module {path.name} when the package loads.",
            reach="import",
        )
        return


def _imports(init: str, stem: str) -> bool:
    """The package's `__init__` imports the module at its top level."""
    name = re.escape(stem)
    return bool(
        re.search(
            rf"^(from\s+\.\s+import\s+[^\n]*\b{name}\b|from\s+\.{name}\s+import\b"
            rf"|import\s+[\w.]*\.{name}\b|from\s+[\w.]+\s+import\s+[^\n]*\b{name}\b)",
            init,
            re.M,
        )
    )
