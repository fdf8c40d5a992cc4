"""Job messages: push, take, acknowledge, give back, dead-letter, announce.

Workers move a message atomically (LMOVE in a script, or BLMOVE) from the interactive list
or a client's bulk lane into a per-worker processing list, so a worker killed between pop
and claim leaves its message where recovery finds it. `JOB_QUEUE:pending` is a sorted set of
the job ids that have a message in Redis, so recovery can tell which `queued` rows lost
theirs. Taking is fair (`scripts._TAKE_FN`): the interactive list first, then the bulk
lanes in a round robin over clients, never with the last JOB_INTERACTIVE_RESERVE live
workers, so single dispatches are picked up at once behind any bulk backlog.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis
from django.conf import settings

from .connection import is_oom, keys
from .scripts import script

# A worker counts as live (for the interactive reserve) while its heartbeat is this fresh.
ALIVE_WITHIN = 15.0


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


def queue_push_bulk(*, client: redis.Redis, lane: str, messages: list[tuple[str, str]]) -> None:
    """LPUSH messages [(job_id, message)] onto one client's bulk lane, mark their ids pending
    and put the lane in the round robin, atomically (one script)."""
    if not messages:
        return
    k = keys()
    args: list[str | float] = [lane, time.time()]
    for job_id, message in messages:
        args += [job_id, message]
    script(client, "push_bulk")(keys=[k.pending, k.lane(lane), k.ring], args=args)


def _take_args(worker: str) -> list[str | float | int]:
    k = keys()
    reserve = int(settings.JOB_INTERACTIVE_RESERVE)
    return [worker, time.time(), ALIVE_WITHIN, reserve, k.lane_prefix]


def message_take_now(*, client: redis.Redis, worker: str) -> str | None:
    """The next message by the fair order, without waiting (None: nothing this worker may take)."""
    k = keys()
    raw = script(client, "take")(
        keys=[k.queue, k.processing(worker), k.ring, k.holders, k.workers],
        args=_take_args(worker),
    )
    return None if raw is None else str(raw)


def dead_letter(*, client: redis.Redis, raw: str, reason: str) -> None:
    """Keep an unusable message, with the reason, for a human to look at."""
    entry = json.dumps({"reason": reason, "message": raw[:65536], "at": time.time()})
    client.lpush(keys().dead, entry)


def message_take(*, client: redis.Redis, worker: str, timeout: int) -> str | None:
    """The next message by the fair order, into the worker's processing list; when there is
    none this worker may take, BLMOVE on the interactive list for up to `timeout` s (a
    single dispatch wakes it at once; bulk work is looked at again on the next call).

    At maxmemory Redis refuses BLMOVE; the take script is allow-oom (taking work frees
    memory), so an empty queue then waits `timeout` here."""
    raw = message_take_now(client=client, worker=worker)
    if raw is not None:
        return raw
    k = keys()
    try:
        taken = client.blmove(k.queue, k.processing(worker), timeout, "RIGHT", "LEFT")
    except redis.RedisError as exc:
        if not is_oom(exc):
            raise
        time.sleep(timeout)
        return None
    return None if taken is None else str(taken)


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
        keys=[k.processing(worker), k.pending, k.owed, k.workers],
        args=[
            raw,
            job_id or "",
            (running or "") if announce else "",
            f"{worker}|{attempt}",
            k.channel,
            worker,
            time.time(),
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
    """PUBLISH an outcome event and end its debt together; with `prefetch`, take the next
    message by the fair order in the same round trip. One allow-oom script (atomic like
    MULTI), so it works at maxmemory too."""
    k = keys()
    taken = script(client, "announce")(
        keys=[
            k.owed,
            k.queue,
            k.processing(worker),
            k.ring,
            k.holders,
            k.workers,
            k.announced(job_id),
        ],
        args=[k.channel, event, job_id, "1" if prefetch else "0", *_take_args(worker)],
    )
    return str(taken) if prefetch and taken is not None else None


def queue_depth(*, client: redis.Redis) -> dict[str, int]:
    """Messages waiting: `interactive`, `bulk` (every lane) and the number of `lanes`."""
    k = keys()
    interactive, bulk, lanes = script(client, "depth")(keys=[k.queue, k.ring], args=[k.lane_prefix])
    return {"interactive": int(interactive), "bulk": int(bulk), "lanes": int(lanes)}


def queue_length(*, client: redis.Redis) -> int:
    """Every message waiting, interactive and bulk."""
    depth = queue_depth(client=client)
    return depth["interactive"] + depth["bulk"]


def pending_missing(*, client: redis.Redis, job_ids: list[str]) -> list[str]:
    """Of these job ids, those with no message in Redis (not in the pending set)."""
    scores: list[float | None] = client.zmscore(keys().pending, job_ids)  # type: ignore[assignment]
    return [job_id for job_id, score in zip(job_ids, scores, strict=True) if score is None]
