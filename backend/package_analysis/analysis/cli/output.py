"""What the command writes: json lines, one SARIF log, or text, and the summary table."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import TextIO

from ..console import Outcome
from ..model import Report

# --- output -------------------------------------------------------------------------------


def _write(fmt: str, outcomes: list[Outcome], out: TextIO, *, color: str = "never") -> None:
    from ..textreport import text_report, use_color

    reports = [o.report for o in outcomes if o.report is not None]
    colored = use_color(color, out)
    if fmt == "sarif":
        from ..sarif import to_sarif_ci

        out.write(json.dumps(to_sarif_ci(reports), ensure_ascii=False, indent=2) + "\n")
        return
    for outcome in outcomes:
        if fmt == "json":  # a target that failed has its line too: stdout alone tells all
            body = report_json(outcome.report) if outcome.report else failed_json(outcome)
            out.write(json.dumps(body, ensure_ascii=False) + "\n")
        elif outcome.report is not None:
            text_report(outcome.report, out, color=colored)
    out.flush()


def failed_json(outcome: Outcome) -> dict[str, object]:
    """The json line of a target that could not be analysed: no verdict, never clean."""
    return {
        "target": outcome.target.label,
        "verdict": None,
        "status": UNANALYSED,
        "error": outcome.error or "could not be analysed",
    }


def report_json(report: Report) -> dict[str, object]:
    body = report.as_dict()
    if report.extra.get("lockfile"):
        body["lockfile"] = report.extra["lockfile"]
    return body


UNANALYSED = "unanalysed"  # the table's word for a target that could not be analysed


def summary_table(outcomes: list[Outcome]) -> str:
    rows = [("VERDICT", "SCORE", "FINDINGS", "SUPPRESSED", "CACHED", "PACKAGE")]
    counts: dict[str, int] = {}
    for o in outcomes:
        r = o.report
        if r is None:  # no verdict at all: counted apart, never as clean
            rows.append((UNANALYSED, "-", "-", "-", "-", f"{o.target.label}: {o.error}"))
            counts[UNANALYSED] = counts.get(UNANALYSED, 0) + 1
            continue
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
        rows.append(
            (
                r.verdict,
                f"{r.score:.1f}",
                str(len(r.findings)),
                str(len(r.suppressed)),
                "yes" if r.cached else "no",
                r.package.purl,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row[:5], widths, strict=True)) + "  " + row[5]
        for row in rows
    ]
    order = ["malicious", "suspicious", "clean", UNANALYSED]
    words = {UNANALYSED: "could not be analysed"}
    total = ", ".join(f"{counts[k]} {words.get(k, k)}" for k in order if counts.get(k))
    lines.append(f"{len(outcomes)} package(s): {total or 'nothing scanned'}")
    return "\n".join(lines) + "\n"


def relative_uri(path: str) -> str:
    """A path as a repository-relative URI when it lies under the working directory."""
    try:
        rel = os.path.relpath(Path(path).resolve(), Path.cwd())
    except ValueError:
        return PurePosixPath(path).as_posix()
    return PurePosixPath(Path(rel).as_posix()).as_posix()
