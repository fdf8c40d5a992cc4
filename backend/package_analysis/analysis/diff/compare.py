"""Line two trees up file by file and find the added lines, and which of them run at
install or import."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from ..inputs import lines
from ..magic import executable_kind
from .lazy import _javascript_lazy, _python_lazy
from .lines import Lines
from .tree import Tree, _read

RunsAt = Literal["install", "import", ""]

MAX_DIFF_BYTES = 2 * 1024 * 1024  # larger changed files: added lines by set, no alignment
MAX_DIFF_LINES = 20000
HUNK_LINES_SHOWN = 40  # per hunk
SHOWN_LINES_MAX = 4000  # per report
HUNKS_MAX = 400
LINE_CHARS = 400


_TEST_DIRS = {"test", "tests", "testing", "__tests__", "spec", "specs", "fixtures", "__mocks__"}
_DOC_DIRS = {"doc", "docs", "example", "examples", "benchmarks", "bench", ".github", "scripts"}
_NATIVE_EXT = {".so", ".pyd", ".dylib", ".node", ".dll", ".exe", ".a", ".lib"}


# --- comparing ------------------------------------------------------------------------------


@dataclass
class Hunk:
    start: int  # first added line (1-based, in the new file)
    end: int
    runs_at: RunsAt
    lines: list[str]  # the added lines shown (capped)
    removed: int = 0  # lines of the baseline this hunk replaces

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class FileChange:
    file: str  # path in the new tree ("" when removed)
    old_file: str  # path in the baseline ("" when added)
    status: Literal["added", "removed", "changed"]
    runs_at: RunsAt  # where the file's code runs, when it runs at install or import
    binary: bool = False
    added: Lines = field(default_factory=Lines)  # added line numbers
    import_lines: Lines = field(default_factory=Lines)  # added lines that run on load
    hunks: list[Hunk] = field(default_factory=list)
    texts_compared: bool = False  # both sides text: moved code is looked for in the baseline
    lines_added: int = 0
    lines_removed: int = 0


@dataclass
class Comparison:
    new: Tree
    old: Tree
    changes: dict[str, FileChange]  # by the new file (removed: by the old file)
    unchanged: int


def _is_binary(data: bytes, rel: str) -> bool:
    return PurePosixPath(rel).suffix.lower() in _NATIVE_EXT or executable_kind(data[:4]) != ""


def _textual(data: bytes) -> bool:
    return b"\0" not in data[:8192]


def runs_at(tree: Tree, rel: str) -> RunsAt:
    """Whether a file's code runs at install or import ("" for neither: tests, docs, data)."""
    inner = tree.inner(rel)
    path = PurePosixPath(inner)
    parts = [p.lower() for p in path.parts[:-1]]
    if inner in tree.facts.install_files:
        return "install"
    if path.suffix == ".pth":
        return "import"
    if any(p in _TEST_DIRS for p in parts) or (parts and parts[0] in _DOC_DIRS):
        return ""
    name = path.name.lower()
    stem = name.rsplit(".", 1)[0]
    if stem in ("test", "tests", "spec", "conftest", "benchmark") or name.startswith("test_"):
        return ""
    if name.endswith(("_test.py", ".test.js", ".spec.js", ".test.mjs", ".spec.mjs")):
        return ""
    if tree.ecosystem == "pypi" and path.suffix in {".py", ".pyw"}:
        return "import"
    if tree.ecosystem == "npm" and path.suffix in {".js", ".cjs", ".mjs"}:
        return "import"
    return ""


def compare(new: Tree, old: Tree, *, check: Callable[[], None] | None = None) -> Comparison:
    """Line the trees up by `file_key` and describe every difference."""
    changes: dict[str, FileChange] = {}
    unchanged = 0
    for key, rel in new.keys.items():
        if check is not None:
            check()
        old_rel = old.keys.get(key)
        data = _read(new.root / rel)
        where = runs_at(new, rel)
        if old_rel is None:
            changes[rel] = _added(new, rel, data, where)
            continue
        old_data = _read(old.root / old_rel)
        if hashlib.sha256(data).digest() == hashlib.sha256(old_data).digest():
            unchanged += 1
            continue
        changes[rel] = _changed(new, rel, old_rel, data, old_data, where)
    for key, old_rel in old.keys.items():
        if key not in new.keys:
            changes[f"\0{old_rel}"] = FileChange("", old_rel, "removed", "")
    return Comparison(new, old, changes, unchanged)


def _lines(data: bytes) -> list[str]:
    return lines(data.decode("utf-8", "replace"))


def _added(tree: Tree, rel: str, data: bytes, where: RunsAt) -> FileChange:
    change = FileChange(rel, "", "added", where, binary=_is_binary(data, rel))
    if change.binary or not _textual(data):
        return change
    lines = _lines(data)
    change.added = Lines(range(1, len(lines) + 1))
    change.lines_added = len(lines)
    change.import_lines = _load_lines(tree, rel, data, where, change.added)
    if where:
        change.hunks = [_hunk(lines, 1, len(lines), change.import_lines, where, 0)]
    return change


def _changed(
    tree: Tree, rel: str, old_rel: str, data: bytes, old_data: bytes, where: RunsAt
) -> FileChange:
    change = FileChange(rel, old_rel, "changed", where, binary=_is_binary(data, rel))
    if change.binary or not _textual(data) or not _textual(old_data):
        return change
    new_lines, old_lines = _lines(data), _lines(old_data)
    change.texts_compared = True
    ranges: list[tuple[int, int, int]] = []  # (first, last added line, removed count)
    if max(len(data), len(old_data)) > MAX_DIFF_BYTES or len(new_lines) > MAX_DIFF_LINES:
        # hashes, not texts (a big bundle's lines): str hashes are salted per process, so a
        # collision that would hide an added line cannot be made on purpose
        known = {hash(ln.strip()) for ln in old_lines}
        old_count = len(old_lines)
        del old_lines
        for i, ln in enumerate(new_lines, 1):
            if hash(ln.strip()) not in known:
                ranges.append((i, i, 0))
        change.lines_removed = max(0, old_count - len(new_lines) + len(ranges))
    else:
        ranges, change.lines_removed = _aligned(old_lines, new_lines)
    for first, last, _removed in ranges:
        change.added.add(first, last)
    change.lines_added = len(change.added)
    change.import_lines = _load_lines(tree, rel, data, where, change.added)
    for first, last, removed in _merge(ranges):
        change.hunks.append(_hunk(new_lines, first, last, change.import_lines, where, removed))
    return change


def _aligned(old: list[str], new: list[str]) -> tuple[list[tuple[int, int, int]], int]:
    """Added ranges (first, last new line, old lines replaced) and the lines removed: the
    common head and tail skipped, the middle aligned by difflib."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    ranges: list[tuple[int, int, int]] = []
    removed = 0
    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=len(new_mid) > 2000)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            ranges.append((head + j1 + 1, head + j2, i2 - i1))
        if tag in ("replace", "delete"):
            removed += i2 - i1
    return ranges, removed


def _merge(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for first, last, removed in ranges:
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(last, out[-1][1]), out[-1][2] + removed)
        else:
            out.append((first, last, removed))
    return out


def _hunk(
    lines: list[str], first: int, last: int, load: Lines, where: RunsAt, removed: int
) -> Hunk:
    runs: RunsAt = ""
    if any(n in load for n in range(first, last + 1)):
        runs = "install" if where == "install" else "import"
    shown = [ln[:LINE_CHARS] for ln in lines[first - 1 : min(last, first + HUNK_LINES_SHOWN - 1)]]
    return Hunk(first, last, runs, shown, removed)


def _load_lines(tree: Tree, rel: str, data: bytes, where: RunsAt, added: Lines) -> Lines:
    """The added lines that run when the file is installed or loaded: every line of an
    install-time file, else the lines outside function bodies."""
    if not where or not added:
        return Lines()
    if where == "install" or rel.endswith(".pth"):
        return Lines(added)
    lazy = _python_lazy(data) if rel.endswith((".py", ".pyw")) else _javascript_lazy(data)
    return added.without(lazy)
