"""Workers' presence and recovery's view of them: heartbeats, processing lists, owed events,
the recovery lock."""

from __future__ import annotations

import time

import redis

from .connection import keys
from .scripts import script


def workers_alive(*, client: redis.Redis, max_age: float) -> set[str]:
    """Names of the workers whose heartbeat is at most `max_age` seconds old."""
    names = client.zrangebyscore(keys().workers, time.time() - max_age, "+inf")
    return set(names)  # type: ignore[arg-type]


def worker_heartbeat(
    *, client: redis.Redis, worker: str, job_id: str | None, host: str, pid: int
) -> None:
    k = keys()
    # An allow-oom script: a Redis at maxmemory still sees its workers alive.
    script(client, "beat")(
        keys=[k.workers, k.worker_state(worker)],
        args=[worker, time.time(), "busy" if job_id else "idle", job_id or "", host, pid],
    )


def worker_unregister(*, client: redis.Redis, worker: str) -> None:
    """Leave: anything still in the processing list goes back to the consumer end."""
    k = keys()
    pipe = client.pipeline(transaction=False)
    pipe.lmove(k.processing(worker), k.queue, "RIGHT", "RIGHT")
    pipe.zrem(k.workers, worker)
    pipe.delete(k.worker_state(worker))
    pipe.execute()


def recovery_lock_take(*, client: redis.Redis, worker: str, ttl_ms: int) -> bool:
    """One sweeper per interval, whoever takes the lock first."""
    return bool(script(client, "lock")(keys=[keys().recovery_lock], args=[worker, ttl_ms]))


def owed_all(*, client: redis.Redis) -> dict[str, str]:
    """Outcome events owed: job id → "worker|attempt"."""
    return client.hgetall(keys().owed)  # type: ignore[return-value]


def owed_settle(*, client: redis.Redis, job_id: str, event: str | None) -> None:
    """End a debt, publishing the outcome event first when there is one (MULTI)."""
    k = keys()
    pipe = client.pipeline(transaction=True)
    if event is not None:
        pipe.publish(k.channel, event)
    pipe.hdel(k.owed, job_id)
    pipe.execute()


def processing_lists(*, client: redis.Redis) -> dict[str, str]:
    """Every worker's processing list: worker name → key."""
    prefix = keys().processing_prefix
    return {
        str(key)[len(prefix) :]: str(key) for key in client.scan_iter(match=f"{prefix}*", count=200)
    }


def processing_return(*, client: redis.Redis, key: str) -> int:
    """Move every message of a processing list back to the consumer end of the queue."""
    moved = 0
    while client.lmove(key, keys().queue, "RIGHT", "RIGHT") is not None:
        moved += 1
    return moved


def workers_forget(*, client: redis.Redis, older_than: float) -> None:
    client.zremrangebyscore(keys().workers, "-inf", time.time() - older_than)


def queue_stats(*, client: redis.Redis, alive_within: float) -> dict[str, int]:
    """Queue depth, dead letters and live workers, in one round trip."""
    k = keys()
    pipe = client.pipeline(transaction=False)
    pipe.llen(k.queue)
    pipe.llen(k.dead)
    pipe.zcount(k.workers, time.time() - alive_within, "+inf")
    depth, dead, workers = pipe.execute()
    return {"queue_depth": int(depth), "dead_letter": int(dead), "workers": int(workers)}


def workers_by_state(*, client: redis.Redis, alive_within: float) -> dict[str, int]:
    """Live workers by state (busy/idle)."""
    alive = workers_alive(client=client, max_age=alive_within)
    if not alive:
        return {"busy": 0, "idle": 0}
    pipe = client.pipeline(transaction=False)
    for name in alive:
        pipe.hget(keys().worker_state(name), "state")
    states = pipe.execute()
    busy = sum(1 for s in states if s == "busy")
    return {"busy": busy, "idle": len(alive) - busy}
