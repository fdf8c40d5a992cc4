"""How findings are put before an analyst: order, grouping, and the text rendering of a
finding's whole evidence (multi-line call, source → sink steps, decoded payload)."""

from __future__ import annotations

import dataclasses
import io

from package_analysis.analysis import textreport
from package_analysis.analysis.model import Artifact, ChainStep, Finding, PackageRef, Report
from package_analysis.analysis.present import arrange, artifact_kind

SDIST, WHEEL = "b" * 64, "c" * 64


def _f(rule: str, severity: str, reach: str = "install", **kw: object) -> Finding:
    base = Finding(
        rule=rule,
        title=f"title {rule}",
        category="process",
        severity=severity,  # type: ignore[arg-type]
        file="demo-1.0/setup.py",
        line=1,
        snippet="x()",
        reachability=reach,  # type: ignore[arg-type]
        explanation="why",
        artifact=SDIST,
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def test_findings_sort_by_severity_times_reachability_then_evidence() -> None:
    docs_critical = _f("A", "critical", "docs")  # 0.9 x 0.3 = 0.27
    install_high = _f("B", "high")  # 0.6
    install_critical = _f("C", "critical", line=9)
    payload = _f("D", "critical", line=20, decoded="print(1)")  # same weight, carries payload
    runtime_medium = _f("E", "medium", "runtime")  # 0.18
    ordered = arrange([docs_critical, runtime_medium, install_high, install_critical, payload])
    assert [f.rule for f in ordered] == ["D", "C", "B", "A", "E"]


def test_identical_repeats_become_one_finding_with_a_count() -> None:
    lines = [_f("R", "medium", line=n) for n in (30, 10, 20)]
    other_file = _f("R", "medium", line=5, file="demo-1.0/other.py")
    other_artifact = _f("R", "medium", line=5, artifact=WHEEL)
    other_code = _f("R", "medium", line=40, snippet="y()")
    grouped = arrange([*lines, other_file, other_artifact, other_code])
    assert len(grouped) == 4
    head = next(
        f
        for f in grouped
        if f.artifact == SDIST and f.file.endswith("setup.py") and f.snippet == "x()"
    )
    assert (head.line, head.count) == (10, 3)
    assert sum(f.count for f in grouped) == 6
    assert arrange(grouped) == grouped  # stable: arranging again changes nothing


def test_artifact_kinds() -> None:
    assert artifact_kind("demo-1.0-py3-none-any.whl") == "wheel"
    assert artifact_kind("demo-1.0.tar.gz") == "sdist"
    assert artifact_kind("demo-1.0.zip") == "sdist"
    assert artifact_kind("left-pad-1.3.0.tgz") == "npm tarball"
    # a folder handed to `scan` (an unpacked wheel too) is no sdist
    assert artifact_kind("demo_widget-1.0/") == "directory"


def test_text_renders_the_whole_call_the_flow_and_the_decoded_payload() -> None:
    finding = _f(
        "PY-DECODE-EXEC",
        "critical",
        line=4,
        end_line=6,
        snippet="exec(\n    base64.b64decode(blob)\n)  # \u202e hidden",
        decoded="print('hi')\nprint('there')",
        count=2,
        chain=(
            ChainStep("source", "demo-1.0/setup.py", 2, 'blob = "cHJpbnQoJ2hpJyk="'),
            ChainStep("sink", "demo-1.0/setup.py", 4, "exec("),
        ),
        artifact=WHEEL,
    )
    report = Report(
        "malicious",
        9.0,
        PackageRef("pypi", "demo", "1.0", "pkg:pypi/demo@1.0"),
        [Artifact("demo-1.0.tar.gz", SDIST, 10), Artifact("demo-1.0-py3-none-any.whl", WHEEL, 9)],
        [finding],
        "r1",
    )
    out = io.StringIO()
    textreport.text_report(report, out)
    text = out.getvalue()
    assert "\x1b[" not in text and "\u202e" not in text
    expected = [
        "  CRITICAL title PY-DECODE-EXEC  PY-DECODE-EXEC  x2",
        "    demo-1.0/setup.py:4-6  (install, in wheel demo-1.0-py3-none-any.whl)",
        "    │ exec(",
        "    │     base64.b64decode(blob)",
        "    │ )  # <U+202E> hidden",
        "    flow:",
        "      1. source    demo-1.0/setup.py:2",
        '         │ blob = "cHJpbnQoJ2hpJyk="',
        "      2. sink      demo-1.0/setup.py:4",
        "         │ exec(",
        "    decoded (from the literal above):",
        "    │ print('hi')",
        "    │ print('there')",
        "    why: why",
    ]
    lines = text.splitlines()
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected
    coloured = io.StringIO()
    textreport.text_report(report, coloured, color=True)
    assert "\x1b[1;31mCRITICAL" in coloured.getvalue()


def test_colour_follows_the_terminal_and_no_color(monkeypatch: object) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.delenv("NO_COLOR", raising=False)
    mp.setenv("TERM", "xterm")
    assert textreport.use_color("auto", Tty()) is True
    assert textreport.use_color("auto", io.StringIO()) is False
    assert textreport.use_color("never", Tty()) is False
    assert textreport.use_color("always", io.StringIO()) is True
    mp.setenv("NO_COLOR", "1")
    assert textreport.use_color("auto", Tty()) is False
