"""What the command is given: package URLs, archives, folders and lockfiles (found under a
folder, read in a child process), in the order given."""

from __future__ import annotations

import os
from pathlib import Path

from ..console import Console, Outcome, Target

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


def _order(outcome: Outcome, given: list[str]) -> tuple[int, int]:
    """Reports in the order the targets were given (a lockfile's packages in its order)."""
    t = outcome.target
    source = t.origin if t.origin is not None else t.value
    return (given.index(source) if source in given else len(given), 0)


def _expand(given: list[str], console: Console) -> tuple[list[Target], list[Outcome], bool]:
    """Targets to analyse, the ones refused before any work, and whether a lockfile was read."""
    from ...lockfiles import LockfileError, lockfile_parse_isolated

    targets: list[Target] = []
    failures: list[Outcome] = []
    lockfiles = False
    seen: set[str] = set()
    for value in given:
        path = Path(value)
        if value.startswith("pkg:"):
            targets.append(Target("purl", value))
        elif path.is_dir():
            targets.append(Target("dir", value))
        elif path.is_file() and is_lockfile(path):
            lockfiles = True
            try:
                parsed = lockfile_parse_isolated(
                    filename=_parser_name(path), data=path.read_bytes()
                )
            except (LockfileError, OSError, RuntimeError) as exc:
                failures.append(Outcome(Target("file", value), error=_reason(exc)))
                continue
            for skipped in parsed.skipped:
                console.say(f"{value}: skipped {skipped.line!r}: {skipped.reason}")
            for package in parsed.packages:
                if package.purl not in seen:
                    seen.add(package.purl)
                    targets.append(Target("purl", package.purl, origin=value))
        elif path.is_file():
            targets.append(Target("file", value))
        else:
            failures.append(
                Outcome(
                    Target("file", value),
                    error=f"Not a package URL (pkg:...) and no such file: {value}",
                )
            )
    return targets, failures, lockfiles


def _parser_name(path: Path) -> str:
    return path.name


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"Cannot read it: {exc.strerror or exc}"
    return str(exc)
