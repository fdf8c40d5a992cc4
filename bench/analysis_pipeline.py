"""Packages per minute through the real pipeline, with 1 and 2 workers.

A private PostgreSQL and Redis, the api and N workers started through docker/entrypoint.sh
(the `Cluster` of bench/cluster.py). The malicious sample archives are uploaded with
`POST /analyze/upload` while no worker runs; then the workers start and drain the queue.
packages/min = uploads / (last completed_at - first started_at), read from the job rows.
Each upload is a different archive, so no report comes from the cache.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.cluster import Cluster, reset_state, wait_finished
from bench.common import base_env, migrate, pg_connect
from harness import Services


def _samples(samples: Path, n: int) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    for eco in ("npm", "pypi"):
        manifest = samples / f"{eco}-malicious" / "manifest.json"
        for m in json.loads(manifest.read_text(encoding="utf-8")):
            out.append((samples / f"{eco}-malicious" / m["file"], eco))
    return out[:n]


def _upload(cluster: Cluster, files: list[tuple[Path, str]]) -> list[str]:
    ids = []
    for path, eco in files:
        with path.open("rb") as fh:
            r = cluster.http.post(
                "/analyze/upload",
                files={"file": (path.name, fh, "application/octet-stream")},
                data={"ecosystem": eco},
            )
        r.raise_for_status()
        ids.append(r.json()["id"])
    return ids


def _rate(svc: Services, ids: list[str]) -> dict[str, Any]:
    with pg_connect(svc.pg.url) as db:
        rows = db.execute(
            "SELECT status, started_at, completed_at, result FROM package_analysis_job "
            "WHERE id = ANY(%s::uuid[])",
            (ids,),
        ).fetchall()
    started = min(r[1] for r in rows if r[1])
    ended = max(r[2] for r in rows if r[2])
    seconds = (ended - started).total_seconds()
    verdicts: dict[str, int] = {}
    for status, _, _, result in rows:
        key = (result or {}).get("verdict", status) if status == "completed" else status
        verdicts[key] = verdicts.get(key, 0) + 1
    return {
        "packages": len(rows),
        "seconds": seconds,
        "per_minute": 60 * len(rows) / seconds if seconds else 0.0,
        "outcomes": verdicts,
    }


def run(samples: Path, *, n: int = 40, workers: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    """packages/min for each worker count, on the same `n` uploads."""
    svc = Services()
    migrate(base_env(svc.env()))
    files = _samples(samples, n)
    out: dict[str, Any] = {}
    for count in workers:
        reset_state(svc)
        cluster = Cluster(svc, f"analysis{count}", DISPATCH_RATE_LIMIT="100000/second")
        try:
            cluster.start_api()
            ids = _upload(cluster, files)
            for _ in range(count):
                cluster.start_worker()
            wait_finished(svc, ids, timeout=60 * 30)
            out[str(count)] = _rate(svc, ids)
        finally:
            cluster.stop()
    svc.close()
    return out
