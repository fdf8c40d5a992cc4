"""Attack classes and evasions as whole tiny packages: `classes/<class>/{bad,good}/<case>/`.

Each case is a directory tree (`pkg/`, or `sdist/` + `wheel/` for cross-artifact cases) and an
`expect.toml` naming what it imitates and what the scan must say: for `bad/`, at least the
`verdict` given and a finding of one of `categories` at `file`:`line`; for `good/`, at most the
`verdict` given (clean unless the file says otherwise). Payloads are harmless (URLs under
`example.invalid`); the trees are read as bytes by the scanner and never run.

Some cases are expanded at test time so the repository stays small: `pad` inserts filler at a
marker (payloads past the size caps), `archive` zips the tree with junk bytes in front of it
and sends it through `unpack` first.

A bad case the engine does not catch yet is listed in `NOT_CAUGHT` with the reason, and runs as
a strict xfail: catching it fails the test until the entry is removed.
"""

from __future__ import annotations

import shutil
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from package_analysis.analysis import engine, scoring
from package_analysis.analysis.model import Finding, PackageRef
from package_analysis.analysis.unpack import unpack

CLASSES = Path(__file__).with_name("classes")
CASES = sorted(p.parent.relative_to(CLASSES).as_posix() for p in CLASSES.glob("*/*/*/expect.toml"))
RANK = {"clean": 0, "suspicious": 1, "malicious": 2}
SHA = "0" * 64

# case → why the engine does not catch it (or calls a benign case worse) yet; a strict xfail
NOT_CAUGHT: dict[str, str] = {
    "ai-cli-abuse/bad/agent-cli-permission-bypass": (
        "no rule for AI CLIs run with permission-bypass flags (seen only as env exfiltration)"
    ),
    "ai-cli-abuse/bad/agent-config-write": (
        "no rule for writes into AI-agent config files (only the curl|sh string is seen)"
    ),
    "bidi-controls/bad/trojan-source-early-return": ("no rule for bidi control characters in code"),
    "crypto-clipper/bad/fetch-and-wallet-hook": (
        "no rule for fetch/XHR/wallet-provider hooks rewriting addresses"
    ),
    "input-tricks/bad/nul-in-pth": (
        "a NUL byte in the first 8 KiB makes the file binary and unscanned"
    ),
    "input-tricks/bad/utf7-coding-cookie": "PEP 263 coding cookies are ignored",
    "invisible-unicode/bad/tag-characters-python": (
        "no rule for invisible Unicode payloads; exec of a computed value is low"
    ),
    "invisible-unicode/bad/variation-selector-payload": (
        "no rule for invisible Unicode payloads; eval of a computed value is medium"
    ),
    "js-indirect-calls/bad/decipher-embedded-key": (
        "createDecipheriv with an embedded key is not decoded"
    ),
    "npm-load-chains/bad/bin-named-like-system-tool": (
        "no rule for bin entries named like system tools"
    ),
    "npm-load-chains/bad/binding-gyp-command-expansion": (
        "binding.gyp <!(...) expansions are not followed"
    ),
    "npm-worm/bad/plant-github-workflow": (
        "no rule for writing CI workflow files; network alone is medium"
    ),
    "npm-worm/bad/republish-with-stolen-token": (
        "no propagation rule (npm publish with a stolen token)"
    ),
    "py-decoders/bad/runpy-data-file": "runpy.run_path of a data file is not followed",
    "py-indirect-calls/bad/fold-chr-list": (
        "chr lists are decoded as a literal, not folded into the call's argument"
    ),
    "py-indirect-calls/bad/fold-format": "str.format is not constant-folded",
    "py-load-time/bad/console-script-shadows-pip": (
        "no rule for console scripts named like system tools"
    ),
    "py-load-time/bad/setuptools-installation-entry-point": (
        "setuptools.installation entry points are not install time"
    ),
    "trojanized-copy/bad/npm-typosquat-dependency": (
        "dependency names are not checked for typosquats"
    ),
    "trojanized-copy/bad/ships-popular-import-name": (
        "no rule for shipping another popular distribution's import name"
    ),
    "trojanized-copy/bad/typosquat-dependency": (
        "Requires-Dist names are not checked for typosquats"
    ),
    "trojanized-copy/bad/url-dependency-pyproject": "pyproject.toml dependencies are not read",
    "trojanized-copy/bad/url-dependency-setup-cfg": "setup.cfg install_requires is not read",
    "underweighted/bad/child-process-in-install-script": (
        "child_process in an install script is medium"
    ),
    "underweighted/bad/embedded-elf-dropped-and-started": (
        "no rule for an embedded executable written and started"
    ),
    "underweighted/bad/embedded-pe-dropped-and-started": (
        "no rule for an embedded executable written and started"
    ),
    "underweighted/bad/environment-dump-at-import": (
        "whole-environment dump at import is not weighed as load time"
    ),
    "underweighted/bad/launchagent-plist": (
        "LaunchAgents path built with os.path.join and RunAtLoad are not persistence"
    ),
    "underweighted/bad/winlogon-shell": "Winlogon Shell is not persistence",
    "underweighted/bad/xdg-autostart": "XDG autostart is not persistence",
    "wheel-sdist-diff/bad/wheel-adds-import-code": (
        "artifacts are scanned one by one; no comparison of wheel and sdist"
    ),
}


def _expect(case: str) -> dict[str, Any]:
    with (CLASSES / case / "expect.toml").open("rb") as fh:
        return tomllib.load(fh)


def _padded(src: Path, tmp: Path, exp: dict[str, Any]) -> Path:
    """A copy of the tree with the `__PAD__` line expanded to filler lines; the expected line
    moves down by as many lines as were inserted."""
    pad = exp["pad"]
    root = tmp / "padded"
    shutil.copytree(src, root)
    target = root / pad["file"]
    text = target.read_text("utf-8")
    marker = text[: text.index("__PAD__\n")].count("\n") + 1
    filler = pad["line"] * (pad["bytes"] // len(pad["line"]) + 1)
    target.write_text(text.replace("__PAD__\n", filler, 1), "utf-8")
    if pad["file"] == exp.get("file") and exp.get("line", 0) > marker:
        exp["line"] += filler.count("\n") - 1
    return root


def _prefixed_zip(src: Path, tmp: Path, spec: dict[str, Any]) -> Path:
    archive = tmp / "prefixed.whl"
    with archive.open("wb") as raw:
        raw.write(b"\x00junk" * (spec["prefix_bytes"] // 5))
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(src.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(src).as_posix())
    return unpack(archive, tmp / "unpacked", max_bytes=1 << 26, max_files=1000, timeout=30).root


def scan_case(case: str, tmp: Path) -> tuple[dict[str, Any], list[Finding]]:
    exp = _expect(case)
    eco, name, version = exp["ecosystem"], exp["name"], exp["version"]
    package = PackageRef(eco, name, version, f"pkg:{eco}/{name}@{version}")
    roots = [CLASSES / case / art for art in exp.get("artifacts", ["pkg"])]
    findings: list[Finding] = []
    for root in roots:
        if "pad" in exp:
            root = _padded(root, tmp, exp)
        if "archive" in exp:
            root = _prefixed_zip(root, tmp, exp["archive"])
        findings += engine.scan_tree(root, ecosystem=eco, package=package, artifact_sha256=SHA)
    return exp, findings


def _describe(findings: list[Finding]) -> str:
    return "\n".join(
        f"  {f.rule} {f.category} {f.severity} {f.reachability} {f.file}:{f.line}" for f in findings
    )


def _params() -> list[Any]:
    out = []
    for case in CASES:
        marks = []
        if case in NOT_CAUGHT:
            marks.append(pytest.mark.xfail(strict=True, reason=NOT_CAUGHT[case]))
        out.append(pytest.param(case, marks=marks, id=case))
    return out


def test_every_case_is_well_formed() -> None:
    """Each expect.toml names a real file and line (bad) and a known verdict; the miss list
    names existing cases."""
    assert CASES, "no cases found"
    for case in CASES:
        exp = _expect(case)
        kind = case.split("/")[1]
        assert kind in {"bad", "good"}, case
        assert exp["verdict"] in RANK, case
        assert exp["description"].strip(), case
        if kind == "bad":
            assert exp["categories"], case
            art = (exp.get("artifacts") or ["pkg"])[-1]
            target = CLASSES / case / art / exp["file"]
            assert target.is_file(), f"{case}: {exp['file']} missing"
            if "line" in exp:
                lines = target.read_bytes().splitlines()
                assert 1 <= exp["line"] <= len(lines), case
    assert set(NOT_CAUGHT) <= set(CASES)


@pytest.mark.parametrize("case", _params())
def test_case(case: str, tmp_path: Path) -> None:
    exp, findings = scan_case(case, tmp_path)
    verdict, score = scoring.verdict(findings)
    shown = f"{case}: {verdict} {score}\n{_describe(findings)}"
    if "/bad/" in case:
        assert RANK[verdict] >= RANK[exp["verdict"]], shown
        hits = [
            f
            for f in findings
            if f.category in exp["categories"]
            and f.file == exp["file"]
            and ("line" not in exp or f.line == exp["line"])
        ]
        assert hits, f"no {exp['categories']} finding at {exp['file']}:{exp.get('line')}\n{shown}"
    else:
        assert RANK[verdict] <= RANK[exp["verdict"]], shown
