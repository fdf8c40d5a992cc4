"""No file of the analysis engine (`backend/package_analysis/analysis/`) is over 400 lines
(issue 15): a longer one is split into modules named for what they do.

Counted as `wc -l` counts: newline characters."""

from __future__ import annotations

from pathlib import Path

ANALYSIS = Path(__file__).resolve().parents[2] / "package_analysis" / "analysis"
MAX_LINES = 400

# Files still over the limit while their split is under way elsewhere, each with the most
# lines it may have meanwhile (it may shrink, never grow). Remove an entry once its file is
# split: the last test fails when an entry is no longer needed.
PENDING: dict[str, int] = {}


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def _sizes() -> dict[str, int]:
    return {p.relative_to(ANALYSIS).as_posix(): _lines(p) for p in ANALYSIS.rglob("*.py")}


def test_the_engine_is_where_this_test_looks() -> None:
    sizes = _sizes()
    assert "engine.py" in sizes and "rules/base.py" in sizes, sorted(sizes)


def test_no_analysis_file_is_over_the_limit() -> None:
    over = {rel: n for rel, n in sorted(_sizes().items()) if n > PENDING.get(rel, MAX_LINES)}
    assert not over, (
        f"files in package_analysis/analysis/ over {MAX_LINES} lines: {over};"
        " split them into modules named for what they do"
    )


def test_every_pending_file_is_still_over_the_limit() -> None:
    sizes = _sizes()
    done = sorted(rel for rel in PENDING if sizes.get(rel, 0) <= MAX_LINES)
    assert not done, f"{done} are within {MAX_LINES} lines now: remove them from PENDING"
