"""Fair queues under a lockfile flood: single-dispatch pickup with and without a backlog.

    python -m bench.fairness [--flood 50000] [--singles 300] [--workers 4]

Private PostgreSQL and Redis, the real api and workers (docker/entrypoint.sh). Pickup is a
single dispatch's `started_at - created_at` (both clocks of this machine), taken for
`--singles` simulate jobs sent at 10/s: first on an idle system, then right after
`--flood` analyze jobs arrived through POST /analyze/lockfile (5,000 per file, one client),
while the workers chew through them. The flood's packages resolve against a local index
stub that answers 404 (no registry is asked), so each of its jobs fails fast, as a typo'd
lockfile's would. Afterwards, "nothing lost": every flood job is finished (at most one
attempt), or still queued with its message in Redis.

Writes artifacts/bench/results/fairness.md and .json (bench/results/ with
BENCH_RESULTS_DIR); chaos scenario 8 runs the same and judges p99 within 2x.
"""

from __future__ import annotations

import argparse
import http.server
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis

import harness
from bench.cluster import Cluster, reset_state
from bench.common import base_env, fmt, log, md_table, migrate, pct, pg_connect, write_results
from harness import Services

PER_FILE = 5000  # the lockfile route's cap (LOCKFILE_MAX_PACKAGES)
RATE = 10.0  # single dispatches per second


class _NotFound(http.server.BaseHTTPRequestHandler):
    """A package index that has nothing (every flood package is a made-up name)."""

    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Figures:
    quiet_ms: list[float] = field(default_factory=list)
    flood_ms: list[float] = field(default_factory=list)
    flood_jobs: int = 0
    flood_seconds: float = 0.0
    flood_done: int = 0
    lost: list[str] = field(default_factory=list)
    twice: int = 0
    singles_unfinished: int = 0

    def p(self, which: str, q: float) -> float:
        values = self.quiet_ms if which == "quiet" else self.flood_ms
        return pct(values, q) if values else float("nan")


def _singles(c: Cluster, n: int) -> list[str]:
    """`n` single dispatches at RATE per second; their ids."""
    ids: list[str] = []
    with httpx.Client(base_url=c.base_url, timeout=15) as http:
        start = time.monotonic()
        for i in range(n):
            time.sleep(max(0.0, start + i / RATE - time.monotonic()))
            r = http.post("/dispatch", json={"task": "simulate", "params": {"seconds": 0}})
            r.raise_for_status()
            ids.append(r.json()["id"])
    return ids


def _pickups(db: Any, ids: list[str], timeout: float) -> tuple[list[float], int]:
    """Pickup times (ms) of these jobs once they have all started; and how many never did."""
    deadline = time.monotonic() + timeout
    while True:
        rows = db.execute(
            "SELECT extract(epoch FROM started_at - created_at) * 1000 FROM package_analysis_job "
            "WHERE id = ANY(%s::uuid[]) AND status = 'completed'",
            (ids,),
        ).fetchall()
        if len(rows) == len(ids) or time.monotonic() > deadline:
            return [float(r[0]) for r in rows], len(ids) - len(rows)
        time.sleep(0.2)


def _flood(c: Cluster, jobs: int) -> int:
    """POST lockfiles of made-up pinned packages until `jobs` analyze jobs exist."""
    made = 0
    with httpx.Client(base_url=c.base_url, timeout=120) as http:
        for f in range(0, jobs, PER_FILE):
            n = min(PER_FILE, jobs - f)
            text = "".join(f"flood{f + i:06d}-pkg==1.0.{i}\n" for i in range(n))
            r = http.post("/analyze/lockfile", files={"file": ("requirements.txt", text.encode())})
            r.raise_for_status()
            made += len(r.json()["items"])
    return made


def _accounting(db: Any, r: redis.Redis, figures: Figures) -> None:
    """Nothing lost: every flood job finished once, or queued with its message in Redis."""
    rows = db.execute(
        "SELECT id::text, status, attempts FROM package_analysis_job WHERE lane <> ''"
    ).fetchall()
    pending = harness.keys().queue + ":pending"
    queued = [row[0] for row in rows if row[1] == "queued"]
    scores = r.zmscore(pending, queued) if queued else []
    missing = [job for job, score in zip(queued, scores, strict=True) if score is None]
    if missing:  # claimed (and acknowledged) between the two reads? Then no longer queued.
        still = db.execute(
            "SELECT id::text FROM package_analysis_job WHERE id = ANY(%s::uuid[]) "
            "AND status = 'queued'",
            (missing,),
        ).fetchall()
        again = [row[0] for row in still]
        scores = r.zmscore(pending, again) if again else []
        missing = [job for job, score in zip(again, scores, strict=True) if score is None]
    figures.lost = missing
    figures.flood_done = sum(1 for row in rows if row[1] in ("completed", "failed"))
    figures.twice = sum(1 for row in rows if row[1] in ("completed", "failed") and row[2] > 1)


def run(svc: Services, *, flood: int, singles: int, workers: int) -> Figures:
    reset_state(svc)
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    index = f"http://127.0.0.1:{stub.server_address[1]}/simple/"
    c = Cluster(
        svc,
        "fair",
        JOB_INTERACTIVE_RESERVE=1,
        DISPATCH_JOB_RATE_LIMIT="0",
        PIP_INDEX_URL=index,
        ANALYSIS_FETCH_ALLOWED_HOSTS="127.0.0.1",
        JOB_LEASE_SECONDS=30,
    )
    figures = Figures()
    try:
        c.start_api()
        for _ in range(workers):
            c.start_worker()
        c.wait_workers()
        r = redis.Redis.from_url(svc.redis.url, decode_responses=True)
        with pg_connect(svc.pg.url) as db:
            _singles(c, 20)  # warm-up: every worker has loaded Django and answered once
            log(f"fairness: {singles} single dispatches on an idle system")
            figures.quiet_ms, missing = _pickups(db, _singles(c, singles), 60)
            log(f"fairness: flooding {flood} jobs through /analyze/lockfile")
            t0 = time.monotonic()
            figures.flood_jobs = _flood(c, flood)
            figures.flood_seconds = time.monotonic() - t0
            log(f"fairness: {singles} single dispatches behind the flood")
            figures.flood_ms, missing2 = _pickups(db, _singles(c, singles), 60)
            figures.singles_unfinished = missing + missing2
            _accounting(db, r, figures)
        r.close()
    finally:
        c.stop()
        stub.shutdown()
    return figures


def report(f: Figures, workers: int) -> tuple[str, dict[str, Any]]:
    rows = [
        [
            which,
            len(values),
            fmt(f.p(which, 50), 1),
            fmt(f.p(which, 95), 1),
            fmt(f.p(which, 99), 1),
            fmt(max(values) if values else None, 1),
        ]
        for which, values in (("quiet", f.quiet_ms), ("flood", f.flood_ms))
    ]
    ratio = f.p("flood", 99) / f.p("quiet", 99) if f.quiet_ms else float("nan")
    text = (
        md_table(["single dispatches", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)
        + f"\n\np99 with the backlog / without: **{ratio:.2f}x**. Flood: {fmt(f.flood_jobs, 0)} "
        f"analyze jobs from 1 client in {f.flood_seconds:.1f} s ({workers} workers, 1 kept for "
        f"single dispatches); {fmt(f.flood_done, 0)} finished by the end, the rest queued; "
        f"lost: {len(f.lost)}; run twice: {f.twice}; singles unfinished: "
        f"{f.singles_unfinished}."
    )
    data = {
        "command": "make bench-fairness",
        "quiet_ms": {"p50": f.p("quiet", 50), "p99": f.p("quiet", 99), "n": len(f.quiet_ms)},
        "flood_ms": {"p50": f.p("flood", 50), "p99": f.p("flood", 99), "n": len(f.flood_ms)},
        "ratio_p99": ratio,
        "flood_jobs": f.flood_jobs,
        "flood_finished": f.flood_done,
        "lost": len(f.lost),
        "twice": f.twice,
        "singles_unfinished": f.singles_unfinished,
        "workers": workers,
    }
    return text, data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--flood", type=int, default=50_000)
    ap.add_argument("--singles", type=int, default=300)
    ap.add_argument("--workers", type=int, default=4)
    a = ap.parse_args()
    svc = Services()  # removed at exit
    migrate(base_env(svc.env()))
    figures = run(svc, flood=a.flood, singles=a.singles, workers=a.workers)
    text, data = report(figures, a.workers)
    print(text)
    write_results(
        "fairness",
        title="Single-dispatch pickup behind a lockfile flood (`python -m bench.fairness`)",
        markdown=text,
        data=data,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
