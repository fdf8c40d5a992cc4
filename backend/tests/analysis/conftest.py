"""The analysis engine needs no database and no Redis: these tests override the suite's
autouse Redis fixture with a no-op and never ask for `db`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from package_analysis.analysis.pipeline import Limits


@pytest.fixture(autouse=True)
def _isolated_redis() -> Iterator[None]:
    yield None


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """The only directory the code under test may write to."""
    path = tmp_path / "scratch"
    path.mkdir()
    return path


@pytest.fixture
def limits(scratch: Path) -> Limits:
    return Limits.from_env({"ANALYSIS_SCRATCH_DIR": str(scratch)})


def tree(root: Path) -> set[str]:
    """Every path below root, relative, with `/` separators (links included, not followed)."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            out.add(str((Path(dirpath) / name).relative_to(root)))
    return out
