"""The broker: every Redis key, Lua script and queue primitive that moves job messages.

Nothing outside this package names a Redis key of the job queue or runs a queue command;
the admission gate (`backpressure`), the services, the worker and recovery call these.

- `connection`: the client, the keys, the maxmemory probe;
- `scripts`: the workers' allow-oom Lua scripts;
- `messages`: push, take, acknowledge, give back, dead-letter, announce;
- `workers`: heartbeats, processing lists, owed events, the recovery lock.
"""

from __future__ import annotations

from .connection import Keys, is_oom, keys, redis_client, refusing_writes
from .messages import (
    dead_letter,
    message_ack,
    message_dead_letter,
    message_encode,
    message_requeue,
    message_take,
    message_take_now,
    message_take_undecodable,
    outcome_announce,
    pending_missing,
    queue_depth,
    queue_length,
    queue_push,
    queue_push_bulk,
)
from .workers import (
    holders_forget,
    lanes_repair,
    owed_all,
    owed_settle,
    processing_lists,
    processing_return,
    queue_stats,
    recovery_lock_take,
    worker_heartbeat,
    worker_unregister,
    workers_alive,
    workers_by_state,
    workers_forget,
)

__all__ = [
    "Keys",
    "dead_letter",
    "holders_forget",
    "is_oom",
    "keys",
    "lanes_repair",
    "message_ack",
    "message_dead_letter",
    "message_encode",
    "message_requeue",
    "message_take",
    "message_take_now",
    "message_take_undecodable",
    "outcome_announce",
    "owed_all",
    "owed_settle",
    "pending_missing",
    "processing_lists",
    "processing_return",
    "queue_depth",
    "queue_length",
    "queue_push",
    "queue_push_bulk",
    "queue_stats",
    "recovery_lock_take",
    "redis_client",
    "refusing_writes",
    "worker_heartbeat",
    "worker_unregister",
    "workers_alive",
    "workers_by_state",
    "workers_forget",
]
