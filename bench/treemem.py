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
"""

from __future__ import annotations

import threading
from typing import Any

import psutil

INTERVAL = 0.02


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
        while not self._done.is_set():
            self.sample(root)
            self._done.wait(self.interval)

    def sample(self, root: psutil.Process) -> None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        rss = pss = 0
        for p in procs:
            try:
                full = p.memory_full_info()  # rss, and pss from smaps_rollup
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
            except psutil.AccessDenied:
                full = None
            if full is None:
                continue
            rss += full.rss
            pss += getattr(full, "pss", full.rss)
        self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
        self.samples += 1

    def stop(self) -> dict[str, Any]:
        self._done.set()
        self._thread.join()
        return {
            "tree_rss_mib": self.rss / 2**20,
            "tree_pss_mib": self.pss / 2**20,
            "samples": self.samples,
        }
