"""PLACEHOLDER — owned by the rules helper, who replaces this file wholesale.

It exists only so the pipeline (fetch → unpack → scan → report) runs end to end before the
real rules land. It defines the contract the pipeline calls and finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .model import Ecosystem, Finding, PackageRef

RULES_VERSION = "placeholder-0"


def scan_tree(
    root: Path,
    *,
    ecosystem: Ecosystem,
    package: PackageRef,
    artifact_sha256: str,
    check: Callable[[], None] | None = None,
    on_file: Callable[[int, int], None] | None = None,
) -> list[Finding]:
    """Visit every regular file below `root` (calling `check()` before and `on_file(done,
    total)` after each); the real engine returns the findings of its rules."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    for done, _path in enumerate(files, start=1):
        if check is not None:
            check()
        if on_file is not None:
            on_file(done, len(files))
    return []
