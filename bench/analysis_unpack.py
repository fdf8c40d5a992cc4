"""Unpack cost on benign artifacts: wall time and the unpacking child's CPU time (medians of
N runs) and peak RSS, per artifact, through the real fetch and the real limited child. On a
shared machine the CPU time is the steadier figure: wall time grows with the load average.

    .venv/bin/python -m bench.analysis_unpack [--runs 5] [--scratch /dev/shm]

Artifacts are fetched once through the configured registries into .dev/analysis-cache
(git-ignored) and verified; the table goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "backend"))

from package_analysis.analysis import ecosystems, fetch  # noqa: E402
from package_analysis.analysis.purl import purl_parse  # noqa: E402
from package_analysis.analysis.unpack import unpack  # noqa: E402

CACHE = REPO / ".dev" / "analysis-cache"
PURLS = [
    "pkg:pypi/idna@3.7",
    "pkg:pypi/requests@2.32.3",
    "pkg:pypi/django@5.1.4",
    "pkg:pypi/numpy@2.1.3",
    "pkg:npm/lodash@4.17.21",
    "pkg:npm/typescript@5.6.3",
]
MiB = 1024 * 1024


def _artifacts() -> list[Path]:
    out = []
    for purl in PURLS:
        resolved = ecosystems.resolve(purl_parse(purl), deadline=time.monotonic() + 300)
        for remote in resolved.files:
            path = CACHE / remote.filename
            if not path.exists():
                tmp = Path(tempfile.mkdtemp(dir=CACHE))
                art = fetch.download(
                    remote, tmp, max_bytes=100 * MiB, deadline=time.monotonic() + 300
                )
                assert art.path is not None
                art.path.rename(path)
                shutil.rmtree(tmp)
            out.append(path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--scratch", default=None, help="parent of the scratch dirs (default TMPDIR)"
    )
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    print("| artifact | size | entries | unpacked | wall p50 (s) | CPU p50 (s) | child peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for path in _artifacts():
        times, cpu, rss = [], [], []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                done = unpack(
                    path, Path(scratch) / "t", max_bytes=512 * MiB, max_files=20000, timeout=300
                )
                times.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                rss.append(done.peak_rss_bytes)
        print(
            f"| {path.name} | {path.stat().st_size / MiB:.1f} MiB | {done.files} |"
            f" {done.bytes / MiB:.1f} MiB | {statistics.median(times):.2f} |"
            f" {statistics.median(cpu):.2f} |"
            f" {max(rss) / MiB:.0f} MiB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
