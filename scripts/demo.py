#!/usr/bin/env python
"""`make demo`: dispatch a batch against a running `make dev` and watch it to the end.

scripts/demo.py [--jobs 20] [--seconds 2] [--mode sleep] [--api http://localhost:8000]
"""

from __future__ import annotations

import argparse
import sys
import time

import httpx

BAR = 30


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--jobs", type=int, default=20)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--mode", choices=["cpu", "sleep"], default="sleep")
    p.add_argument("--api", default="http://localhost:8000")
    args = p.parse_args()

    client = httpx.Client(base_url=args.api, timeout=10)
    try:
        client.get("/healthz").raise_for_status()
    except httpx.HTTPError:
        sys.exit(f"demo: no api answers at {args.api}; start it with `make dev` first")

    started = time.monotonic()
    ids = []
    for _ in range(args.jobs):
        r = client.post("/dispatch", json={"params": {"seconds": args.seconds, "mode": args.mode}})
        if r.status_code != 202:
            sys.exit(f"demo: dispatch answered {r.status_code}: {r.text}")
        ids.append(r.json()["id"])
    print(f"demo: dispatched {len(ids)} jobs of {args.seconds:g}s ({args.mode})")

    statuses: dict[str, str] = {}
    while True:
        for job_id in ids:
            if statuses.get(job_id) not in ("completed", "failed"):
                statuses[job_id] = client.get(f"/jobs/{job_id}").json()["status"]
        done = sum(s in ("completed", "failed") for s in statuses.values())
        running = sum(s == "running" for s in statuses.values())
        failed = sum(s == "failed" for s in statuses.values())
        filled = BAR * done // len(ids)
        sys.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{len(ids)} done, "
            f"{running} running, {failed} failed  "
        )
        sys.stdout.flush()
        if done == len(ids):
            break
        time.sleep(0.5)
    wall = time.monotonic() - started
    print(f"\ndemo: {len(ids)} jobs in {wall:.1f}s wall time, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
