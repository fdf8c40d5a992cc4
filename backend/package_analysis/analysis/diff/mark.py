"""Scan findings against the baseline: `new` or `unchanged`, and the verdict with new
install/import-time findings weighed more."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .. import scoring
from ..model import Finding, Severity, Verdict
from .compare import Comparison, RunsAt

_SEVERITY_UP: dict[Severity, Severity] = {
    "low": "medium",
    "medium": "high",
    "high": "critical",
    "critical": "critical",
}


# --- findings ----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


def mark(findings: Iterable[Finding], comparison: Comparison) -> list[Finding]:
    """Each finding of the new tree, marked `new` or `unchanged` relative to the baseline
    ("" for findings about the package as a whole, which no file holds).

    New: in an added file, or on an added line (or with no line, in a changed file) whose
    snippet the baseline's file does not contain (so moved code stays `unchanged`)."""
    out = []
    texts: dict[str, str] = {}  # the baseline's files read so far, whitespace-collapsed
    for f in findings:
        out.append(dataclasses.replace(f, baseline=_mark_one(f, comparison, texts)))
    return out


def _old_text(comparison: Comparison, rel: str, texts: dict[str, str]) -> str:
    """The baseline's file `rel`, whitespace-collapsed (read while its tree is on disk)."""
    if rel not in texts:
        try:
            data = (comparison.old.root / rel).read_bytes()
        except OSError:
            data = b""
        texts[rel] = _norm(data.decode("utf-8", "replace"))
    return texts[rel]


def _mark_one(f: Finding, comparison: Comparison, texts: dict[str, str]) -> str:
    if not f.file:
        return ""  # about the package as a whole (its name, its version): not compared
    if f.file not in comparison.new.files:
        return "unchanged"
    change = comparison.changes.get(f.file)
    if change is None:
        return "unchanged"
    if change.status == "added":
        return "new"
    snippet = _norm(f.snippet.rstrip("…"))
    if f.line is not None and f.line not in change.added:
        return "unchanged"
    if (
        snippet
        and change.texts_compared
        and snippet in _old_text(comparison, change.old_file, texts)
    ):
        return "unchanged"
    return "new"


def load_time(f: Finding, comparison: Comparison) -> RunsAt:
    """Where a new finding's code runs when that is install or import, else ""."""
    if f.reachability in ("install", "import"):
        return f.reachability  # type: ignore[return-value]
    change = comparison.changes.get(f.file)
    if change is None or not change.runs_at:
        return ""
    if change.runs_at == "install":
        return "install"
    if f.line is not None and f.line in change.import_lines:
        return "import"
    return ""


def score(
    findings: list[Finding], comparison: Comparison | None
) -> tuple[Verdict, float, list[str]]:
    """The verdict with new install/import-time findings weighed more: each counts as if it
    ran at install/import and one severity level higher. Never below the plain score."""
    plain_verdict, plain = scoring.verdict(findings)
    if comparison is None:
        return plain_verdict, plain, []
    raised: list[str] = []
    weighed: list[Finding] = []
    for f in findings:
        when = load_time(f, comparison) if f.baseline == "new" else ""
        if when:
            raised.append(f.rule)
            f = dataclasses.replace(f, severity=_SEVERITY_UP[f.severity], reachability=when)
        weighed.append(f)
    verdict, value = scoring.verdict(weighed)
    if value < plain:
        return plain_verdict, plain, []
    return verdict, value, sorted(set(raised))
