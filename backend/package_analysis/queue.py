"""Redis keys and the few primitives that move job messages.

The list `JOB_QUEUE` carries messages; workers take them with BLMOVE (BRPOP's atomic
sibling) into a per-worker processing list, so a worker killed between pop and claim
leaves its message where recovery finds it. `JOB_QUEUE:pending` is a sorted set of the
job ids that have a message in Redis, so recovery can tell which `queued` rows lost theirs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

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

    def processing(self, worker: str) -> str:
        return f"{self.processing_prefix}{worker}"

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


def message_encode(*, job_id: str, task: str, params: dict[str, Any]) -> str:
    return json.dumps(
        {"id": job_id, "task": task, "params": params, "enqueued_at": time.time()},
        separators=(",", ":"),
    )


def queue_push(*, client: redis.Redis, messages: list[tuple[str, str]]) -> None:
    """LPUSH messages [(job_id, message)] and mark their ids pending, atomically."""
    if not messages:
        return
    k = keys()
    now = time.time()
    pipe = client.pipeline(transaction=True)
    pipe.zadd(k.pending, {job_id: now for job_id, _ in messages})
    pipe.lpush(k.queue, *[m for _, m in messages])
    pipe.execute()


def workers_alive(*, client: redis.Redis, max_age: float) -> set[str]:
    """Names of the workers whose heartbeat is at most `max_age` seconds old."""
    names = client.zrangebyscore(keys().workers, time.time() - max_age, "+inf")
    return set(names)  # type: ignore[arg-type]


def dead_letter(*, client: redis.Redis, raw: str, reason: str) -> None:
    """Keep an unusable message, with the reason, for a human to look at."""
    entry = json.dumps({"reason": reason, "message": raw[:65536], "at": time.time()})
    client.lpush(keys().dead, entry)
