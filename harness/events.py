"""Job events as the dashboard hears them: a real SUBSCRIBE on the job-updates channel."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from .roles import keys


class EventLog:
    """Records every job event on `channel` in a background thread, from the moment the
    subscription is confirmed; subscribes again by itself when Redis goes away."""

    def __init__(
        self,
        redis_url: str,
        channel: str = keys().channel,
        *,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        timeout: float = 10,
    ) -> None:
        self.redis_url, self.channel = redis_url, channel
        self.events: list[tuple[float, dict[str, Any]]] = []  # (monotonic, event)
        self.connected_at: list[float] = []
        self._on_event = on_event
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"no subscription to {channel} at {redis_url} in {timeout}s")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=1)
                with client.pubsub() as pubsub:
                    pubsub.subscribe(self.channel)
                    while not self._stop.is_set():
                        self._handle(pubsub.get_message(timeout=0.2))
            except (redis.RedisError, OSError):
                self._stop.wait(0.1)

    def _handle(self, message: dict[str, Any] | None) -> None:
        if message is None:
            return
        if message["type"] == "subscribe":  # the server has the subscription from here on
            self.connected_at.append(time.monotonic())
            self._ready.set()
            return
        if message["type"] != "message":
            return
        with contextlib.suppress(ValueError):
            event = json.loads(message["data"])
            self.events.append((time.monotonic(), event))
            if self._on_event:
                self._on_event(event)

    def of(self, job_id: str, event: str | None = None) -> list[dict[str, Any]]:
        """The events of one job (of one kind), in order."""
        return [
            e
            for _, e in list(self.events)
            if e.get("id") == job_id and (event is None or e.get("event") == event)
        ]

    def by_job(self, kind: str) -> dict[str, list[dict[str, Any]]]:
        """Every event of one kind, grouped by job id."""
        out: dict[str, list[dict[str, Any]]] = {}
        for _, e in list(self.events):
            if e.get("event") == kind:
                out.setdefault(str(e.get("id")), []).append(e)
        return out

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    close = stop
