"""Redis at `maxmemory`: who may still write, and who is told no.

Redis runs with `noeviction` (evicting a job message would lose it). At `maxmemory` it
refuses every command that may grow memory, BLMOVE and LMOVE among them, so without care
the workers stop taking work and nothing ever frees the memory. The design:

* Workers keep working. Their writes that do not grow Redis without bound (taking a
  message into their processing list, acknowledging it, the heartbeat, the recovery lock,
  announcing an outcome) run as Lua scripts flagged `allow-oom`, which Redis runs at
  `maxmemory` too. Each grows memory by a few bytes per worker at most, and taking and
  acknowledging messages is what frees memory.
* Dispatch is told no. Only LPUSH of new work grows Redis without bound; while Redis
  refuses it, POST /dispatch answers 503 `queue_full` with Retry-After *before* writing a
  row, so a client knows to retry and nothing is accepted that the queue cannot hold. The
  one dispatch that meets the full Redis first has its row committed already: it answers
  202, and recovery pushes its message once memory returns (rows are the truth).
* /readyz says `redis: "full: refusing writes"` (503), and the metric
  `packamal_redis_refusing_writes` is 1.
"""

from __future__ import annotations

import threading
import time
from functools import cache

import redis
from redis.commands.core import Script

# Scripts: KEYS and ARGV as documented on each; atomic like MULTI, allowed at maxmemory.
_TAKE = """#!lua flags=allow-oom
return redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
"""
# KEYS: processing, pending, owed; ARGV: raw, job_id, running event ('' if none), owed, channel
_ACK = """#!lua flags=allow-oom
redis.call('LREM', KEYS[1], 1, ARGV[1])
if ARGV[2] ~= '' then redis.call('ZREM', KEYS[2], ARGV[2]) end
if ARGV[3] ~= '' then
  redis.call('PUBLISH', ARGV[5], ARGV[3])
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
end
return 1
"""
# KEYS: workers, worker_state; ARGV: name, now, state, job, host, pid
_BEAT = """#!lua flags=allow-oom
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], 'state', ARGV[3], 'job', ARGV[4], 'host', ARGV[5], 'pid', ARGV[6])
redis.call('EXPIRE', KEYS[2], 60)
return 1
"""
# KEYS: lock; ARGV: owner, ttl_ms
_LOCK = """#!lua flags=allow-oom
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""
# KEYS: owed, queue, processing; ARGV: channel, event, job_id, prefetch (1/0)
_ANNOUNCE = """#!lua flags=allow-oom
redis.call('PUBLISH', ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[1], ARGV[3])
if ARGV[4] == '1' then
  return redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT')
end
return false
"""


def is_oom(exc: BaseException) -> bool:
    """True for Redis's `OOM command not allowed when used memory > 'maxmemory'`."""
    return isinstance(exc, redis.exceptions.OutOfMemoryError) or (
        isinstance(exc, redis.ResponseError) and "used memory > 'maxmemory'" in str(exc)
    )


@cache
def _scripts(client: redis.Redis) -> dict[str, Script]:
    return {
        name: client.register_script(text)
        for name, text in (
            ("take", _TAKE),
            ("ack", _ACK),
            ("beat", _BEAT),
            ("lock", _LOCK),
            ("announce", _ANNOUNCE),
        )
    }


def script(client: redis.Redis, name: str) -> Script:
    """One of the allow-oom scripts, registered on `client`."""
    return _scripts(client)[name]


class QueueGate:
    """Per-process memory of "Redis refused a push": refuse dispatch until a probe write
    succeeds again (at most one probe per `probe_every` seconds)."""

    def __init__(self, probe_every: float = 0.5) -> None:
        self.probe_every = probe_every
        self._lock = threading.Lock()
        self._full = False
        self._probed_at = float("-inf")

    def note_push_failure(self, exc: BaseException) -> None:
        if is_oom(exc):
            with self._lock:
                self._full, self._probed_at = True, time.monotonic()

    def admits(self) -> bool:
        """False while Redis refuses writes; costs nothing while it does not."""
        if not self._full:
            return True
        with self._lock:
            if time.monotonic() - self._probed_at < self.probe_every:
                return False
            self._probed_at = time.monotonic()
        full = refusing_writes()
        with self._lock:
            self._full = bool(full)
        return not full

    def reset(self) -> None:
        with self._lock:
            self._full, self._probed_at = False, float("-inf")


GATE = QueueGate()


def refusing_writes(client: redis.Redis | None = None) -> bool | None:
    """Probe with a tiny write that Redis refuses at maxmemory: True when refused, False
    when accepted, None when Redis does not answer at all."""
    from .queue import keys, redis_client  # queue imports this module

    try:
        (client or redis_client()).set(f"{keys().queue}:write-probe", "1", px=2000)
    except redis.RedisError as exc:
        return True if is_oom(exc) else None
    return False
