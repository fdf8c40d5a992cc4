"""The `scan` role: analyse package URLs and local archives with no server, for CI.

    docker/entrypoint.sh scan PURL_OR_FILE... [--ecosystem pypi|npm]
                              [--format json|sarif|text] [--fail-on suspicious|malicious]
                              [--color auto|always|never]

One report per target (json: one object per line; sarif: one log, one run per target; text:
per target a verdict line and its artifacts, then each finding strongest first with where it
is (file:lines, reach, artifact), its code, its source → sink steps, the decoded payload and
why it matters; colour only on a terminal, never with NO_COLOR or --color never).

Exit status: 0 every target analysed and none reached --fail-on (default: malicious); 3 at
least one did; 1 a target could not be analysed (its
reason on stderr) and none reached --fail-on; 2 bad usage. Needs no database or Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from .model import AnalysisError, Finding, Report
from .pipeline import Limits, analyze_file, analyze_purl
from .present import artifact_label
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
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour in --format text (auto: on a terminal, unless NO_COLOR is set)",
    )
    return parser


def _analyze(target: str, args: argparse.Namespace, limits: Limits) -> Report:
    if target.startswith("pkg:"):
        return analyze_purl(target, limits=limits)
    path = Path(target)
    if not path.is_file():
        raise AnalysisError(f"Not a package URL (pkg:...) and no such file: {target}")
    return analyze_file(path, ecosystem=args.ecosystem, limits=limits)


_CODE_LINES = 12  # lines of a snippet, decoded payload or step shown in text
_WIDTH = 100
_SGR = {
    "malicious": "1;31",
    "suspicious": "1;33",
    "clean": "1;32",
    "critical": "1;31",
    "high": "31",
    "medium": "33",
    "low": "36",
    "dim": "2",
    "bold": "1",
}


class _Style:
    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, style: str) -> str:
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if self.on and style in _SGR else text


def _use_color(choice: str, out: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def _printable(text: str) -> str:
    """Terminal-safe: control and bidi characters shown as <U+XXXX>, tabs as spaces."""
    out = []
    for ch in text.replace("\t", "    "):
        code = ord(ch)
        hidden = (
            (code < 0x20 and ch != "\n")
            or 0x7F <= code <= 0x9F
            or 0x200B <= code <= 0x200F
            or 0x202A <= code <= 0x202E
            or 0x2060 <= code <= 0x2069
            or code == 0xFEFF
            or 0xFE00 <= code <= 0xFE0F
            or 0xE0000 <= code <= 0xE01EF
        )
        out.append(f"<U+{code:04X}>" if hidden else ch)
    return "".join(out)


def _block(text: str, prefix: str, style: _Style) -> list[str]:
    lines = _printable(text).splitlines() or [""]
    shown = [line if len(line) <= _WIDTH * 2 else line[: _WIDTH * 2] + " …" for line in lines]
    out = [prefix + style("│ ", "dim") + line for line in shown[:_CODE_LINES]]
    if len(lines) > _CODE_LINES:
        out.append(prefix + style(f"│ … {len(lines) - _CODE_LINES} more lines", "dim"))
    return out


def _where(f: Finding) -> str:
    if not f.line:
        return f.file
    if f.end_line and f.end_line > f.line:
        return f"{f.file}:{f.line}-{f.end_line}"
    return f"{f.file}:{f.line}"


def _finding_text(f: Finding, report: Report, style: _Style) -> list[str]:
    pad = "    "
    count = f"  x{f.count}" if f.count > 1 else ""
    lines = [
        f"  {style(f'{f.severity.upper():<8}', f.severity)} {style(f.title, 'bold')}"
        f"  {style(f.rule, 'dim')}{count}"
    ]
    artifact = artifact_label(report.artifacts, f.artifact)
    lines.append(
        f"{pad}{_printable(_where(f))}  ({f.reachability}"
        + (f", in {_printable(artifact)}" if artifact else "")
        + ")"
    )
    if f.snippet:
        lines += _block(f.snippet, pad, style)
    if f.chain:
        lines.append(f"{pad}{style('flow', 'bold')}:")
        for n, step in enumerate(f.chain, 1):
            at = f"{step.file}:{step.line}" if step.line else step.file
            lines.append(f"{pad}  {n}. {step.role:<9} {_printable(at)}")
            lines += _block(step.text, pad + "     ", style)
    if f.decoded:
        lines.append(f"{pad}{style('decoded', 'bold')} (from the literal above):")
        lines += _block(f.decoded, pad, style)
    why = textwrap.wrap(_printable(f.explanation), _WIDTH - len(pad) - 5) or [""]
    lines.append(f"{pad}{style('why', 'bold')}: {why[0]}")
    lines += [f"{pad}     {line}" for line in why[1:]]
    return lines


def _text(report: Report, out: TextIO, *, color: bool = False) -> None:
    style = _Style(color)
    s = report.summary()
    by = ", ".join(f"{n} {sev}" for sev, n in s["by_severity"].items() if n)
    lines = [
        f"{style(_printable(report.package.purl), 'bold')}  "
        f"{style(report.verdict, report.verdict)}  score {report.score:.1f} / 10"
        f"  ({s['findings']} finding(s){': ' + by if by else ''}; {s['seconds']} s)"
    ]
    for a in report.artifacts:
        lines.append(
            f"  {style('artifact', 'dim')} {artifact_label([a], a.sha256)}"
            f"  sha256 {a.sha256[:16]}…  {a.size} bytes"
        )
    for f in report.findings:
        lines.append("")
        lines += _finding_text(f, report, style)
    out.write("\n".join(lines) + "\n\n")


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
    color = _use_color(args.color, out)
    for target in args.targets:
        try:
            report = _analyze(target, args, limits)
        except AnalysisError as exc:
            print(f"scan: {target}: {exc}", file=sys.stderr)
            failed = True
            continue
        reports.append(report)
        flagged |= _RANK[report.verdict] >= _RANK[args.fail_on]
        if args.format == "json":
            out.write(json.dumps(report.as_dict(), ensure_ascii=False) + "\n")
        elif args.format == "text":
            _text(report, out, color=color)
        out.flush()
    if args.format == "sarif":
        out.write(json.dumps(to_sarif(reports), ensure_ascii=False, indent=2) + "\n")
    if flagged:
        return EXIT_FLAGGED
    return EXIT_FAILED if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
