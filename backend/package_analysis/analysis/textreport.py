"""`--format text`: per report a verdict line and its artifacts, then each finding strongest
first with where it is (file:lines, reach, artifact), its code, its source → sink steps, the
decoded payload, why it matters and its fingerprint (what a suppression pins); then the
findings a suppression accepted, with the reason. Colour only on a terminal, never with
NO_COLOR or --color never; control and bidi characters are shown as <U+XXXX>.
"""

from __future__ import annotations

import os
import textwrap
from typing import TextIO

from .model import Finding, Report, finding_fingerprint
from .present import artifact_label

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


def use_color(choice: str, out: TextIO) -> bool:
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
    new = f"{style('NEW', 'bold')} " if f.baseline == "new" else ""  # added since the baseline
    lines = [
        f"  {style(f'{f.severity.upper():<8}', f.severity)} {new}{style(f.title, 'bold')}"
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
    lines.append(f"{pad}{style('fingerprint ' + finding_fingerprint(f), 'dim')}")
    return lines


def text_report(report: Report, out: TextIO, *, color: bool = False) -> None:
    style = _Style(color)
    s = report.summary()
    by = ", ".join(f"{n} {sev}" for sev, n in s["by_severity"].items() if n)
    lines = [
        f"{style(_printable(report.package.purl), 'bold')}  "
        f"{style(report.verdict, report.verdict)}  score {report.score:.1f} / 10"
        f"  ({s['findings']} finding(s){': ' + by if by else ''};"
        f"{f' {len(report.suppressed)} suppressed;' if report.suppressed else ''}"
        f" {s['seconds']} s)"
    ]
    for a in report.artifacts:
        lines.append(
            f"  {style('artifact', 'dim')} {artifact_label([a], a.sha256)}"
            f"  sha256 {a.sha256}  {a.size} bytes"
        )
    if report.diff is not None:  # compared with a baseline (docs/diff.md)
        base = report.baseline_summary()
        against = _printable(base["purl"] or report.diff["baseline"]["file"])
        lines.append(
            f"  {style('compared with', 'dim')} {against} ({base['kind']}):"
            f" {base['new_findings']} new finding(s), new-code verdict"
            f" {report.diff.get('new_verdict', '')}"
        )
    for f in report.findings:
        lines.append("")
        lines += _finding_text(f, report, style)
    for sup in report.suppressed:
        f = sup.finding
        lines.append("")
        lines.append(
            f"  {style('SUPPRESSED', 'dim')} {f.title}  {style(f.rule, 'dim')}"
            f"  {_printable(_where(f))}"
        )
        lines.append(f"    {style('reason', 'bold')}: {_printable(sup.reason)}  ({sup.source})")
    out.write("\n".join(lines) + "\n\n")
