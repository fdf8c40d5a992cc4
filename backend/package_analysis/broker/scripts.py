"""The broker's Lua scripts. The workers' are flagged `allow-oom`: Redis runs them at
`maxmemory` too.

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

# Taking work, fairly: the interactive list first (single dispatches, FIFO); else, unless
# the bulk jobs already running would leave fewer than `reserve` live workers for the
# interactive list, the next client's bulk lane in a round robin. `holders` names the
# workers running a bulk job (cleared by their next take, their outcome, or recovery).
# Bulk lane keys are `prefix .. client`, built here (standalone Redis, not Redis Cluster).
_TAKE_FN = """
local function take(queue, processing, ring, holders, workers, worker, now, alive_within,
                    reserve, prefix)
  redis.call('HDEL', holders, worker)
  local m = redis.call('LMOVE', queue, processing, 'RIGHT', 'LEFT')
  if m then return m end
  local n = redis.call('LLEN', ring)
  if n == 0 then return false end
  local alive = redis.call('ZCOUNT', workers, now - alive_within, '+inf')
  if redis.call('HLEN', holders) >= math.max(1, alive - reserve) then return false end
  for _ = 1, n do
    local client = redis.call('LMOVE', ring, ring, 'RIGHT', 'LEFT')
    local lane = prefix .. client
    m = redis.call('LMOVE', lane, processing, 'RIGHT', 'LEFT')
    if redis.call('LLEN', lane) == 0 then redis.call('LREM', ring, 0, client) end
    if m then
      redis.call('HSET', holders, worker, client)
      return m
    end
  end
  return false
end
"""
# Scripts: KEYS and ARGV as documented on each; atomic like MULTI.
# KEYS: queue, processing, ring, holders, workers; ARGV: worker, now, alive_within, reserve,
# lane prefix
_TAKE = (
    "#!lua flags=allow-oom\n"
    + _TAKE_FN
    + """
return take(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], tonumber(ARGV[2]),
            tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5])
"""
)
# KEYS: processing, pending, owed, workers; ARGV: raw, job_id, running event ('' if none),
# owed, channel, worker, now. A debt is taken with a fresh heartbeat: recovery, reading the
# debts before the heartbeats, never takes a worker that just claimed for a dead one (after
# a Redis restart the heartbeats are gone until each worker's next beat).
_ACK = """#!lua flags=allow-oom
redis.call('LREM', KEYS[1], 1, ARGV[1])
if ARGV[2] ~= '' then redis.call('ZREM', KEYS[2], ARGV[2]) end
if ARGV[3] ~= '' then
  redis.call('PUBLISH', ARGV[5], ARGV[3])
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[6])
end
return 1
"""
# Recovery announcing a debt it holds for dead. KEYS: owed, announced marker; ARGV: job_id,
# holder ("worker|attempt" as read), channel, event ('' to drop the debt silently), marker
# ttl. Only the debt as read is settled: one its worker paid meanwhile is not announced
# again. The marker tells a worker that was only paused, not dead, that its event is out.
_SETTLE = """#!lua flags=allow-oom
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
if ARGV[4] == '' then return 0 end
redis.call('PUBLISH', ARGV[3], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2], 'EX', tonumber(ARGV[5]))
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
# KEYS: owed, queue, processing, ring, holders, workers, announced marker; ARGV: channel,
# event, job_id, prefetch (1/0), worker, now, alive_within, reserve, lane prefix. No PUBLISH
# when recovery already announced this job for us (we were paused past WORKER_DEAD_AFTER).
_ANNOUNCE = (
    "#!lua flags=allow-oom\n"
    + _TAKE_FN
    + """
if redis.call('DEL', KEYS[7]) == 0 then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
redis.call('HDEL', KEYS[1], ARGV[3])
redis.call('HDEL', KEYS[5], ARGV[5])
if ARGV[4] == '1' then
  return take(KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[5], tonumber(ARGV[6]),
              tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9])
end
return false
"""
)
# New bulk work for one client: refused at maxmemory like any LPUSH (no allow-oom), so the
# admission gate sees the OOM error. KEYS: pending, lane, ring; ARGV: client, now, then
# job id and message pairs. A lane is in the ring exactly while it holds messages.
_PUSH_BULK = """#!lua
local was = redis.call('LLEN', KEYS[2])
for i = 3, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i])
  redis.call('LPUSH', KEYS[2], ARGV[i + 1])
end
if was == 0 and #ARGV > 2 then redis.call('LPUSH', KEYS[3], ARGV[1]) end
return 1
"""
# KEYS: queue, ring; ARGV: lane prefix. Returns {interactive, bulk, lanes}.
_DEPTH = """#!lua flags=no-writes,allow-oom
local bulk = 0
local clients = redis.call('LRANGE', KEYS[2], 0, -1)
for _, client in ipairs(clients) do bulk = bulk + redis.call('LLEN', ARGV[1] .. client) end
return {redis.call('LLEN', KEYS[1]), bulk, #clients}
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
            ("settle", _SETTLE),
            ("push_bulk", _PUSH_BULK),
            ("depth", _DEPTH),
        )
    }


def script(client: redis.Redis, name: str) -> Script:
    """One of the allow-oom scripts, registered on `client`."""
    return _scripts(client)[name]
