"""One side of a comparison: an unpacked artifact's files, keyed by the path a file keeps
across versions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import ecosystems
from ..ecosystems import TreeFacts
from ..model import Ecosystem
from ..treewalk import list_files

# --- one side of the comparison ---------------------------------------------------------


@dataclass
class Tree:
    """One unpacked artifact: its root, its files and its layout hints."""

    root: Path
    files: list[str]
    facts: TreeFacts
    ecosystem: Ecosystem
    keys: dict[str, str] = field(default_factory=dict)  # comparison key → file

    def __post_init__(self) -> None:
        for rel in self.files:
            self.keys.setdefault(file_key(rel, self.facts.prefix), rel)

    def inner(self, rel: str) -> str:
        prefix = self.facts.prefix
        return rel[len(prefix) :] if prefix and rel.startswith(prefix) else rel


def tree_of(root: Path, ecosystem: Ecosystem) -> Tree:
    files = list_files(root)
    return Tree(root, files, ecosystems.adapter(ecosystem).facts(root, files), ecosystem)


def similarity(new: Tree, old: Tree) -> float:
    """The share of `new`'s files that are byte for byte in `old` at the same place."""
    if not new.keys:
        return 0.0
    same = 0
    for key, rel in new.keys.items():
        old_rel = old.keys.get(key)
        if old_rel is not None and _read(new.root / rel) == _read(old.root / old_rel):
            same += 1
    return same / len(new.keys)


def file_key(rel: str, prefix: str) -> str:
    """The path a file keeps across versions: the manifest's folder (which names the version
    in sdists) and a leading `src/` dropped, `name-1.0.dist-info` → `name.dist-info`,
    CPython ABI tags of extension modules made version-free."""
    inner = rel[len(prefix) :] if prefix and rel.startswith(prefix) else rel
    parts = inner.split("/")
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    parts = [re.sub(r"^(.+?)-[^-]+\.(dist-info|egg-info|data)$", r"\1.\2", p) for p in parts]
    key = "/".join(parts)
    return re.sub(r"\.(cpython|cp|pypy)-?3\d+[a-z_0-9-]*\.", ".abi.", key)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
