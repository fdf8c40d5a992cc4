"""The `scan` role: analyse package URLs and local archives with no server, for CI.

    docker/entrypoint.sh scan PURL_OR_FILE... [--ecosystem pypi|npm]
                              [--format json|sarif|text] [--fail-on suspicious|malicious]
                              [--baseline previous|VERSION|PATH]

One report per target (json: one object per line; sarif: one log, one run per target; text:
a line per target and one per finding). Exit status: 0 every target analysed and none reached
--fail-on (default: malicious; with --baseline, the verdict of the new findings alone);
3 at least one did; 1 a target could not be analysed (its
reason on stderr) and none reached --fail-on; 2 bad usage. Needs no database or Redis.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from .model import AnalysisError, Report
from .pipeline import Limits, analyze_file, analyze_purl
from .sarif import to_sarif

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_FLAGGED = 0, 1, 2, 3
_RANK = {"clean": 0, "suspicious": 1, "malicious": 2}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scan",
        description="Statically analyse PyPI/npm packages (purls or local archives) for"
        " malicious behaviour. Nothing from a package is installed or run.",
        epilog="exit status: 0 clean enough, 3 a target reached --fail-on,"
        " 1 a target could not be analysed, 2 bad usage",
    )
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="PURL_OR_FILE",
        help="a package URL (pkg:pypi/name@version, pkg:npm/name) or a local archive",
    )
    parser.add_argument("--ecosystem", choices=["pypi", "npm"], help="for local archives")
    parser.add_argument("--format", choices=["json", "sarif", "text"], default="json")
    parser.add_argument(
        "--fail-on", choices=["suspicious", "malicious"], default="malicious", dest="fail_on"
    )
    parser.add_argument(
        "--baseline",
        metavar="previous|VERSION|PATH",
        help="compare with the release before, a version of the same package, or a local"
        " archive: findings in added code are marked new, and --fail-on judges the new"
        " findings only (docs/diff.md)",
    )
    return parser


def _analyze(target: str, args: argparse.Namespace, limits: Limits) -> Report:
    baseline = _baseline_request(args.baseline)
    if target.startswith("pkg:"):
        return analyze_purl(target, limits=limits, baseline_request=baseline)
    path = Path(target)
    if not path.is_file():
        raise AnalysisError(f"Not a package URL (pkg:...) and no such file: {target}")
    return analyze_file(path, ecosystem=args.ecosystem, limits=limits, baseline_request=baseline)


def _baseline_request(value: str | None) -> str:
    """--baseline as the pipeline's request: an existing file is a path even without "/"."""
    if not value:
        return "none"
    if value not in ("previous", "none") and Path(value).is_file():
        return str(Path(value).absolute())
    return value


def _judged(report: Report, args: argparse.Namespace) -> str:
    """The verdict --fail-on judges: the new findings' when a baseline was compared."""
    if args.baseline and report.diff is not None:
        return str(report.diff.get("new_verdict", report.verdict))
    return report.verdict


def _text(report: Report, out: TextIO) -> None:
    s = report.summary()
    out.write(
        f"{report.package.purl}  {report.verdict}  score {report.score:.1f}"
        f"  ({len(report.artifacts)} artifact(s), {s['findings']} finding(s), {s['seconds']} s)\n"
    )
    if report.diff is not None:
        base = report.baseline_summary()
        out.write(f"  compared with {base['purl'] or report.diff['baseline']['file']}")
        out.write(f" ({base['kind']}): {base['new_findings']} new finding(s)\n")
    for f in report.findings:
        where = f"{f.file}:{f.line}" if f.line else f.file
        new = " NEW" if f.baseline == "new" else ""
        out.write(f"  [{f.severity}]{new} {f.rule} {where} ({f.reachability}): {f.title}\n")


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Run the scan role; returns the exit status."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    try:
        limits = Limits.from_env()
    except ValueError as exc:
        print(f"scan: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    reports: list[Report] = []
    failed = flagged = False
    for target in args.targets:
        try:
            report = _analyze(target, args, limits)
        except AnalysisError as exc:
            print(f"scan: {target}: {exc}", file=sys.stderr)
            failed = True
            continue
        reports.append(report)
        flagged |= _RANK[_judged(report, args)] >= _RANK[args.fail_on]
        if args.format == "json":
            out.write(json.dumps(report.as_dict(), ensure_ascii=False) + "\n")
        elif args.format == "text":
            _text(report, out)
        out.flush()
    if args.format == "sarif":
        out.write(json.dumps(to_sarif(reports), ensure_ascii=False, indent=2) + "\n")
    if flagged:
        return EXIT_FLAGGED
    return EXIT_FAILED if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
