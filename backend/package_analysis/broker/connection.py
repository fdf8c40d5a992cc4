"""The process's Redis client and the keys every job message and worker lives under.

Two kinds of list carry messages: the interactive list `JOB_QUEUE` (single dispatches and
uploads, FIFO, taken first) and one bulk lane per client, `JOB_QUEUE:bulk:<client>` (batch
and lockfile jobs), taken in a round robin over clients (`:bulk-ring`) while enough live
workers stay free for the interactive list (JOB_INTERACTIVE_RESERVE)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings


@dataclass(frozen=True)
class Keys:
    queue: str
    dead: str
    channel: str
    pending: str
    owed: str
    workers: str
    processing_prefix: str
    recovery_lock: str
    write_probe: str
    ring: str  # clients whose bulk lane holds messages, in round-robin order
    holders: str  # worker → client, for the workers running a bulk job
    lane_prefix: str

    def lane(self, client: str) -> str:
        """A client's bulk lane (batch and lockfile jobs)."""
        return f"{self.lane_prefix}{client}"

    def processing(self, worker: str) -> str:
        return f"{self.processing_prefix}{worker}"

    def announced(self, job_id: str) -> str:
        """Set while recovery's announcement of a job's outcome is newer than its worker's."""
        return f"{self.queue}:announced:{job_id}"

    def worker_state(self, worker: str) -> str:
        return f"{self.queue}:worker:{worker}"


@cache
def keys() -> Keys:
    q = settings.JOB_QUEUE
    return Keys(
        queue=q,
        dead=settings.JOB_DEAD_LETTER,
        channel=settings.JOB_UPDATES_CHANNEL,
        pending=f"{q}:pending",
        owed=f"{q}:owed",
        workers=f"{q}:workers",
        processing_prefix=f"{q}:processing:",
        recovery_lock=f"{q}:recovery-lock",
        write_probe=f"{q}:write-probe",
        ring=f"{q}:bulk-ring",
        holders=f"{q}:bulk-holders",
        lane_prefix=f"{q}:bulk:",
    )


@cache
def redis_client() -> redis.Redis:
    """The process's Redis client (a connection pool; safe to share between threads)."""
    return redis.Redis.from_url(
        settings.REDIS_URL,
        decode_responses=True,
        socket_timeout=5,
        socket_connect_timeout=3,
        health_check_interval=15,
        retry_on_timeout=False,
    )


def is_oom(exc: BaseException) -> bool:
    """True for Redis's `OOM command not allowed when used memory > 'maxmemory'`."""
    return isinstance(exc, redis.exceptions.OutOfMemoryError) or (
        isinstance(exc, redis.ResponseError) and "used memory > 'maxmemory'" in str(exc)
    )


def refusing_writes(client: redis.Redis | None = None) -> bool | None:
    """Probe with a tiny write that Redis refuses at maxmemory: True when refused, False
    when accepted, None when Redis does not answer at all."""
    try:
        (client or redis_client()).set(keys().write_probe, "1", px=2000)
    except redis.RedisError as exc:
        return True if is_oom(exc) else None
    return False
