"""Recovery: what makes "no accepted job stays stuck" true (docs/design.md, guarantee 4).

One sweep, run beside each worker's loop by whoever takes the recovery lock:
expired leases go back to the queue (or fail after JOB_MAX_ATTEMPTS), dead workers'
processing lists go back to the queue, outcome events dead workers owed are announced,
and queued rows whose message never reached Redis (or was lost with it) are re-pushed.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings

from . import idempotency, queries, services, uploads
from .broker import (
    holders_forget,
    lanes_repair,
    owed_all,
    owed_settle,
    processing_lists,
    processing_return,
    workers_alive,
    workers_forget,
)
from .events import event_encode, event_publish
from .models import Job

log = logging.getLogger("packamal.worker")

# A worker whose heartbeat is older than this is dead: its messages and debts are taken over.
WORKER_DEAD_AFTER = 10.0


def recover(*, client: redis.Redis) -> dict[str, int]:
    """One recovery sweep: expired leases, dead workers' messages, queued rows lost by Redis."""
    requeued, failed = services.jobs_requeue_expired(max_attempts=settings.JOB_MAX_ATTEMPTS)
    for job in requeued:
        log.warning("recovery: job %s lease expired; back to the queue", job.id)
        event_publish(client=client, job=job, event="queued")
    for job in failed:
        log.warning("recovery: job %s failed: %s", job.id, job.error)
        event_publish(client=client, job=job, event="failed")
    alive = workers_alive(client=client, max_age=WORKER_DEAD_AFTER)
    reaped = workers_reap_dead(client=client, alive=alive)
    announced = events_owed_settle(client=client)
    lost = services.jobs_repush_lost(grace_seconds=settings.JOB_REQUEUE_GRACE, client=client)
    for job in lost:
        log.warning("recovery: job %s had no message in Redis; re-pushed", job.id)
    queries.job_counts_compact()
    idempotency.records_purge()
    purged = uploads.uploads_purge(client=client)
    return {
        "requeued": len(requeued),
        "failed": len(failed),
        "reaped": reaped,
        "announced": announced,
        "repushed": len(lost),
        "uploads_purged": purged,
    }


def events_owed_settle(*, client: redis.Redis) -> int:
    """Publish the outcome events that dead workers owed: a worker killed between its
    completion UPDATE and the PUBLISH leaves a finished row nobody announced. Entries of
    live workers are left alone; those whose attempt wrote no outcome are dropped.

    The debts are read before the heartbeats: a debt is taken together with a heartbeat
    (broker.message_ack), so a worker that claimed a job after a stale view of who is alive
    is never taken for dead; and each debt is settled only as it was read, so one its worker
    pays meanwhile is not announced twice."""
    announced = 0
    owed = owed_all(client=client)
    if not owed:
        return 0
    alive = workers_alive(client=client, max_age=WORKER_DEAD_AFTER)
    for job_id, holder in owed.items():
        worker, _, attempt = holder.rpartition("|")
        if worker in alive:
            continue
        done = Job.objects.filter(
            id=job_id, attempts=int(attempt or 0), status__in=("completed", "failed")
        ).first()
        event = event_encode(job=done, event=done.status) if done is not None else None
        if owed_settle(client=client, job_id=job_id, holder=holder, event=event):
            log.warning(
                "recovery: worker %s died before announcing job %s; announced", worker, job_id
            )
            announced += 1
    return announced


def workers_reap_dead(*, client: redis.Redis, alive: set[str]) -> int:
    """Give back messages held by workers whose heartbeat stopped (killed between pop and claim)."""
    moved = 0
    for name, key in processing_lists(client=client).items():
        if name in alive:
            continue
        moved += processing_return(client=client, key=key)
        log.warning("recovery: worker %s is gone; its messages are back in the queue", name)
    workers_forget(client=client, older_than=WORKER_DEAD_AFTER)
    holders_forget(client=client, alive=alive)
    lanes_repair(client=client)
    return moved
