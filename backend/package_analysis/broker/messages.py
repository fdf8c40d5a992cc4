"""Job messages: push, take, acknowledge, give back, dead-letter, announce.

The list `JOB_QUEUE` carries messages; workers take them with BLMOVE (BRPOP's atomic
sibling) into a per-worker processing list, so a worker killed between pop and claim
leaves its message where recovery finds it. `JOB_QUEUE:pending` is a sorted set of the
job ids that have a message in Redis, so recovery can tell which `queued` rows lost theirs.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis
from django.conf import settings

from .connection import is_oom, keys
from .scripts import script


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


def dead_letter(*, client: redis.Redis, raw: str, reason: str) -> None:
    """Keep an unusable message, with the reason, for a human to look at."""
    entry = json.dumps({"reason": reason, "message": raw[:65536], "at": time.time()})
    client.lpush(keys().dead, entry)


def message_take(*, client: redis.Redis, worker: str, timeout: int) -> str | None:
    """BLMOVE the oldest message into the worker's processing list (None on timeout).

    At maxmemory Redis refuses BLMOVE; the same move then runs as an allow-oom script
    (non-blocking: an empty queue waits `timeout` here), since taking work frees memory."""
    k = keys()
    try:
        raw = client.blmove(k.queue, k.processing(worker), timeout, "RIGHT", "LEFT")
    except redis.RedisError as exc:
        if not is_oom(exc):
            raise
        raw = script(client, "take")(keys=[k.queue, k.processing(worker)])
        if raw is None:
            time.sleep(timeout)
    return None if raw is None else str(raw)


def message_take_undecodable(*, worker: str) -> bytes | None:
    """A message that is not UTF-8 cannot be read by the decoding client: pop it back from
    the worker's processing list as bytes (for the dead-letter list)."""
    raw_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    try:
        data = raw_client.lpop(keys().processing(worker))
        return data if isinstance(data, bytes) else None
    finally:
        raw_client.close()


def message_ack(
    *,
    client: redis.Redis,
    worker: str,
    raw: str,
    job_id: str | None,
    running: str | None = None,
    attempt: int = 0,
) -> None:
    """Forget a message (claimed, duplicate or dead-lettered), in one round trip. For a job
    just claimed, `running` is its "running" event: published, and the outcome event is
    owed by this worker until `outcome_announce` pays it."""
    k = keys()
    # An allow-oom script (broker.scripts): a full Redis still lets a worker acknowledge.
    announce = running is not None and bool(job_id)
    script(client, "ack")(
        keys=[k.processing(worker), k.pending, k.owed],
        args=[
            raw,
            job_id or "",
            (running or "") if announce else "",
            f"{worker}|{attempt}",
            k.channel,
        ],
    )


def message_requeue(*, client: redis.Redis, worker: str, raw: str) -> None:
    """Put a message taken but not processed back at the consumer end of the queue."""
    k = keys()
    pipe = client.pipeline(transaction=True)
    pipe.lrem(k.processing(worker), 1, raw)
    pipe.rpush(k.queue, raw)
    pipe.execute()


def message_dead_letter(*, client: redis.Redis, worker: str | None, raw: str, reason: str) -> None:
    dead_letter(client=client, raw=raw, reason=reason)
    if worker is not None:
        client.lrem(keys().processing(worker), 1, raw)


def outcome_announce(
    *, client: redis.Redis, worker: str, job_id: str, event: str, prefetch: bool
) -> str | None:
    """PUBLISH an outcome event and end its debt together (MULTI); with `prefetch`, take the
    next waiting message in the same round trip (a non-blocking LMOVE, BLMOVE's sibling).
    One allow-oom script (atomic like MULTI), so it works at maxmemory too."""
    k = keys()
    taken = script(client, "announce")(
        keys=[k.owed, k.queue, k.processing(worker)],
        args=[k.channel, event, job_id, "1" if prefetch else "0"],
    )
    return str(taken) if prefetch and taken is not None else None


def queue_length(*, client: redis.Redis) -> int:
    return int(client.llen(keys().queue))  # type: ignore[arg-type]


def pending_missing(*, client: redis.Redis, job_ids: list[str]) -> list[str]:
    """Of these job ids, those with no message in Redis (not in the pending set)."""
    scores: list[float | None] = client.zmscore(keys().pending, job_ids)  # type: ignore[assignment]
    return [job_id for job_id, score in zip(job_ids, scores, strict=True) if score is None]
