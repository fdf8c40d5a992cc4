"""JS-CHILD-PROCESS's `node-probe` variant: node itself (`process.execPath`) evaluating a
short constant program that loads only process/os/path/util and reaches nothing else is a
question about the runtime (low); any other program, or a program that is not a constant,
stays a process started at load time (medium). And the folded command line such a call
runs: what its evidence shows, and when it counts as decoded (JS-ENCODED-CODE)."""

from __future__ import annotations

from pathlib import Path

import pytest

from package_analysis.analysis import engine
from package_analysis.analysis.model import PackageRef

PACKAGE = PackageRef("npm", "demo-widget", "1.0.0", "pkg:npm/demo-widget@1.0.0")
PROBE = "const r=require('node:process').report;console.log(JSON.stringify(r.getReport().header));"
CASES = {
    "a libc probe": (f"const program = {PROBE!r};", "['-p', program]", "low"),
    "os and path only": (
        "",
        "['-e', \"console.log(require('os').release(), require('path').sep)\"]",
        "low",
    ),
    "child_process in the program": (
        "",
        "['-e', \"require('child_process').execSync('id')\"]",
        "medium",
    ),
    "the network": ("", "['-e', \"require('https').get('https://example.invalid/x')\"]", "medium"),
    "the environment": ("", "['-p', 'JSON.stringify(process.env)']", "medium"),
    "a file written": ("", "['-e', \"require('fs').writeFileSync('/tmp/x', '1')\"]", "medium"),
    "an escape": ("", "['-e', \"require('\\\\x63hild_process')\"]", "medium"),
    "a program from outside": ("const program = process.argv[2];", "['-e', program]", "medium"),
    "another program than node": ("", "['-c', 'uname -a']", "medium"),
    "a long program": (f"const program = {('1+' * 300) + '1'!r};", "['-p', program]", "medium"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_what_node_runs_decides_the_weight(case: str, tmp_path: Path) -> None:
    before, argv, severity = CASES[case]
    command = "'/bin/sh'" if "another program" in case else "process.execPath"
    code = (
        "const { spawnSync } = require('child_process');\n"
        f"{before}\nspawnSync({command}, {argv});\n"
    )
    root = tmp_path / "pkg"
    (root / "package").mkdir(parents=True)
    (root / "package" / "package.json").write_text(
        '{"name": "demo-widget", "version": "1.0.0", "main": "index.js"}'
    )
    (root / "package" / "index.js").write_text(code)
    found = engine.scan_tree(root, ecosystem="npm", package=PACKAGE, artifact_sha256="0" * 64)
    spawned = [f for f in found if f.rule == "JS-CHILD-PROCESS"]
    assert [f.severity for f in spawned] == [severity], [f.as_dict() for f in found]


def _scan_index(tmp_path: Path, code: str) -> list:
    root = tmp_path / "pkg"
    (root / "package").mkdir(parents=True)
    (root / "package" / "package.json").write_text(
        '{"name": "demo-widget", "version": "1.0.0", "main": "index.js"}'
    )
    (root / "package" / "index.js").write_text(code)
    return engine.scan_tree(root, ecosystem="npm", package=PACKAGE, artifact_sha256="0" * 64)


def test_a_command_written_as_is_is_folded_not_decoded(tmp_path: Path) -> None:
    """A command line whose pieces are plain literals of the file is no encoded payload
    (JS-ENCODED-CODE), and its evidence shows the run-time piece as the code that gives it,
    not the stand-in the rules match on."""
    found = _scan_index(
        tmp_path,
        "const { spawnSync } = require('child_process');\n"
        f"const program = {PROBE!r};\n"
        "spawnSync(process.execPath, ['-p', program]);\n",
    )
    assert not [f for f in found if f.rule == "JS-ENCODED-CODE"], [f.as_dict() for f in found]
    shown = [f.decoded for f in found if f.decoded] + [f.explanation for f in found]
    assert not [s for s in shown if "(unresolved)" in s], shown


def test_a_command_with_a_decoded_piece_is_still_an_encoded_payload(tmp_path: Path) -> None:
    hidden = "require('child_process').execSync('id')"
    codes = ", ".join(str(ord(c)) for c in hidden)
    found = _scan_index(
        tmp_path,
        "const { spawnSync } = require('child_process');\n"
        f"spawnSync(process.execPath, ['-e', String.fromCharCode({codes})]);\n",
    )
    encoded_code = [f for f in found if f.rule == "JS-ENCODED-CODE"]
    assert encoded_code, [f.as_dict() for f in found]
    assert "${process.execPath} -e " + hidden in encoded_code[0].explanation


def test_what_the_evidence_shows_is_not_what_the_rules_read(tmp_path: Path) -> None:
    """A run-time piece is shown as its code (`${process.env.X ? 'a' : 'b'}`), but the rules
    read the stand-in: code quoted for a person is no decoded program."""
    found = _scan_index(
        tmp_path,
        "const { execSync } = require('child_process');\n"
        "const CMD = process.env.DEMO_ALT ? 'yarnpkg' : 'yarn';\n"
        "function info() { return execSync(CMD + ' info left-pad --json').toString(); }\n"
        "module.exports = { info };\n",
    )
    assert not [f for f in found if f.rule == "JS-ENCODED-CODE"], [f.as_dict() for f in found]
