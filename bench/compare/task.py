"""The equivalent task body: record the job as done in PostgreSQL, then announce it on Redis.

It writes the same row (`package_analysis_job`) and publishes the same Job-shaped event on
`job_updates` as a Pack-A-Mal worker finishing a no-op job, with the same drivers (psycopg 3,
redis-py). Pack-A-Mal does a little more per job (a separate claim UPDATE with a lease and a
`running` event), so this comparison favours the other systems.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from datetime import UTC, datetime

import psycopg
import redis

_local = threading.local()
WORKER = f"{socket.gethostname()}:{os.getpid()}"
CHANNEL = os.environ.get("JOB_UPDATES_CHANNEL", "job_updates")

COMPLETE_SQL = """
UPDATE package_analysis_job
   SET status = 'completed', attempts = attempts + 1, worker = %s, progress = 1.0,
       result = %s, started_at = %s, completed_at = %s, lease_expires_at = NULL
 WHERE id = %s
RETURNING id, task, params, status, attempts, worker, progress, result, error,
          created_at, started_at, completed_at
"""
FIELDS = (
    "id",
    "task",
    "params",
    "status",
    "attempts",
    "worker",
    "progress",
    "result",
    "error",
    "created_at",
    "started_at",
    "completed_at",
)


def _clients() -> tuple[psycopg.Connection, redis.Redis]:
    if getattr(_local, "pid", None) != os.getpid():  # a forked child must not share sockets
        dsn = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        _local.db = psycopg.connect(dsn, autocommit=True)
        _local.redis = redis.Redis.from_url(os.environ["REDIS_URL"])
        _local.pid = os.getpid()
    return _local.db, _local.redis


def _iso(value: object) -> object:
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value


def complete_job(job_id: str) -> None:
    """UPDATE the job row to completed and PUBLISH the completed event."""
    started = datetime.now(UTC)
    db, r = _clients()
    now = datetime.now(UTC)
    row = db.execute(
        COMPLETE_SQL, (WORKER, json.dumps({"seconds": 0}), started, now, job_id)
    ).fetchone()
    if row is None:
        return
    event = {k: _iso(str(v) if k == "id" else v) for k, v in zip(FIELDS, row, strict=True)}
    event["event"] = "completed"
    r.publish(CHANNEL, json.dumps(event))
