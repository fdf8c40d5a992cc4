"""Workers' presence and recovery's view of them: heartbeats, processing lists, owed events,
the recovery lock."""

from __future__ import annotations

import time

import redis

from .connection import keys
from .scripts import script

# How long recovery's mark that it announced a job outlives the announcement: a worker
# paused longer than this (and not dead) would announce the same outcome again.
ANNOUNCED_TTL = 3600


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
    pipe.hdel(k.holders, worker)
    pipe.execute()


def recovery_lock_take(*, client: redis.Redis, worker: str, ttl_ms: int) -> bool:
    """One sweeper per interval, whoever takes the lock first."""
    return bool(script(client, "lock")(keys=[keys().recovery_lock], args=[worker, ttl_ms]))


def owed_all(*, client: redis.Redis) -> dict[str, str]:
    """Outcome events owed: job id → "worker|attempt"."""
    return client.hgetall(keys().owed)  # type: ignore[return-value]


def owed_settle(*, client: redis.Redis, job_id: str, holder: str, event: str | None) -> bool:
    """End a debt held by `holder` ("worker|attempt", as read from `owed_all`), publishing
    the outcome event first when there is one; True if it was published. A debt its worker
    paid (or that changed hands) since it was read is left alone."""
    k = keys()
    return bool(
        script(client, "settle")(
            keys=[k.owed, k.announced(job_id)],
            args=[job_id, holder, k.channel, event or "", ANNOUNCED_TTL],
        )
    )


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


def holders_forget(*, client: redis.Redis, alive: set[str]) -> int:
    """Free the bulk slots of workers that are gone (they count against the reserve)."""
    gone = [name for name in client.hkeys(keys().holders) if name not in alive]  # type: ignore[union-attr]
    return int(client.hdel(keys().holders, *gone)) if gone else 0  # type: ignore[arg-type]


def lanes_repair(*, client: redis.Redis) -> int:
    """Put back in the round robin any bulk lane that holds messages but is not in it (the
    scripts keep that from happening; this makes it impossible to strand a lane)."""
    k = keys()
    ring = set(client.lrange(k.ring, 0, -1))  # type: ignore[arg-type]
    repaired = 0
    for key in client.scan_iter(match=f"{k.lane_prefix}*", count=200):
        lane = str(key)[len(k.lane_prefix) :]
        if lane not in ring and client.llen(key):
            client.lpush(k.ring, lane)
            repaired += 1
    return repaired


def workers_forget(*, client: redis.Redis, older_than: float) -> None:
    client.zremrangebyscore(keys().workers, "-inf", time.time() - older_than)


def queue_stats(*, client: redis.Redis, alive_within: float) -> dict[str, int]:
    """Queue depth (interactive and every bulk lane), dead letters and live workers, in one
    round trip."""
    k = keys()
    pipe = client.pipeline(transaction=False)
    script(client, "depth")(keys=[k.queue, k.ring], args=[k.lane_prefix], client=pipe)
    pipe.llen(k.dead)
    pipe.zcount(k.workers, time.time() - alive_within, "+inf")
    (interactive, bulk, _lanes), dead, workers = pipe.execute()
    return {
        "queue_depth": int(interactive) + int(bulk),
        "dead_letter": int(dead),
        "workers": int(workers),
    }


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
