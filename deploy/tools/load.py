"""Dispatch a burst of CPU-burning jobs so the worker HPA has something to see.

    python deploy/tools/load.py --url http://$(minikube ip):30080 --jobs 40
    kubectl -n packamal get hpa packamal-worker -w      # watch it scale

Requests go through the web tier (`/api/dispatch`). A 429 is honoured by waiting
Retry-After; the run is bounded by --jobs and --timeout.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.request


def dispatch(url: str, seconds: float, mode: str) -> str:
    """POST one simulate job; returns its id."""
    body = json.dumps({"task": "simulate", "params": {"seconds": seconds, "mode": mode}})
    request = urllib.request.Request(  # noqa: S310 (operator-given URL)
        f"{url.rstrip('/')}/api/dispatch",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (operator-given URL)
        return str(json.load(answer)["id"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the web tier, e.g. http://192.168.49.2:30080")
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--mode", choices=["cpu", "sleep"], default="cpu")
    parser.add_argument("--timeout", type=float, default=120, help="give up after this long")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    sent = 0
    while sent < args.jobs and time.monotonic() < deadline:
        try:
            job_id = dispatch(args.url, args.seconds, args.mode)
        except urllib.error.HTTPError as error:
            if error.code != 429:
                raise
            time.sleep(float(error.headers.get("Retry-After", "1")))
            continue
        sent += 1
        print(f"load: {sent}/{args.jobs} dispatched {job_id}")
    print(f"load: {sent} jobs of {args.seconds:g}s ({args.mode}) dispatched")
    print("load: watch with `kubectl -n packamal get hpa packamal-worker -w`")
    return 0 if sent == args.jobs else 1


if __name__ == "__main__":
    raise SystemExit(main())
