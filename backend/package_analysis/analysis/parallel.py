"""The per-file pass over a planned run (`engine._Run`): serially, or across a few processes
when the tree is big enough to pay for them (ANALYSIS_SCAN_PROCESSES, docs/performance.md).

Parallel: after `plan()` (layout, prefilter, load-time graph: read-only from then on), each
scanning process rebuilds the planned run and scans the batches of files it is handed, each
file into a sink of its own (`scanproc.capture`). The parent merges the results in file
order through the run's sink with the sink's own rules (deduplicated per rule, file and line,
capped per rule and file and per run), so the findings, the skipped list and their order are
those of the serial pass. Calling `check()` (which may raise to cancel) and `on_file(i, n)`
stay in the parent; a cancelled scan kills its processes. A process that dies (killed, out of
memory) loses no file: the batch it held is scanned again in the parent, as serially.

Start method: forkserver. The worker runs its keeper and recovery threads beside the
analysis, and forking a process with threads may copy a lock another thread holds; the
forkserver is a fresh, single-threaded interpreter (started once per process, then reused)
that imports the engine and compiles the content rules once, and forks each scanning
process from itself. The plan is shipped to each process (pickled: file names and sets).
As with any start method but fork, each scanning process imports the program's main module
as `__mp_main__`: a script that scans keeps its work under `if __name__ == "__main__":`
(manage.py, the CLI's `__main__` and the bench do).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .rules.base import Sink

log = logging.getLogger("packamal.analysis")

ENV = "ANALYSIS_SCAN_PROCESSES"
DEFAULT_CAP = 4
# Parallel only past this much source to parse (bytes of the Python modules the prefilter
# chose, of an npm package's JavaScript): below it, starting the processes costs more than
# they save (docs/performance.md).
MIN_PARSE_BYTES = 2 << 20
_NOT_SHIPPED = {"scanner", "sink", "skipped", "_reach_memo"}
_CGROUP = Path("/sys/fs/cgroup")
_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def usable_cpus() -> int:
    """The CPUs this process may really use: its affinity, bounded by the CPU quota of its
    cgroup and every parent (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us`; rounded down),
    at least 1."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, own = [*line.split(":", 2), "", ""][:3]
        if controllers and "cpu" not in controllers.split(","):
            continue
        mount = _CGROUP / "cpu" if controllers else _CGROUP
        folder = mount / own.strip().lstrip("/")
        while True:
            quota = _quota(folder, v2=not controllers)
            if quota is not None:
                cpus = min(cpus, quota)
            if folder == mount or folder.parent == folder:
                break
            folder = folder.parent
    return max(cpus, 1)


def _quota(folder: Path, *, v2: bool) -> int | None:
    """Whole CPUs of the cgroup at `folder`'s quota; None: no quota (or no such cgroup)."""
    try:
        if v2:
            quota, period = (folder / "cpu.max").read_text().split()[:2]
        else:
            quota = (folder / "cpu.cfs_quota_us").read_text().strip()
            period = (folder / "cpu.cfs_period_us").read_text().strip()
        if quota == "max" or int(quota) < 0:
            return None
        return int(quota) // max(int(period), 1)
    except (OSError, ValueError):
        return None


def processes() -> int:
    """ANALYSIS_SCAN_PROCESSES, else the usable CPUs capped at 4; 1 is the serial pass."""
    raw = os.environ.get(ENV, "").strip()
    if raw:
        try:
            return max(int(raw), 1)
        except ValueError:
            log.warning("analysis: %s=%r is not a number; using the default", ENV, raw)
    return min(usable_cpus(), DEFAULT_CAP)


def scan_files(
    run: Any,
    check: Callable[[], None] | None = None,
    on_file: Callable[[int, int], None] | None = None,
    *,
    procs: int | None = None,
    min_parse_bytes: int | None = None,
) -> None:
    """Scan every file of the planned `run` into its sink and skipped list."""
    procs = processes() if procs is None else procs
    least = MIN_PARSE_BYTES if min_parse_bytes is None else min_parse_bytes
    sizes = _heavy(run) if procs > 1 else {}
    if procs <= 1 or sum(sizes.values()) < least or len(run.files) < 2:
        _serial(run, check, on_file)
        return
    taken = _take(procs)  # scans running at once in this process share the processes
    try:
        if taken < 2:
            _serial(run, check, on_file)
        else:
            _parallel(run, taken, sizes, check, on_file)
    finally:
        _give(taken)


def _forkserver_running(root: Path) -> None:
    """Start the forkserver (once per process) able to import the engine from `root`.

    Python 3.11's forkserver imports its preload before it applies this process's
    `sys.path`, and ignores an ImportError: a program that found the engine through a path
    it added itself (the worker's `manage.py` run from another folder, a bench) got a bare
    forkserver, and each scanning process imported the engine and compiled the rules again
    (time and memory). So `root` is on the PYTHONPATH the forkserver starts with."""
    from multiprocessing import forkserver

    old = os.environ.get("PYTHONPATH")
    parts = [p for p in (old or "").split(os.pathsep) if p]
    if str(root) not in parts:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(root), *parts])
    try:
        forkserver.ensure_running()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def _take(want: int) -> int:
    """Up to `want` of this process's scanning-process slots (never waits)."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(processes(), want))
    taken = 0
    while taken < want and _slots.acquire(blocking=False):
        taken += 1
    return taken


def _give(taken: int) -> None:
    assert _slots is not None
    for _ in range(taken):
        _slots.release()


def _serial(
    run: Any, check: Callable[[], None] | None, on_file: Callable[[int, int], None] | None
) -> None:
    total = len(run.files)
    for i, rel in enumerate(run.files, 1):
        if check is not None:
            check()
        _one(run, rel)
        if on_file is not None:
            on_file(i, total)


def _one(run: Any, rel: str) -> None:
    try:
        run.scan_file(rel)
    except Exception as exc:  # one hostile file never stops the scan
        log.warning("analysis: skipped %s after an error", rel, exc_info=True)
        run.skip(rel, f"error while scanning: {type(exc).__name__}")


def _heavy(run: Any) -> dict[str, int]:
    """The size of each file that costs a parse: the Python modules the prefilter chose, an
    npm package's JavaScript."""
    heavy = set(run.parse)
    if run.eco == "npm":
        heavy.update(f for f in run.files if f.endswith((".js", ".cjs", ".mjs")))
    return {rel: _size(run.root / rel) for rel in heavy}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _batches(run: Any, procs: int, sizes: dict[str, int]) -> deque[list[tuple[int, str]]]:
    """Consecutive files in batches of about equal work (a file to parse weighs four times
    its size, any file 2 KB more), small enough to keep every process busy to the end."""
    weight = [4 * sizes.get(rel, 0) + 2048 for rel in run.files]
    target = max(sum(weight) // (procs * 16), 1)
    out: deque[list[tuple[int, str]]] = deque()
    batch: list[tuple[int, str]] = []
    held = 0
    for i, rel in enumerate(run.files):
        batch.append((i, rel))
        held += weight[i]
        if held >= target or len(batch) >= 256:
            out.append(batch)
            batch, held = [], 0
    if batch:
        out.append(batch)
    return out


def _merge(run: Any, rel: str, got: Any) -> None:
    """Add one file's captured results to the run, as its serial scan would have."""
    if got.overflow:
        _one(run, rel)
        return
    sink: Sink = run.sink
    for f in got.findings:  # Sink.add's gate, on the finding it built
        sink.take(f)
    for item in got.skipped:
        run.skip(item["file"], item["reason"])
    if got.error:
        log.warning("analysis: skipped %s after an error\n%s", rel, got.error)
        run.skip(rel, f"error while scanning: {got.error_name}")


def _parallel(
    run: Any,
    procs: int,
    sizes: dict[str, int],
    check: Callable[[], None] | None,
    on_file: Callable[[int, int], None] | None,
) -> None:
    """`procs` scanning at once: this process and `procs - 1` started from the forkserver,
    each taking the next batch when it is free (two in flight per started process)."""
    pool = _Pool(run, _batches(run, procs, sizes), check)
    total, done = len(run.files), 0
    try:
        pool.start(procs - 1)
        while done < total:
            if check is not None:
                check()
            if pool.batches:
                pool.here(pool.batches.popleft())
            else:
                pool.serve(0.1)
            if not pool.held and not pool.batches and done not in pool.results:
                raise RuntimeError(f"file {done} of {total} was never scanned")  # pragma: no cover
            while done in pool.results:
                _merge(run, run.files[done], pool.results.pop(done))
                done += 1
                if on_file is not None:
                    on_file(done, total)
    finally:
        pool.stop(cancelled=done < total)


Batch = list[tuple[int, str]]


class _Pool:
    """The scanning processes of one scan, and the batches left; what they and this process
    scanned waits in `results` (by file index) for its turn to be merged."""

    def __init__(self, run: Any, batches: deque[Batch], check: Callable[[], None] | None) -> None:
        from . import scanproc

        self.scanproc = scanproc
        self.run, self.batches, self.check = run, batches, check
        self.started: list[Any] = []
        self.held: dict[Connection, tuple[Any, deque[Batch]]] = {}  # its process, its batches
        self.results: dict[int, Any] = {}

    def start(self, count: int) -> None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([self.scanproc.__name__])
        _forkserver_running(Path(self.scanproc.__file__).resolve().parents[2])
        run = self.run
        state = {k: v for k, v in vars(run).items() if k not in _NOT_SHIPPED}
        for _ in range(min(count, len(self.batches) - 1)):
            mine, theirs = ctx.Pipe()
            # the collector as this process has it while scanning (`stages.relaxed_gc`)
            args = (theirs, type(run), state, run.sink.artifact, gc.get_threshold())
            proc = ctx.Process(target=self.scanproc.child, args=args, daemon=True)
            proc.start()
            theirs.close()
            self.started.append(proc)
            self.held[mine] = (proc, deque())
            self.hand(mine)

    def here(self, batch: Batch) -> None:
        """Scan `batch` in this process, file by file, serving the others between files."""
        for i, rel in batch:
            if self.check is not None:
                self.check()
            self.results[i] = self.scanproc.capture(self.run, rel)
            self.serve(0)

    def hand(self, conn: Connection) -> None:
        """Keep two batches in flight to the process at `conn`; none left: it ends."""
        flight = self.held[conn][1]
        while self.batches and len(flight) < 2:
            flight.append(self.batches.popleft())
            try:
                conn.send(flight[-1])
            except OSError:
                self.lost(conn)
                return
        if not flight:
            self.held.pop(conn)
            with contextlib.suppress(OSError):
                conn.send(None)
            conn.close()

    def lost(self, conn: Connection) -> None:
        """The process at `conn` died: its batches are scanned here."""
        proc, flight = self.held.pop(conn)
        conn.close()
        proc.join(1)
        files = [item for batch in flight for item in batch]
        log.warning(
            "analysis: a scanning process ended (exit code %s) with %d files not scanned; "
            "scanning them here",
            proc.exitcode,
            len(files),
        )
        self.here(files)

    def serve(self, timeout: float) -> None:
        """Take what the processes sent (waiting up to `timeout`), hand them more."""
        held = self.held
        if not held:
            return
        wait([*held, *(proc.sentinel for proc, _ in held.values())], timeout=timeout)
        for conn in list(held):
            # a process that died closed its end: poll() is true, recv() raises EOFError
            if conn not in held or not conn.poll():
                continue
            flight = held[conn][1]
            try:
                got = conn.recv()
            except (EOFError, OSError):
                self.lost(conn)
                continue
            flight.popleft()
            self.results.update(got)
            self.hand(conn)

    def stop(self, *, cancelled: bool) -> None:
        """Every process ended (killed when the scan did not finish) and reaped."""
        for conn in self.held:
            conn.close()
        for proc in self.started:
            if proc.is_alive() and (cancelled or self.held):
                proc.kill()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()
            proc.close()
        self.held.clear()
        self.run = None
