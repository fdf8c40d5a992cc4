"""What changed: real releases compared with the one before, and injected pairs built from
real releases (a clean release re-packed with a harmless stand-in payload): the payload is
found as new at its file and line, the verdict at least suspicious; code that was already
there stays `unchanged`."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from package_analysis.analysis import diff
from package_analysis.analysis.model import AnalysisError, Report
from package_analysis.analysis.pipeline import Limits, analyze_file, analyze_purl
from package_analysis.analysis.sarif import to_sarif

from . import injected

SUSPICIOUS_OR_WORSE = ("suspicious", "malicious")


def new_at(report: Report, file: str, line: int) -> list[str]:
    return [
        f.rule for f in report.findings if f.baseline == "new" and (f.file, f.line) == (file, line)
    ]


def assert_only_payload_is_new(report: Report, inj: injected.Injected) -> None:
    assert report.diff is not None
    assert new_at(report, inj.file, inj.line), [
        (f.rule, f.file, f.line, f.baseline) for f in report.findings
    ]
    assert report.verdict in SUSPICIOUS_OR_WORSE
    assert report.diff["new_verdict"] in SUSPICIOUS_OR_WORSE
    # every other finding of the scan was already in the clean release
    others = [
        f
        for f in report.findings
        if f.baseline == "new" and f.file != inj.file and not f.rule.startswith("DIFF-")
    ]
    assert others == []
    changed = [f for f in report.diff["files"] if f["status"] != "added"]
    hunks = [h for f in changed if f["file"] == inj.file for h in f["hunks"]]
    assert any(h["start"] <= inj.line <= h["end"] and h["runs_at"] for h in hunks), hunks


@pytest.mark.parametrize(
    ("purl", "member", "payload", "runs_at"),
    [
        ("pkg:pypi/idna@3.7", "idna/core.py", injected.PY_PAYLOAD, "import"),  # a runtime module
        ("pkg:pypi/idna@3.7", "idna/__init__.py", injected.PY_PAYLOAD, "import"),
        ("pkg:pypi/requests@2.32.3", "/setup.py", injected.PY_SETUP_PAYLOAD, "install"),
    ],
)
def test_an_injected_python_payload_is_new_at_its_line(
    tmp_path: Path, limits: Limits, purl: str, member: str, payload: list[str], runs_at: str
) -> None:
    inj = injected.inject_python(purl, tmp_path, member, payload=payload)
    # An archive claiming a published version is compared with that published release.
    report = analyze_file(inj.archive, limits=limits, baseline_request="previous")
    assert report.diff is not None and report.diff["baseline"]["kind"] == "version"
    assert report.diff["baseline"]["purl"] == purl
    assert_only_payload_is_new(report, inj)
    assert report.diff["summary"] == {
        "added": 0, "removed": 0, "changed": 1,
        "unchanged": report.diff["summary"]["unchanged"], "load_time_hunks": 1,
    }  # fmt: skip
    (hunk,) = report.diff["files"][0]["hunks"]
    assert hunk["runs_at"] == runs_at and hunk["lines"] == payload
    assert report.score >= report.diff["plain_score"]


def test_an_injected_postinstall_is_new_at_its_line(tmp_path: Path, limits: Limits) -> None:
    inj = injected.inject_postinstall("pkg:npm/is-number@7.0.0", tmp_path)
    report = analyze_file(inj.archive, limits=limits, baseline_request="previous")
    assert report.diff is not None and report.diff["baseline"]["purl"] == "pkg:npm/is-number@7.0.0"
    assert "NPM-INSTALL-SCRIPT-SHELL" in new_at(report, inj.file, inj.line)
    assert "DIFF-INSTALL-HOOK" in new_at(report, inj.file, inj.line)
    assert report.verdict in SUSPICIOUS_OR_WORSE
    assert report.diff["install_hooks"] == [
        {"hook": "scripts.postinstall", "before": "", "after": injected.NPM_POSTINSTALL}
    ]


def test_a_local_archive_as_baseline(tmp_path: Path, limits: Limits) -> None:
    inj = injected.inject_python("pkg:pypi/idna@3.7", tmp_path, "idna/core.py")
    report = analyze_file(inj.archive, limits=limits, baseline_request=str(inj.clean))
    assert report.diff is not None
    assert report.diff["baseline"] == {
        "kind": "path", "purl": "", "version": "", "file": inj.clean.name,
        "reason": "the archive given as baseline",
    }  # fmt: skip
    assert_only_payload_is_new(report, inj)
    # Compared with itself, nothing is new and the new findings' verdict is clean.
    same = analyze_file(inj.archive, limits=limits, baseline_request=str(inj.archive))
    assert same.diff is not None and same.verdict in SUSPICIOUS_OR_WORSE
    assert {f.baseline for f in same.findings} == {"unchanged"}
    assert (same.diff["new_verdict"], same.diff["summary"]["changed"]) == ("clean", 0)


def test_a_copy_of_a_popular_package_is_compared_with_the_original(
    tmp_path: Path, limits: Limits
) -> None:
    inj = injected.inject_python(
        "pkg:pypi/idna@3.7", tmp_path, "idna/core.py", rename="packamal-test-idna-copy-7f3a"
    )
    # Not published under that name: "previous" finds nothing, the copy finds its original.
    report = analyze_file(inj.archive, limits=limits, baseline_request="previous")
    assert report.package.name == "packamal-test-idna-copy-7f3a"
    assert report.diff is not None
    assert report.diff["baseline"]["kind"] == "copy"
    assert report.diff["baseline"]["purl"] == "pkg:pypi/idna@3.7"
    assert "'idna'" in report.diff["baseline"]["reason"]
    assert_only_payload_is_new(report, inj)
    (shadow,) = [f for f in report.findings if f.rule == "DIFF-SHADOWS-POPULAR"]
    assert shadow.baseline == "new" and "idna" in shadow.snippet
    changed = sorted(f["file"] for f in report.diff["files"])
    assert changed == ["idna-3.7/PKG-INFO", inj.file]  # the new name, and the payload


def test_an_npm_copy_under_a_look_alike_name_is_compared_with_the_original(
    tmp_path: Path, limits: Limits
) -> None:
    inj = injected.inject_npm_copy(
        "pkg:npm/chalk@5.3.0", tmp_path, "package/source/index.js", "chlak"
    )
    report = analyze_file(inj.archive, limits=limits, baseline_request="copies")
    assert report.diff is not None
    assert report.diff["baseline"]["kind"] == "copy"
    assert report.diff["baseline"]["purl"] == "pkg:npm/chalk@5.3.0"
    assert_only_payload_is_new(report, inj)
    (copy,) = [f for f in report.findings if f.rule == "DIFF-COPY-OF-POPULAR"]
    assert copy.file == "package/package.json" and "chalk" in copy.snippet
    assert sorted(f["file"] for f in report.diff["files"]) == [
        "package/package.json", "package/source/index.js"
    ]  # fmt: skip
    # A look-alike name whose files are not the original's is not a copy.
    inj = injected.inject_npm_copy(
        "pkg:npm/is-number@7.0.0", tmp_path / "other", "package/index.js", "chlak"
    )
    assert analyze_file(inj.archive, limits=limits, baseline_request="copies").diff is None


def test_the_uploaded_default_compares_only_copies(tmp_path: Path, limits: Limits) -> None:
    inj = injected.inject_python("pkg:pypi/idna@3.7", tmp_path, "idna/core.py")
    assert analyze_file(inj.archive, limits=limits, baseline_request="copies").diff is None
    copy = injected.inject_python(
        "pkg:pypi/idna@3.7", tmp_path / "c", "idna/core.py", rename="packamal-test-idna-copy-7f3a"
    )
    report = analyze_file(copy.archive, limits=limits, baseline_request="copies")
    assert report.diff is not None and report.diff["baseline"]["kind"] == "copy"


def test_consecutive_real_releases_show_no_new_findings(limits: Limits) -> None:
    report = analyze_purl("pkg:pypi/idna@3.7", limits=limits, baseline_request="previous")
    assert report.diff is not None
    assert report.diff["baseline"]["purl"] == "pkg:pypi/idna@3.6"
    assert report.summary()["baseline"]["new_findings"] == 0
    assert report.score == report.diff["plain_score"]
    files = {f["file"]: f for f in report.diff["files"]}
    core = files["idna-3.7/idna/core.py"]
    assert core["status"] == "changed" and core["lines_added"] > 0
    assert any(h["runs_at"] == "" for h in core["hunks"])  # inside functions: not at import
    assert report.diff["dependencies"] == [] and report.diff["install_hooks"] == []
    plain = analyze_purl("pkg:pypi/idna@3.7", limits=limits)
    assert plain.diff is None and "baseline" not in plain.summary()
    assert {f.baseline for f in plain.findings} <= {""}


def test_an_explicit_version_and_the_refusals(limits: Limits) -> None:
    report = analyze_purl("pkg:npm/is-number@7.0.0", limits=limits, baseline_request="5.0.0")
    assert report.diff is not None and report.diff["baseline"]["purl"] == "pkg:npm/is-number@5.0.0"
    with pytest.raises(AnalysisError, match=r"^No such baseline version: is-number 99\.0\.0$"):
        analyze_purl("pkg:npm/is-number@7.0.0", limits=limits, baseline_request="99.0.0")
    with pytest.raises(AnalysisError, match=r"^No such baseline file: "):
        analyze_purl("pkg:npm/is-number@7.0.0", limits=limits, baseline_request="/nonexistent.tgz")
    first = analyze_purl("pkg:npm/is-number@0.1.0", limits=limits, baseline_request="previous")
    assert first.diff is None  # the first release: nothing before it


def npm_repack(src: Path, dest: Path, edit: dict[str, bytes], manifest: dict[str, object]) -> Path:
    out = io.BytesIO()
    with tarfile.open(src, "r:gz") as tar, tarfile.open(fileobj=out, mode="w:gz") as new:
        for m in tar:
            data = tar.extractfile(m).read() if m.isfile() else b""  # type: ignore[union-attr]
            if m.name == "package/package.json":
                doc = json.loads(data)
                for key, value in manifest.items():
                    doc.setdefault(key, {}).update(value)  # type: ignore[arg-type]
                data = json.dumps(doc, indent=2).encode()
            m.size = len(data)
            new.addfile(m, io.BytesIO(data))
        for name, data in edit.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    dest.write_bytes(out.getvalue())
    return dest


def test_new_dependencies_and_binaries(tmp_path: Path, limits: Limits) -> None:
    clean = injected.download("pkg:npm/is-number@7.0.0", tmp_path / "clean")
    elf = b"\x7fELF\x02\x01\x01" + bytes(57)  # a header only: it cannot run
    repacked = npm_repack(
        clean,
        tmp_path / "is-number-7.0.0.tgz",
        {"package/bin/helper": elf},
        {"dependencies": {"lodahs": "^4.17.21", "left-pad": "github:someone/left-pad"}},
    )
    report = analyze_file(repacked, limits=limits, baseline_request=str(clean))
    assert report.diff is not None
    assert report.diff["dependencies"] == [
        {"name": "left-pad", "spec": "github:someone/left-pad", "typosquat_of": "", "url": True},
        {"name": "lodahs", "spec": "^4.17.21", "typosquat_of": "lodash", "url": False},
    ]
    assert report.diff["binaries"] == ["package/bin/helper"]
    rules = {f.rule for f in report.findings if f.baseline == "new"}
    assert {"DIFF-DEP-TYPOSQUAT", "DIFF-DEP-URL", "DIFF-BINARY-ADDED"} <= rules
    assert report.verdict in SUSPICIOUS_OR_WORSE


def test_sarif_marks_new_findings(tmp_path: Path, limits: Limits) -> None:
    inj = injected.inject_python("pkg:pypi/idna@3.7", tmp_path, "idna/__init__.py")
    report = analyze_file(inj.archive, limits=limits, baseline_request=str(inj.clean))
    (run,) = to_sarif(report)["runs"]
    states = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["baselineState"])
        for r in run["results"]
    }
    assert (inj.file, "new") in states
    assert run["properties"]["baseline"]["kind"] == "path"


def test_load_time_lines_of_python_and_javascript() -> None:
    py = b"import os\n\ndef f():\n    os.system('x')\n    return 1\n\n# v2\nos.getcwd()\n"
    assert diff._python_lazy(py) == {2, 4, 5, 6, 7}  # bodies, and blank or comment lines
    js = b"const a = require('a');\nfunction f() {\n  a();\n  return 1;\n}\nf();\n"
    assert diff._javascript_lazy(js) == {3, 4, 7}  # (7: the empty line after the last)
    # a banner, a comment line and a blank line run never; code beside a comment runs
    banner = (
        b"/*!\n * lib v4.68.8\n * Sat, 21 Nov 2026\n */\n'use strict'; // strict\n\n"
        b"// settings\nconst a = require('a'); /* the loader */\n/* one */ a();\n"
    )
    assert diff._javascript_lazy(banner) == {1, 2, 3, 4, 6, 7, 10}
    assert diff._javascript_lazy(b"!function(){x()}();") == set()  # one line: runs on load
    assert diff.file_key("idna-3.7/src/idna/core.py", "idna-3.7/") == "idna/core.py"
    assert diff.file_key("idna-3.7.dist-info/RECORD", "") == "idna.dist-info/RECORD"
    assert diff.file_key("m/_x.cpython-312-x86_64-linux-gnu.so", "") == "m/_x.abi.so"
    assert diff.url_dependency("pypi", "pkg @ https://example.invalid/p.whl")
    assert not diff.url_dependency("pypi", "pkg>=1.0")
    assert diff.url_dependency("npm", "git+https://example.invalid/x.git")
    assert not diff.url_dependency("npm", "^1.2.3")


def test_the_scan_role_with_a_baseline_fails_on_new_findings_only(tmp_path: Path) -> None:
    from .test_scan_role import scan

    inj = injected.inject_python("pkg:pypi/idna@3.7", tmp_path, "idna/core.py")
    # The injected release against the clean one: the payload is new, --fail-on sees it.
    proc = scan(tmp_path, str(inj.archive), "--baseline", str(inj.clean), "--format", "text")
    assert proc.returncode == 3, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"  compared with {inj.clean.name} (path): 3 new finding(s)," in proc.stdout
    new = [i for i, ln in enumerate(lines) if " NEW " in ln]
    assert new and all(lines[i + 1].strip().startswith(f"{inj.file}:{inj.line} ") for i in new)
    # Against itself: as malicious as before, but nothing new, so CI passes...
    proc = scan(
        tmp_path, str(inj.archive), "--baseline", str(inj.archive), "--fail-on", "suspicious"
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    report = json.loads(proc.stdout)
    assert report["verdict"] in SUSPICIOUS_OR_WORSE and report["diff"]["new_verdict"] == "clean"
    assert report["baseline"]["new_findings"] == 0
    # ...while without a baseline the same release fails.
    assert scan(tmp_path, str(inj.archive), "--fail-on", "suspicious").returncode == 3
    # SARIF marks the new results (the clean release had no findings: all of them are new).
    proc = scan(tmp_path, str(inj.archive), "--baseline", str(inj.clean), "--format", "sarif")
    results = json.loads(proc.stdout)["runs"][0]["results"]
    assert results and {r["baselineState"] for r in results} == {"new"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {inj.file}


def test_line_sets_hold_runs_and_answer_as_sets() -> None:
    from package_analysis.analysis.diff.lines import Lines

    lines = Lines([5, 1, 2, 3, 9])
    lines.add(20, 30)
    lines.add(4, 4)  # joins 1-3 and 5
    lines.add(25, 40)  # overlaps 20-30
    lines.add(8, 8)  # before 9, after the rest
    assert repr(lines) == "Lines(1-5, 8-9, 20-40)"
    assert lines == {1, 2, 3, 4, 5, 8, 9, *range(20, 41)}
    assert len(lines) == 5 + 2 + 21 and 40 in lines and 41 not in lines and 7 not in lines
    assert list(lines)[:6] == [1, 2, 3, 4, 5, 8]
    assert lines.without({2, 3, 9} | set(range(21, 40))) == {1, 4, 5, 8, 20, 40}
    assert not Lines() and Lines(range(3, 3)) == set()
