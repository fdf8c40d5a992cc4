"""What `packamal scan` works on: its targets (found by name for lockfiles), and the outcome of
each; shared by the local scan (`cli.py`) and the remote one (`remote.py`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .model import Report

LOCKFILE_NAMES = {
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "pnpm-lock.yml",
    "poetry.lock",
    "uv.lock",
    "pylock.toml",
}


def is_lockfile(path: Path) -> bool:
    """By name, as the tools that write them name them (archives are told by content)."""
    name = path.name.lower()
    if name in LOCKFILE_NAMES:
        return True
    if name.startswith("pylock.") and name.endswith(".toml"):  # PEP 751 pylock.<name>.toml
        return True
    return name.endswith(".txt") and ("requirements" in name or "constraints" in name)


@dataclass(frozen=True)
class Target:
    """One thing to analyse; `origin` is the lockfile that named it, if any."""

    kind: str  # "purl" | "file" | "dir"
    value: str
    origin: str | None = None

    @property
    def label(self) -> str:
        return self.value


@dataclass
class Outcome:
    target: Target
    report: Report | None = None
    error: str | None = None


_NOT_SOURCES = {
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
}


def lockfiles_find(root: Path) -> list[Path]:
    """Every lockfile under `root`, sorted; installed trees (node_modules, virtualenvs) and
    VCS folders are left out, and symbolic links are not followed."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if d not in _NOT_SOURCES and not (here / d / "pyvenv.cfg").exists()
        )
        found += [here / f for f in sorted(filenames) if is_lockfile(here / f)]
    return found
