"""Write-side operations on jobs. Every state change is one conditional UPDATE in PostgreSQL.

Fencing: `attempts` is the fencing token. A claim bumps it; every later write by the
worker (progress, lease renewal, completion, release) names the attempt it holds, so a
worker whose lease expired and whose job was claimed again can no longer write.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import redis
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from . import metrics
from .backpressure import GATE, queue_admit
from .broker import message_encode, pending_missing, queue_push, queue_push_bulk, redis_client
from .models import Job, JobStatus

log = logging.getLogger("packamal.jobs")

_COLUMNS = [f.column for f in Job._meta.concrete_fields]
_RETURNING = ", ".join(_COLUMNS)
_TABLE = Job._meta.db_table


_JSON_COLUMNS = frozenset(
    f.column for f in Job._meta.concrete_fields if f.get_internal_type() == "JSONField"
)


def _job_from_row(row: tuple[Any, ...]) -> Job:
    # Django's psycopg setup hands jsonb over as text; JSONField decodes it the same way.
    values = [
        json.loads(v) if col in _JSON_COLUMNS and isinstance(v, str) else v
        for col, v in zip(_COLUMNS, row, strict=True)
    ]
    return Job.from_db("default", _COLUMNS, values)


def _update_returning(sql: str, params: list[Any]) -> list[Job]:
    """Run a conditional UPDATE and return the changed rows as Jobs.

    A plain cursor rather than Model.objects.raw(): this runs several times per job on the
    worker's hot path, and raw()'s per-call column mapping showed in profiles."""
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {_RETURNING}", params)
        rows = cursor.fetchall()
    return [_job_from_row(row) for row in rows]


def _one(jobs: list[Job]) -> Job | None:
    return jobs[0] if jobs else None


def job_dispatch(*, task: str, params: dict[str, Any]) -> Job:
    """Record a job, and queue its message once the row is committed.

    A failed LPUSH does not fail the dispatch: the row is committed, and recovery
    re-pushes queued rows whose message never reached Redis.
    """
    queue_admit()
    # One autocommit INSERT (no explicit transaction: BEGIN/COMMIT would add two round
    # trips). on_commit runs right after that commit, or after the caller's transaction.
    job = Job.objects.create(task=task, params=params, enqueued_at=timezone.now())
    transaction.on_commit(lambda: jobs_push(jobs=[job]))
    metrics.DISPATCHED.labels(task=task).inc()
    return job


# One statement whatever the batch size (one plan, one round trip), and no RETURNING: every
# value is made here, so nothing needs reading back. created_at steps by a microsecond per
# row, so "newest first" lists a batch in the reverse of request order.
_INSERT_MANY = (
    f"INSERT INTO {_TABLE} (id, task, params, status, attempts, progress, created_at, "
    "enqueued_at, lane) "
    "SELECT r.id, r.task, r.params, 'queued', 0, 0, r.created_at, %s, %s "
    # the rows travel as one JSON document: one parameter encoded in C, where arrays
    # would be thousands of elements quoted one by one in Python
    "FROM jsonb_to_recordset(%s::jsonb) "
    "AS r(id uuid, task text, params jsonb, created_at timestamptz)"
)
_FIELDS = [f.attname for f in Job._meta.concrete_fields]


def jobs_insert(*, specs: Sequence[tuple[str, dict[str, Any]]], lane: str = "") -> list[Job]:
    """INSERT queued rows for [(task, params)] in one statement; the Jobs in `specs`' order.
    `lane`: "" for the interactive list, else the client whose bulk lane they wait in.

    Pushes nothing: callers push after commit (see `jobs_dispatch`)."""
    if not specs:
        return []
    now = timezone.now()
    ids = [uuid.uuid4() for _ in specs]
    created = [now + datetime.timedelta(microseconds=i) for i in range(len(specs))]
    document = json.dumps(
        [
            {"id": str(job_id), "task": task, "params": params, "created_at": at.isoformat()}
            for job_id, (task, params), at in zip(ids, specs, created, strict=True)
        ],
        separators=(",", ":"),
    )
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_MANY, [now, lane, document])
    # What a SELECT would load, without the round trip: unset columns are NULL.
    fixed: dict[str, Any] = {
        "status": JobStatus.QUEUED.value,
        "attempts": 0,
        "progress": 0.0,
        "enqueued_at": now,
        "lane": lane,
    }
    return [
        Job.from_db(
            "default",
            _FIELDS,
            [
                {"id": job_id, "task": task, "params": params, "created_at": at, **fixed}.get(f)
                for f in _FIELDS
            ],
        )
        for job_id, (task, params), at in zip(ids, specs, created, strict=True)
    ]


def jobs_dispatch(*, specs: Sequence[tuple[str, dict[str, Any]]], lane: str = "") -> list[Job]:
    """Record many jobs, all or none, and queue their messages in one push after commit:
    onto the interactive list, or with `lane` (a client's identity) onto that client's bulk
    lane, which workers serve in a round robin with every other client's.

    One multi-row INSERT: it commits whole or not at all. As with `job_dispatch`, a failed
    push does not fail the dispatch; recovery re-pushes queued rows whose message is missing.
    Inside a caller's transaction the push waits for that transaction's commit, and a
    rollback pushes nothing.
    """
    if specs:
        queue_admit()
    jobs = jobs_insert(specs=specs, lane=lane)
    if not jobs:
        return jobs
    transaction.on_commit(lambda: jobs_push(jobs=jobs))
    for task, count in Counter(task for task, _ in specs).items():
        metrics.DISPATCHED.labels(task=task).inc(count)
    return jobs


def jobs_push(*, jobs: list[Job], client: redis.Redis | None = None) -> bool:
    """Push messages for jobs, each where its row says (`Job.lane`); log and return False
    when Redis is unreachable."""
    lanes: dict[str, list[tuple[str, str]]] = {}
    for j in jobs:
        message = message_encode(job_id=str(j.id), task=j.task, params=j.params)
        lanes.setdefault(j.lane, []).append((str(j.id), message))
    messages = [m for batch in lanes.values() for m in batch]
    try:
        for lane, batch in lanes.items():
            if lane:
                queue_push_bulk(client=client or redis_client(), lane=lane, messages=batch)
            else:
                queue_push(client=client or redis_client(), messages=batch)
    except redis.RedisError as exc:
        metrics.PUSH_FAILURES.inc(len(messages))
        GATE.note_push_failure(exc)
        log.warning("push failed for %d job(s), recovery will re-push: %s", len(messages), exc)
        return False
    return True


def job_claim(*, job_id: str, worker: str, lease_seconds: float) -> Job | None:
    """Take a queued job: the conditional UPDATE that makes duplicate messages harmless."""
    return _one(
        _update_returning(
            f"UPDATE {_TABLE} SET status = 'running', attempts = attempts + 1, worker = %s, "
            "progress = 0, started_at = now(), error = NULL, "
            "lease_expires_at = now() + make_interval(secs => %s) "
            "WHERE id = %s AND status = 'queued'",
            [worker, lease_seconds, job_id],
        )
    )


def job_lease_renew(*, job_id: str, attempt: int, lease_seconds: float) -> bool:
    """Extend the lease; False means the job is no longer ours."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET lease_expires_at = now() + make_interval(secs => %s) "
            "WHERE id = %s AND status = 'running' AND attempts = %s",
            [lease_seconds, job_id, attempt],
        )
        return cursor.rowcount == 1


def job_progress_set(*, job_id: str, attempt: int, progress: float) -> Job | None:
    return _one(
        _update_returning(
            f"UPDATE {_TABLE} SET progress = %s "
            "WHERE id = %s AND status = 'running' AND attempts = %s",
            [progress, job_id, attempt],
        )
    )


def job_complete(
    *, job_id: str, attempt: int, result: Any, save: Callable[[str], None] | None = None
) -> Job | None:
    """Mark completed; only the current lease holder (fenced on attempt) succeeds.

    `save` writes the task's large output (e.g. findings) in the same transaction, and
    only when the fenced UPDATE matched: a worker that lost its lease writes nothing."""
    sql = (
        f"UPDATE {_TABLE} SET status = 'completed', progress = 1, result = %s, "
        "completed_at = now(), lease_expires_at = NULL "
        "WHERE id = %s AND status = 'running' AND attempts = %s"
    )
    params = [Jsonb(result), job_id, attempt]
    if save is None:  # one autocommit statement on the hot path: no BEGIN/COMMIT
        return _one(_update_returning(sql, params))
    with transaction.atomic():
        done = _one(_update_returning(sql, params))
        if done is not None:
            save(job_id)
    return done


def job_fail(*, job_id: str, attempt: int, error: str) -> Job | None:
    return _one(
        _update_returning(
            f"UPDATE {_TABLE} SET status = 'failed', error = %s, completed_at = now(), "
            "lease_expires_at = NULL WHERE id = %s AND status = 'running' AND attempts = %s",
            [error[:10000], job_id, attempt],
        )
    )


def job_release(*, job_id: str, attempt: int) -> Job | None:
    """Give a job back untouched (shutdown): it keeps its attempt budget."""
    jobs = _update_returning(
        f"UPDATE {_TABLE} SET status = 'queued', attempts = attempts - 1, worker = NULL, "
        "progress = 0, started_at = NULL, lease_expires_at = NULL, enqueued_at = now() "
        "WHERE id = %s AND status = 'running' AND attempts = %s",
        [job_id, attempt],
    )
    if jobs:
        jobs_push(jobs=jobs)
    return _one(jobs)


def jobs_requeue_expired(*, max_attempts: int, limit: int = 500) -> tuple[list[Job], list[Job]]:
    """Running jobs whose lease expired go back to queued, or fail after max attempts."""
    failed = _update_returning(
        f"UPDATE {_TABLE} SET status = 'failed', completed_at = now(), lease_expires_at = NULL, "
        "error = 'lease expired on attempt ' || attempts || ' of ' || %s "
        "|| ' (worker ' || coalesce(worker, '?') || ' stopped renewing)' "
        f"WHERE id IN (SELECT id FROM {_TABLE} WHERE status = 'running' "
        "AND lease_expires_at < now() AND attempts >= %s LIMIT %s FOR UPDATE SKIP LOCKED)",
        [max_attempts, max_attempts, limit],
    )
    requeued = _update_returning(
        f"UPDATE {_TABLE} SET status = 'queued', worker = NULL, progress = 0, "
        "lease_expires_at = NULL, enqueued_at = now() "
        f"WHERE id IN (SELECT id FROM {_TABLE} WHERE status = 'running' "
        "AND lease_expires_at < now() AND attempts < %s LIMIT %s FOR UPDATE SKIP LOCKED)",
        [max_attempts, limit],
    )
    if requeued:
        jobs_push(jobs=requeued)
    return requeued, failed


def jobs_repush_lost(*, grace_seconds: float, client: redis.Redis, limit: int = 1000) -> list[Job]:
    """Re-push queued rows whose message is not in Redis (LPUSH failed, or Redis lost it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id::text FROM {_TABLE} WHERE status = 'queued' "
            "AND enqueued_at < now() - make_interval(secs => %s) "
            "ORDER BY created_at LIMIT %s",
            [grace_seconds, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    lost_ids = pending_missing(client=client, job_ids=ids)
    if not lost_ids:
        return []
    # Still queued? A worker may have claimed one since the SELECT (recovery runs beside
    # the worker loop); re-pushing it would only make a duplicate message.
    lost = _update_returning(
        f"UPDATE {_TABLE} SET enqueued_at = now() WHERE id = ANY(%s::uuid[]) AND status = 'queued'",
        [lost_ids],
    )
    if lost:
        jobs_push(jobs=lost, client=client)
    return lost
