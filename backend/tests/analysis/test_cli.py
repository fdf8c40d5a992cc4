"""The `packamal` command beyond the scan role's basics: folders, the local cache, lockfile
discovery and pylock.toml, the summary table, and SARIF cut to code scanning's limits."""

from __future__ import annotations

import io
import json
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

from package_analysis.analysis import cli, sarif
from package_analysis.analysis.engine import RULES_VERSION
from package_analysis.analysis.model import Artifact, Finding, PackageRef, Report, Suppressed
from package_analysis.lockfiles import lockfile_parse

from . import archives
from .test_sarif import REV, VALIDATOR


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("ANALYSIS_SCRATCH_DIR", str(tmp_path / "scratch"))
    return tmp_path


def scan(*args: str) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    code = cli.main(["scan", "--no-progress", *args], out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def _bad_tree(root: Path) -> Path:
    pkg = root / "bad-1.0"
    pkg.mkdir(parents=True)
    (pkg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n")
    (pkg / "setup.py").write_text(
        "from setuptools import setup\nimport os\nos.system('" + REV + "')\n"
    )
    return pkg


def test_a_folder_is_scanned_like_its_archive_without_following_links(work: Path) -> None:
    pkg = _bad_tree(work / "src")
    (pkg / "escape").symlink_to("/etc")
    (pkg / ".git").mkdir()
    (pkg / ".git" / "config").write_text("os.system('" + REV + "')\n")
    code, (report,) = scan(str(pkg))
    assert (code, report["verdict"]) == (3, "malicious")
    assert report["package"]["purl"] == "pkg:pypi/bad@1.0"
    assert report["artifacts"][0]["filename"] == "bad-1.0/"
    files = {f["file"] for f in report["findings"]}
    assert "bad-1.0/setup.py" in files and not any(".git" in f or "etc" in f for f in files)
    # The folder's sha256 hashes names and contents: the same tree, the same key.
    _code, (again,) = scan(str(pkg))
    assert again["artifacts"][0]["sha256"] == report["artifacts"][0]["sha256"]
    (pkg / "README").write_text("changed\n")
    _code, (changed,) = scan(str(pkg))
    assert changed["artifacts"][0]["sha256"] != report["artifacts"][0]["sha256"]


def test_findings_are_cached_per_artifact_under_xdg_cache_home(work: Path) -> None:
    archives.sdist(work / "demo_pkg-1.2.3.tar.gz")
    _bad_tree(work / "t")
    archives.tar_gz(
        work / "bad-1.0.tar.gz",
        {f"bad-1.0/{p.name}": p.read_bytes() for p in (work / "t" / "bad-1.0").iterdir()},
    )
    _code, (first,) = scan("bad-1.0.tar.gz")
    sha = first["artifacts"][0]["sha256"]
    entry = work / "cache" / "packamal" / RULES_VERSION / sha[:2] / f"{sha}.json"
    stored = json.loads(entry.read_text())
    assert (stored["sha256"], stored["ecosystem"], stored["rules_version"]) == (
        sha,
        "pypi",
        RULES_VERSION,
    )
    assert len(stored["findings"]) == len(first["findings"])
    _code, (second,) = scan("bad-1.0.tar.gz")
    assert (first["cached"], second["cached"]) == (False, True)
    assert second["findings"] == first["findings"] and second["verdict"] == first["verdict"]
    _code, (forced,) = scan("bad-1.0.tar.gz", "--no-cache")
    assert forced["cached"] is False
    # A damaged entry is a miss, not an error.
    entry.write_text("{")
    _code, (third,) = scan("bad-1.0.tar.gz")
    assert third["cached"] is False and third["verdict"] == first["verdict"]


def test_lockfiles_in_finds_the_repository_lockfiles_only(work: Path) -> None:
    for name in (
        "requirements.txt",
        "requirements/dev-requirements.txt",
        "web/package-lock.json",
        "web/node_modules/x/package-lock.json",
        "svc/poetry.lock",
        "svc/pylock.toml",
        ".venv/requirements.txt",
        "env/pyvenv.cfg",
        "env/uv.lock",
        ".git/uv.lock",
        "notes.txt",
        "docs/package.json",
    ):
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text("")
    found = [p.as_posix() for p in cli.lockfiles_find(Path("."))]
    assert found == [
        "requirements.txt",
        "requirements/dev-requirements.txt",
        "svc/poetry.lock",
        "svc/pylock.toml",
        "web/package-lock.json",
    ]


PYLOCK = """\
lock-version = "1.0"
created-by = "pip"
requires-python = ">=3.11"

[[packages]]
name = "Attrs"
version = "25.1.0"
index = "https://registry.example.invalid/simple"
wheels = [{ name = "attrs-25.1.0-py3-none-any.whl", hashes = { sha256 = "00" } }]

[[packages]]
name = "our-app"
directory = { path = "." }

[[packages]]
name = "forked"
version = "1.0"
vcs = { type = "git", url = "https://example.invalid/forked.git", commit-id = "abc" }

[[packages]]
name = "tarball"
archive = { url = "https://example.invalid/tarball-1.0.tar.gz", hashes = { sha256 = "00" } }

[[packages]]
name = "unversioned"
"""


def test_pylock_toml_gives_the_pinned_registry_versions() -> None:
    parsed = lockfile_parse(filename="pylock.toml", data=PYLOCK.encode())
    assert parsed.format == "pylock.toml"
    assert [p.purl for p in parsed.packages] == ["pkg:pypi/attrs@25.1.0"]
    assert [s.reason.split(":")[0] for s in parsed.skipped] == [
        "local package",
        "VCS requirement",
        "URL requirement",
        "unsupported entry",
    ]
    named = lockfile_parse(filename="pylock.dev.toml", data=PYLOCK.encode())
    sniffed = lockfile_parse(filename="lock", data=PYLOCK.encode())
    assert named.packages == sniffed.packages == parsed.packages


def test_a_lockfile_that_cannot_be_read_is_a_failed_target(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "package-lock.json").write_text("{not json")
    (work / "requirements.txt").write_text("requests>=2\n# nothing pinned\n")
    code, lines = scan("package-lock.json", "requirements.txt")
    assert code == 1 and len(lines) == 1  # the failed target has its line on stdout too
    assert lines[0]["target"] == "package-lock.json" and lines[0]["verdict"] is None
    assert lines[0]["status"] == "unanalysed"
    assert str(lines[0]["error"]).startswith("The package-lock.json is not valid JSON")
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0] == "packamal: requirements.txt: skipped 'requests>=2': unpinned: no single"
        " version (pin it with ==)"
    )
    assert err[1].startswith("packamal: package-lock.json: The package-lock.json is not valid JSON")
    assert err[2].split() == ["VERDICT", "SCORE", "FINDINGS", "SUPPRESSED", "CACHED", "PACKAGE"]
    assert err[3].startswith("unanalysed  ") and "package-lock.json: The package-lock" in err[3]
    assert err[4] == "1 package(s): 1 could not be analysed"


def _finding(i: int, severity: str, snippet: str = "x") -> Finding:
    return Finding(
        rule=f"R-{i % 5}",
        title="t",
        category="process",
        severity=severity,  # type: ignore[arg-type]
        file=f"p-1.0/f{i}.py",
        line=i + 1,
        snippet=snippet,
        reachability="install",
        explanation="e",
        artifact="a" * 64,
    )


def _report(findings: list[Finding], suppressed: list[Suppressed] | None = None) -> Report:
    return Report(
        verdict="malicious",
        score=9.0,
        package=PackageRef("pypi", "p", "1.0", "pkg:pypi/p@1.0"),
        artifacts=[Artifact("p-1.0.tar.gz", "a" * 64, 10)],
        findings=findings,
        rules_version="r",
        suppressed=suppressed or [],
    )


def test_sarif_keeps_the_most_severe_results_within_the_limit_and_says_so() -> None:
    findings = [_finding(i, ("low", "critical", "medium")[i % 3]) for i in range(30)]
    accepted = [Suppressed(_finding(99, "critical"), "reviewed", "packamal.toml #1")]
    log = sarif.to_sarif_ci([_report(findings, accepted)], max_results=12)
    VALIDATOR.validate(log)
    (run,) = log["runs"]
    severities = [r["properties"]["severity"] for r in run["results"]]
    assert severities == ["critical"] * 10 + ["medium"] * 2
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("19 of 31 results left out")
    whole = sarif.to_sarif_ci([_report(findings, accepted)])
    assert len(whole["runs"][0]["results"]) == 31 and "invocations" not in whole["runs"][0]
    (kept,) = [r for r in whole["runs"][0]["results"] if "suppressions" in r]
    assert kept["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "reviewed"}
    ]


def test_sarif_stays_under_the_gzip_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "GITHUB_MAX_GZIP_BYTES", 20_000)
    rng = random.Random(7)
    noise = ["".join(rng.choices(string.ascii_letters, k=300)) for _ in range(200)]
    log = sarif.to_sarif_ci([_report([_finding(i, "high", noise[i]) for i in range(200)])])
    assert sarif._gzip_size(log) <= 20_000
    assert 0 < len(log["runs"][0]["results"]) < 200
    VALIDATOR.validate(log)


def test_version_prints_the_rules_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"packamal checkout (rules {RULES_VERSION})\n"


def test_an_output_file_that_cannot_be_written_is_bad_usage(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archives.sdist(work / "demo_pkg-1.2.3.tar.gz")
    code, reports = scan("demo_pkg-1.2.3.tar.gz", "-o", str(work / "missing" / "out.json"))
    assert (code, reports) == (2, [])
    assert capsys.readouterr().err == (
        f"packamal: --output {work / 'missing' / 'out.json'}: No such file or directory\n"
    )


FLAGS = ("--no-progress", "--no-cache", "--format", "json")


def test_odd_source_in_a_package_leaves_the_scan_s_stderr_empty(work: Path) -> None:
    """`1if x` and `"\\d"` make `ast.parse` warn; those are the package's, not the scan's."""
    pkg = _bad_tree(work / "src")
    (pkg / "odd.py").write_text('import os\nx = 1if True else 2\ny = "\\d"\nos.system("ls")\n')
    proc = subprocess.run(
        [
            sys.executable,
            "-W",
            "default",
            "-m",
            "package_analysis.analysis.cli",
            "scan",
            *FLAGS,
            str(pkg),
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "malicious"
    assert proc.stderr == ""
