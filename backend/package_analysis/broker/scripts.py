"""The workers' Lua scripts, flagged `allow-oom`: Redis runs them at `maxmemory` too.

Redis runs with `noeviction` (evicting a job message would lose it), and at `maxmemory` it
refuses every command that may grow memory, BLMOVE and LMOVE among them. The workers' writes
that do not grow Redis without bound (taking a message into their processing list,
acknowledging it, the heartbeat, the recovery lock, announcing an outcome) therefore run as
these scripts: each grows memory by a few bytes per worker at most, and taking and
acknowledging messages is what frees memory. Only LPUSH of new work grows Redis without
bound; the admission gate above the broker (`backpressure`) refuses it while Redis is full.
"""

from __future__ import annotations

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
