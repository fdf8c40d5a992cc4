"""`make bench-diff`: the comparison with the previous release on real popular packages.

For each package: its latest release and the one before it (version order, yanked and
deprecated skipped), fetched through the project's fetcher. The latest release is
analysed in one process with no report cache, alone (`baseline none`) and with the
previous release as baseline (`baseline previous`: the baseline is downloaded and unpacked
in a thread while the release is scanned, never scanned itself), each twice (alone, pair,
pair, alone) and the faster run kept, as the machine is shared. Reported:

- time: the median over the packages of each, and of the ratio pair / alone (goal ≤ 2x);
- how many pairs report new install/import-time behaviour (goal ≤ 2 %): a finding marked
  `new` that runs at install or import (the rules the verdict weighed more), or the diff's
  own evidence of severity medium or above; each one is listed with its evidence.

Results: artifacts/bench/results/diff.md (+ .json); BENCH_RESULTS_DIR moves them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "backend"))
RESULTS = REPO / os.environ.get("BENCH_RESULTS_DIR", "artifacts/bench/results")

PYPI = [
    "requests",
    "urllib3",
    "idna",
    "certifi",
    "charset-normalizer",
    "six",
    "packaging",
    "attrs",
    "click",
    "jinja2",
    "markupsafe",
    "python-dateutil",
    "typing-extensions",
    "filelock",
    "platformdirs",
    "tomli",
    "pluggy",
    "iniconfig",
    "pyparsing",
    "wheel",
]
NPM = [
    "chalk",
    "debug",
    "ms",
    "semver",
    "commander",
    "uuid",
    "minimist",
    "ansi-styles",
    "supports-color",
    "yargs-parser",
]
PACKAGES = [f"pkg:pypi/{n}" for n in PYPI] + [f"pkg:npm/{n}" for n in NPM]
LOUD = {"critical", "high", "medium"}


def behaviour(report: Any) -> list[dict[str, Any]]:
    """The new install/import-time evidence of a compared report, one entry per finding."""
    diff = report.diff or {}
    raised = set(diff.get("raised_rules") or [])
    out = []
    for f in report.findings:
        if f.baseline != "new":
            continue
        diff_own = f.rule.startswith("DIFF-") and f.severity in LOUD
        if f.rule in raised or diff_own:
            out.append(
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "where": f"{f.file}:{f.line}" if f.line else f.file,
                    "reachability": f.reachability,
                    "snippet": f.snippet[:160],
                    "why": f.explanation[:240],
                }
            )
    return out


def measure(purl: str, limits: Any) -> dict[str, Any]:
    from package_analysis.analysis import ecosystems
    from package_analysis.analysis.pipeline import analyze_purl
    from package_analysis.analysis.purl import purl_parse

    ref = purl_parse(purl)
    project = ecosystems.adapter(ref.ecosystem).project(
        ref.name, deadline=time.monotonic() + 120, full=True
    )
    latest = ecosystems.latest(project)
    before = ecosystems.previous(project, latest.version)
    target = project.ref(latest).purl
    row: dict[str, Any] = {
        "package": purl,
        "release": latest.version,
        "previous": before.version if before else None,
    }
    if before is None:
        return {**row, "error": "no previous release"}
    try:
        # alone, pair, pair, alone: each timed twice in both orders, the faster kept (the
        # machine is shared; the second run of each finds the OS's caches as warm as the other)
        alone_s, pair_s = [], []
        for order in (("none", "previous"), ("previous", "none")):
            for request in order:
                started = time.monotonic()
                report = analyze_purl(target, limits=limits, baseline_request=request)
                (alone_s if request == "none" else pair_s).append(time.monotonic() - started)
                if request == "none":
                    alone = report
                else:
                    pair = report
        row["alone_s"] = round(min(alone_s), 3)
        row["pair_s"] = round(min(pair_s), 3)
    except Exception as exc:  # one package's failure is a row, not the end of the run
        return {**row, "error": f"{type(exc).__name__}: {exc}"}
    diff = pair.diff or {}
    row.update(
        {
            "ratio": round(row["pair_s"] / max(row["alone_s"], 1e-3), 2),
            "verdict_alone": alone.verdict,
            "score_alone": alone.score,
            "verdict_pair": pair.verdict,
            "score_pair": pair.score,
            "findings": len(pair.findings),
            "new_findings": sum(1 for f in pair.findings if f.baseline == "new"),
            "summary": diff.get("summary"),
            "behaviour": behaviour(pair),
        }
    )
    return row


def render(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    ok = [r for r in rows if "error" not in r]
    flagged = [r for r in ok if r["behaviour"]]
    lines = [
        "# Diff benchmark: consecutive releases of popular packages",
        "",
        f"Run {meta['when']} on {meta['cpus']} CPUs; `python -m bench.diff` (`make bench-diff`).",
        "Each package's latest release analysed alone and with the release before it as",
        "baseline (downloaded and unpacked, not scanned); no report cache.",
        "",
        "| figure | value | goal |",
        "|---|---|---|",
        f"| pairs measured | {len(ok)} of {len(rows)} | 30 |",
        f"| median time, release alone | {meta['median_alone']} s | |",
        f"| median time, release + previous | {meta['median_pair']} s | |",
        f"| median ratio pair / alone | {meta['median_ratio']}x | ≤ 2x |",
        f"| pairs with new install/import-time behaviour | {len(flagged)} of {len(ok)}"
        f" ({meta['flagged_pct']} %) | ≤ 2 % |",
        "",
        "| package | release | previous | alone s | pair s | ratio | verdict (alone → pair)"
        " | new findings | changed files |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['package']} | {r['release']} | {r['previous']} | error: "
                         f"{r['error'][:120]} | | | | | |")  # fmt: skip
            continue
        s = r["summary"] or {}
        lines.append(
            f"| {r['package']} | {r['release']} | {r['previous']} | {r['alone_s']} | {r['pair_s']}"
            f" | {r['ratio']} | {r['verdict_alone']} {r['score_alone']} → {r['verdict_pair']}"
            f" {r['score_pair']} | {r['new_findings']} | +{s.get('added', 0)}"
            f" ~{s.get('changed', 0)} -{s.get('removed', 0)} |"
        )
    lines += ["", "## New install/import-time behaviour, explained", ""]
    if not flagged:
        lines.append("None: no pair added code that runs at install or import and matches a rule.")
    for r in flagged:
        lines.append(f"### {r['package']} {r['previous']} → {r['release']}")
        lines.append("")
        for b in r["behaviour"]:
            lines.append(
                f"- `{b['rule']}` ({b['severity']}, {b['reachability']}) at `{b['where']}`:"
                f" `{b['snippet']}` — {b['why']}"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", nargs="*", default=PACKAGES, help="purls without version")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from package_analysis.analysis.pipeline import Limits

    limits = Limits.from_env()
    rows = []
    for purl in args.packages:
        row = measure(purl, limits)
        rows.append(row)
        print(
            f"{purl}: {row.get('previous')} → {row.get('release')}"
            f" alone {row.get('alone_s')} s, pair {row.get('pair_s')} s,"
            f" behaviour {len(row.get('behaviour', []))} {row.get('error', '')}",
            flush=True,
        )
    ok = [r for r in rows if "error" not in r]
    flagged = [r for r in ok if r["behaviour"]]
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "median_alone": round(statistics.median(r["alone_s"] for r in ok), 2) if ok else None,
        "median_pair": round(statistics.median(r["pair_s"] for r in ok), 2) if ok else None,
        "median_ratio": round(statistics.median(r["ratio"] for r in ok), 2) if ok else None,
        "flagged_pct": round(100 * len(flagged) / len(ok), 1) if ok else None,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "diff.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    (RESULTS / "diff.md").write_text(render(rows, meta))
    print(f"wrote {RESULTS / 'diff.md'}: median ratio {meta['median_ratio']}x,"
          f" {len(flagged)} of {len(ok)} with new install/import-time behaviour")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
