"""Attack classes and evasions as whole tiny packages: `classes/<class>/{bad,good}/<case>/`.

Each case is a directory tree (`pkg/`, or `sdist/` + `wheel/` for cross-artifact cases) and an
`expect.toml` naming what it imitates and what the scan must say: for `bad/`, at least the
`verdict` given and a finding of one of `categories` at `file`:`line`; for `good/`, at most the
`verdict` given (clean unless the file says otherwise) and, with `max_score`, a score no higher
(the context findings left, not a near miss). Payloads are harmless (URLs under
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
from package_analysis.analysis.rules import meta_wheel_diff
from package_analysis.analysis.unpack import unpack

CLASSES = Path(__file__).with_name("classes")
CASES = sorted(p.parent.relative_to(CLASSES).as_posix() for p in CLASSES.glob("*/*/*/expect.toml"))
RANK = {"clean": 0, "suspicious": 1, "malicious": 2}
SHA = "0" * 64

# case → why the engine does not catch it (or calls a benign case worse) yet; a strict xfail
NOT_CAUGHT: dict[str, str] = {}


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
    digests = {}
    for root in roots:
        if "pad" in exp:
            root = _padded(root, tmp, exp)
        if "archive" in exp:
            root = _prefixed_zip(root, tmp, exp["archive"])
        found = engine.scan_tree(root, ecosystem=eco, package=package, artifact_sha256=SHA)
        findings += found
        name = "x.whl" if root.name == "wheel" else "x.tar.gz"
        digests[root.name] = (meta_wheel_diff.digest(root, name), found)
    if {"sdist", "wheel"} <= set(digests):
        sdist, wheel = digests["sdist"][0], digests["wheel"][0]
        assert sdist is not None and wheel is not None
        findings += meta_wheel_diff.compare(sdist, wheel, SHA, digests["wheel"][1])
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
        # a look-alike may also bound its score: the context findings left, not a near verdict
        assert score <= exp.get("max_score", 10.0), shown
