"""Peak memory of a whole process tree, sampled: what `make bench-big` reports for both sides.

`ru_maxrss` (of a process, or `RUSAGE_CHILDREN`, or `wait4`'s) is the largest RSS of any ONE
process: it misses the scanning processes of a parallel scan (they are the forkserver's
children, never waited for by the scanning process) and it never adds up processes that run
at the same time (GuardDog's semgrep beside its Python). So both sides are measured the same
way here: a thread samples the process and all its descendants every `INTERVAL` seconds and
keeps the largest sums seen of

- RSS: resident pages of each process, added up. Pages shared between processes (a forked
  worker's copy-on-write pages, shared libraries) count once per process: an upper bound;
- PSS (`/proc/PID/smaps_rollup`): each page divided by the number of processes mapping it,
  added up: what the tree really holds in RAM (shared libraries are also shared with the
  rest of the machine, so a small part of them is counted elsewhere).

A process that lives less than one interval can be missed (both sides alike).

The sampler must not slow what it measures (on two CPUs a busy sampler is a third process
competing, and reading `smaps_rollup` walks the page tables of the process under its memory
lock: ~10 ms for 200 MiB). So RSS (`/proc/PID/statm`, cheap) is read every interval, the
list of descendants refreshed every `TREE_EVERY` samples (a process younger than that can be
missed), and PSS read only when the summed RSS reaches a new high, at most once per
`PSS_EVERY` seconds: the PSS peak can be a little under the true one, never over it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psutil

INTERVAL = 0.02
TREE_EVERY = 12
PSS_EVERY = 0.25


class TreePeak:
    """Samples `pid` and its descendants until `stop()`; the peaks in MiB."""

    def __init__(self, pid: int, interval: float = INTERVAL) -> None:
        self.pid, self.interval = pid, interval
        self.rss = self.pss = 0
        self.samples = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        procs: list[psutil.Process] = []
        n, last_pss, high = 0, 0.0, 0
        while not self._done.is_set():
            if n % TREE_EVERY == 0:
                procs = self._tree(root) or procs
            n += 1
            rss = self._sum(procs, lambda p: p.memory_info().rss)
            self.rss = max(self.rss, rss)
            self.samples += 1
            now = time.monotonic()
            if rss > high and now - last_pss >= PSS_EVERY:
                high, last_pss = rss, now
                self.pss = max(self.pss, self._sum(procs, _pss))
            self._done.wait(self.interval)

    @staticmethod
    def _tree(root: psutil.Process) -> list[psutil.Process]:
        try:
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    @staticmethod
    def _sum(procs: list[psutil.Process], read: Any) -> int:
        total = 0
        for p in procs:
            try:
                total += read(p)
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
        return total

    def stop(self) -> dict[str, Any]:
        self._done.set()
        self._thread.join()
        return {
            "tree_rss_mib": self.rss / 2**20,
            "tree_pss_mib": self.pss / 2**20,
            "samples": self.samples,
        }


def _pss(p: psutil.Process) -> int:
    full = p.memory_full_info()  # smaps_rollup
    return int(getattr(full, "pss", full.rss))
