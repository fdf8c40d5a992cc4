"""Job events: workers PUBLISH them; each api process subscribes and relays to WebSockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings

from . import metrics
from .broker import keys
from .models import Job

log = logging.getLogger("packamal.events")

EVENTS = ("queued", "running", "progress", "completed", "failed")


def event_encode(*, job: Job, event: str) -> str:
    return json.dumps({**job.as_dict(), "event": event}, separators=(",", ":"))


def event_publish(*, client: redis.Redis, job: Job, event: str) -> None:
    """Announce a job's new state. Pub/Sub is fire-and-forget: the row is the truth."""
    try:
        client.publish(keys().channel, event_encode(job=job, event=event))
    except redis.RedisError as exc:
        log.warning("publish %s for job %s failed: %s", event, job.id, exc)


class Broadcaster:
    """Fans each event out to this process's WebSocket clients.

    Every client has a bounded queue; a client too slow to keep up is disconnected
    (it resyncs from GET /jobs on reconnect) rather than slowing everyone down.
    """

    def __init__(self, client_buffer: int = 1000) -> None:
        self.client_buffer = client_buffer
        self.clients: set[asyncio.Queue[str | None]] = set()

    def register(self) -> asyncio.Queue[str | None]:
        q: asyncio.Queue[str | None] = asyncio.Queue(self.client_buffer)
        self.clients.add(q)
        return q

    def unregister(self, q: asyncio.Queue[str | None]) -> None:
        self.clients.discard(q)

    def publish(self, message: str) -> None:
        for q in list(self.clients):
            try:
                q.put_nowait(message)
            except asyncio.QueueFull:
                self.clients.discard(q)
                with contextlib.suppress(asyncio.QueueEmpty):
                    q.get_nowait()
                q.put_nowait(None)  # tells the socket handler to close


def handle_event(raw: str, broadcaster: Broadcaster) -> None:
    """Log completions, count events, observe durations, and relay the frame as is."""
    broadcaster.publish(raw)
    try:
        event: dict[str, Any] = json.loads(raw)
        kind = str(event.get("event"))
    except (ValueError, AttributeError):
        log.warning("ignoring a job_updates message that is not a JSON object")
        return
    metrics.EVENTS.labels(event=kind if kind in EVENTS else "other").inc()
    if kind in ("completed", "failed"):
        if kind == "completed":
            log.info(
                "job %s completed (task=%s worker=%s attempts=%s)",
                event.get("id"),
                event.get("task"),
                event.get("worker"),
                event.get("attempts"),
            )
        else:
            log.info("job %s failed: %s", event.get("id"), event.get("error"))
        _observe_duration(event, kind)


def _observe_duration(event: dict[str, Any], status: str) -> None:
    try:
        started = datetime.fromisoformat(event["started_at"])
        ended = datetime.fromisoformat(event["completed_at"])
    except (KeyError, TypeError, ValueError):
        return
    metrics.JOB_DURATION.labels(task=str(event.get("task")), status=status).observe(
        (ended - started).total_seconds()
    )


class Subscriber:
    """Keeps one SUBSCRIBE to job_updates alive for the process, reconnecting with back-off."""

    def __init__(self, broadcaster: Broadcaster) -> None:
        self.broadcaster = broadcaster
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="job-updates-subscriber")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connected.clear()
                log.warning("job_updates subscription lost (%s); reconnecting in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            else:
                delay = 0.1

    async def _listen(self) -> None:
        client = aioredis.Redis.from_url(
            settings.REDIS_URL,
            decode_responses=True,
            socket_connect_timeout=3,
            health_check_interval=5,
        )
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(keys().channel)
                self.connected.set()
                log.info("subscribed to %s", keys().channel)
                while True:
                    # The timeout makes the loop ping on idle, so a dead connection surfaces.
                    message = await pubsub.get_message(timeout=5.0)
                    if message is None:
                        await pubsub.ping()
                        continue
                    if message.get("type") == "message":
                        handle_event(message["data"], self.broadcaster)
        finally:
            self.connected.clear()
            await client.aclose()
