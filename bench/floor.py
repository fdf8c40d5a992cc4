"""The dispatch floor: the same INSERT + LPUSH as dispatch, in a tight loop, in one process.

No HTTP, no framework: psycopg 3 (autocommit INSERT) and redis-py (LPUSH), the drivers the api
uses. Dispatch through the api is measured against this. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import redis

from bench.common import new_job_row, pct, pg_connect


def run_floor(*, database_url: str, redis_url: str, n: int, queue: str) -> dict[str, float]:
    db = pg_connect(database_url)
    r = redis.Redis.from_url(redis_url)
    lat: list[float] = []
    for _ in range(min(100, n)):  # warm-up: connections, plan cache
        _, msg = new_job_row(db)
        r.lpush(queue, msg)
    t0 = time.perf_counter()
    for _ in range(n):
        s = time.perf_counter()
        _, msg = new_job_row(db)
        r.lpush(queue, msg)
        lat.append(time.perf_counter() - s)
    elapsed = time.perf_counter() - t0
    return {
        "requests": n,
        "seconds": elapsed,
        "rps": n / elapsed,
        "p50_ms": pct(lat, 50) * 1e3,
        "p99_ms": pct(lat, 99) * 1e3,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=5000)
    ap.add_argument("--queue", default="bench:floor")
    a = ap.parse_args()
    out = run_floor(
        database_url=os.environ["DATABASE_URL"],
        redis_url=os.environ["REDIS_URL"],
        n=a.n,
        queue=a.queue,
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
