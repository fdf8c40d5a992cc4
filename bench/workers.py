"""Worker throughput and pickup latency: Pack-A-Mal beside Celery, RQ and Dramatiq.

All four run the same no-op job against the same private Redis (broker) and PostgreSQL:
the job row is INSERTed by this process, the job is enqueued with each system's own client,
and the worker records the row `completed` and PUBLISHes the event (see bench/compare/task.py).
Each system runs one worker in its default configuration, limited to one execution process:

* Pack-A-Mal: `docker/entrypoint.sh worker` (one process, one job at a time);
* Celery: `celery worker` with its default prefork pool, `--concurrency 1`;
* RQ: `rq worker` (forks a work horse per job, RQ's default; the task module preloaded);
* Dramatiq: `dramatiq --processes 1` (its default 8 threads).

Throughput: N jobs are queued while no worker runs, then one worker starts and drains them;
jobs/s = N / (last completed_at - first started_at), read from the rows.
Pickup: with the worker idle, one job at a time; dispatch → claimed = started_at - created_at.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

import harness
from bench.common import (
    VENV_BIN,
    base_env,
    log,
    median,
    new_job_row,
    pct,
    pg_connect,
    proc,
    role,
    wait_until,
)

SYSTEMS = ("packamal", "celery", "rq", "dramatiq")


class Completions:
    """Listens on job_updates and signals each completed job id."""

    def __init__(self, redis_url: str) -> None:
        self.done: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        self.log = harness.EventLog(redis_url, on_event=self._on)

    def expect(self, job_id: str) -> threading.Event:
        with self.lock:
            return self.done.setdefault(job_id, threading.Event())

    def _on(self, event: dict[str, Any]) -> None:
        if event.get("event") == "completed":
            self.expect(event["id"]).set()

    def close(self) -> None:
        self.log.stop()


class System:
    """How to start one system's worker and how to enqueue a job id with its client."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.env = env
        self.r = redis.Redis.from_url(env["REDIS_URL"])
        self.enqueue: Callable[[str, str], None] = getattr(self, f"_enqueue_{name}")()

    def start(self, tag: str) -> harness.Process:
        wname = f"bench-{self.name}-{tag}"
        bin_ = str(VENV_BIN)
        if self.name == "packamal":
            return role(wname, "worker", self.env, "--name", wname)
        argv = {
            "celery": [
                f"{bin_}/celery",
                "-A",
                "bench.compare.celery_app",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
                "--hostname",
                f"{wname}@%h",
            ],
            # -c imports the task module in the parent, so each forked horse starts warm
            "rq": [
                f"{bin_}/rq",
                "worker",
                "--url",
                self.env["REDIS_URL"],
                "--name",
                wname,
                "-c",
                "bench.compare.rq_tasks",
                "bench",
            ],
            "dramatiq": [
                f"{bin_}/dramatiq",
                "bench.compare.dramatiq_actors",
                "--processes",
                "1",
                "--queues",
                "bench",
            ],
        }[self.name]
        return proc(wname, argv, self.env)

    def _enqueue_packamal(self) -> Callable[[str, str], None]:
        queue = self.env["JOB_QUEUE"]
        return lambda job_id, message: self.r.lpush(queue, message) and None

    def _enqueue_celery(self) -> Callable[[str, str], None]:
        from bench.compare.celery_app import noop

        return lambda job_id, message: noop.apply_async(args=[job_id]) and None

    def _enqueue_rq(self) -> Callable[[str, str], None]:
        from rq import Queue

        q = Queue("bench", connection=self.r)
        return lambda job_id, message: q.enqueue("bench.compare.rq_tasks.noop", job_id) and None

    def _enqueue_dramatiq(self) -> Callable[[str, str], None]:
        from bench.compare.dramatiq_actors import noop

        return lambda job_id, message: noop.send(job_id) and None


def _reset(db: Any, r: redis.Redis) -> None:
    db.execute("TRUNCATE package_analysis_job CASCADE")  # reports reference jobs
    r.flushdb()


def throughput(sys_: System, db: Any, *, n: int, tag: str) -> dict[str, float]:
    """Queue n no-op jobs, then let one worker drain them; jobs/s from the rows' timestamps."""
    _reset(db, sys_.r)
    for _ in range(n):
        job_id, message = new_job_row(db, seconds=0)
        sys_.enqueue(job_id, message)
    worker = sys_.start(f"tp{tag}")
    try:
        wait_until(
            lambda: (
                db.execute(
                    "SELECT count(*) FROM package_analysis_job WHERE status = 'completed'"
                ).fetchone()[0]
                >= n
            ),
            timeout=60 + n / 20,
            interval=0.2,
            what=f"{sys_.name} to drain {n} jobs",
        )
    finally:
        worker.stop(15)
    first, last = db.execute(
        "SELECT min(started_at), max(completed_at) FROM package_analysis_job"
    ).fetchone()
    span = (last - first).total_seconds()
    return {"jobs": n, "seconds": span, "jobs_per_s": n / span}


def pickup(sys_: System, db: Any, *, n: int, tag: str) -> dict[str, Any]:
    """One job at a time to an idle worker: dispatch → claimed (started_at - created_at)."""
    _reset(db, sys_.r)
    done = Completions(sys_.env["REDIS_URL"])
    worker = sys_.start(f"pk{tag}")
    try:
        warm = 0
        deadline = time.monotonic() + 60
        while warm < 5:  # the worker is up and warm once a few jobs round-trip
            job_id, message = new_job_row(db, seconds=0)
            ev = done.expect(job_id)
            sys_.enqueue(job_id, message)
            if ev.wait(5):
                warm += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"{sys_.name} worker never completed a job")
        db.execute("TRUNCATE package_analysis_job CASCADE")  # reports reference jobs
        for _ in range(n):
            time.sleep(random.uniform(0.01, 0.03))  # idle: the worker is back in its blocking pop
            job_id, message = new_job_row(db, seconds=0)
            ev = done.expect(job_id)
            sys_.enqueue(job_id, message)
            if not ev.wait(10):
                raise TimeoutError(f"{sys_.name}: job {job_id} not completed in 10 s")
    finally:
        worker.stop(15)
        done.close()
    rows = db.execute(
        "SELECT extract(epoch FROM started_at - created_at) FROM package_analysis_job "
        "WHERE status = 'completed'"
    ).fetchall()
    lat = [float(r[0]) * 1e3 for r in rows]
    return {"samples": len(lat), "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "max_ms": max(lat)}


def run(
    services_env: dict[str, str],
    *,
    n: int,
    n_rq: int,
    pickups: int,
    rounds: int,
    systems: tuple[str, ...] = SYSTEMS,
) -> dict[str, Any]:
    """All systems, interleaved round by round so drift hits them alike; medians over rounds."""
    env = base_env(services_env, JOB_REQUEUE_GRACE=600, JOB_RECOVERY_INTERVAL=5)
    os.environ.update(services_env)  # the comparison clients read REDIS_URL at import
    db = pg_connect(env["DATABASE_URL"])
    per: dict[str, dict[str, list[Any]]] = {s: {"tp": [], "pk": []} for s in systems}
    for rnd in range(rounds):
        for name in systems:
            sys_ = System(name, env)
            count = n_rq if name == "rq" else n
            tp = throughput(sys_, db, n=count, tag=str(rnd))
            log(f"round {rnd + 1}/{rounds} {name}: {tp['jobs_per_s']:.0f} jobs/s")
            pk = pickup(sys_, db, n=pickups, tag=str(rnd))
            log(
                f"round {rnd + 1}/{rounds} {name}: pickup p50 {pk['p50_ms']:.2f} ms "
                f"p99 {pk['p99_ms']:.2f} ms"
            )
            per[name]["tp"].append(tp)
            per[name]["pk"].append(pk)
    summary: dict[str, Any] = {}
    for name in systems:
        summary[name] = {
            "jobs_per_s": median(t["jobs_per_s"] for t in per[name]["tp"]),
            "pickup_p50_ms": median(p["p50_ms"] for p in per[name]["pk"]),
            "pickup_p99_ms": median(p["p99_ms"] for p in per[name]["pk"]),
            "rounds": per[name],
        }
    ours = summary.get("packamal", {}).get("jobs_per_s")
    for name in systems:
        summary[name]["packamal_ratio"] = (ours / summary[name]["jobs_per_s"]) if ours else None
    return summary
