"""What concurrent maximum-size uploads cost the api in memory: the measurement behind the
upload path (review H1: at cce126b one 50 MiB upload raised the api's RSS by about 430 MiB).

    python -m bench.uploads [--concurrency 1 2 8] [--size-mib 50] [--storage volume s3]
                            [--json PATH]

Private PostgreSQL and Redis, one api role through docker/entrypoint.sh per concurrency level
(a fresh process, so levels do not inherit each other's heap), N uploads of one
ANALYSIS_UPLOAD_MAX_BYTES archive at once straight to the api's port (nginx would only
queue them), its RSS sampled every 50 ms. The archive is random bytes behind a gzip magic
number: it passes the upload route's archive check. Prints a Markdown table; --json writes
the figures. UPLOAD_CONCURRENCY is set to N so every upload is received (the cap's 503 is
the tests' business), and the hourly quota is lifted. Each storage (ANALYSIS_UPLOAD_STORAGE)
runs every level in the same run, side by side: `volume` renames the spooled file into the
store's folder, `s3` sends it to a bucket of an S3 API server process (harness/s3.py) in
multipart parts read from the spool."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.cluster import Cluster
from bench.common import base_env, log, md_table, migrate
from harness import Services
from harness.s3 import S3Server

MiB = 1024 * 1024


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def archive(path: Path, size: int) -> None:
    with path.open("wb") as out:
        out.write(b"\x1f\x8b")
        left = size - 2
        while left:
            chunk = os.urandom(min(left, MiB))
            out.write(chunk)
            left -= len(chunk)


def one_level(
    svc: Services, n: int, body: Path, size_limit: int, s3: S3Server | None
) -> dict[str, Any]:
    store = Path(tempfile.mkdtemp(prefix="packamal-bench-uploads-"))
    storage: dict[str, Any] = {}
    if s3 is not None:
        bucket = f"bench-uploads-{n}-{os.getpid()}"
        s3.client().create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
        storage = s3.env(bucket)
    c = Cluster(
        svc,
        f"uploads{n}",
        **storage,
        ANALYSIS_UPLOAD_MAX_BYTES=size_limit,
        ANALYSIS_UPLOAD_DIR=str(store),
        ANALYSIS_UPLOAD_QUOTA_BYTES=100 * size_limit,
        ANALYSIS_UPLOAD_STORE_MAX_BYTES=100 * size_limit,
        UPLOAD_CONCURRENCY=n,
        DISPATCH_RATE_LIMIT="0",
        BODY_READ_TIMEOUT=120,
    )
    c.start_api()
    assert c.api is not None
    pid = c.api.pid
    time.sleep(1)
    before = peak = rss_mib(pid)
    statuses: list[int] = []
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mib(pid))
            time.sleep(0.05)

    def upload(i: int) -> None:
        with body.open("rb") as fh:
            r = httpx.post(
                f"{c.base_url}/analyze/upload",
                files={"file": (f"big{i}.tar.gz", fh)},
                data={"ecosystem": "pypi"},
                timeout=600,
            )
        statuses.append(r.status_code)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    threads = [threading.Thread(target=upload, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    time.sleep(2)
    after = rss_mib(pid)
    c.stop()
    return {
        "storage": "s3" if s3 is not None else "volume",
        "concurrent": n,
        "statuses": sorted(statuses),
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(peak, 1),
        "rss_after_mib": round(after, 1),
        "seconds": round(seconds, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 8])
    ap.add_argument("--size-mib", type=int, default=50)
    ap.add_argument("--storage", nargs="+", choices=["volume", "s3"], default=["volume", "s3"])
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    size_limit = a.size_mib * MiB
    svc = Services(fsync=False)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="packamal-bench-body-") as tmp:
        body = Path(tmp) / "big.tar.gz"
        archive(body, size_limit - 4096)
        try:
            migrate(base_env(svc.env()))
            s3 = S3Server() if "s3" in a.storage else None
            try:
                for n in a.concurrency:
                    for storage in a.storage:
                        server = s3 if storage == "s3" else None
                        rows.append(one_level(svc, n, body, size_limit, server))
                        log(f"uploads: {rows[-1]}")
            finally:
                if s3 is not None:
                    s3.close()
        finally:
            svc.close()
    print(
        md_table(
            [
                "storage",
                "uploads at once",
                "answers",
                "api RSS before",
                "peak",
                "after",
                "wall time",
            ],
            [
                [
                    r["storage"],
                    r["concurrent"],
                    " ".join(map(str, r["statuses"])),
                    f"{r['rss_before_mib']:.0f} MiB",
                    f"{r['rss_peak_mib']:.0f} MiB (+{r['rss_peak_mib'] - r['rss_before_mib']:.0f})",
                    f"{r['rss_after_mib']:.0f} MiB",
                    f"{r['seconds']:.1f} s",
                ]
                for r in rows
            ],
        )
    )
    if a.json:
        a.json.write_text(json.dumps({"size_mib": a.size_mib, "levels": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
