"""Backpressure: dispatch is told no while Redis is at `maxmemory`.

Redis runs with `noeviction` (evicting a job message would lose it). The workers keep
working at `maxmemory` (their writes are the broker's allow-oom scripts), and taking and
acknowledging messages is what frees memory. Only LPUSH of new work grows Redis without
bound, so while Redis refuses it POST /dispatch answers 503 `queue_full` with Retry-After
*before* writing a row: a client knows to retry, and nothing is accepted that the queue
cannot hold. The one dispatch that meets the full Redis first has its row committed
already: it answers 202, and recovery pushes its message once memory returns (rows are the
truth). /readyz says `redis: "full: refusing writes"` (503), and the metric
`packamal_redis_refusing_writes` is 1.
"""

from __future__ import annotations

import threading
import time

from . import metrics
from .broker import is_oom, refusing_writes
from .errors import ApiError


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


def queue_admit() -> None:
    """Refuse new work (503 `queue_full`) while Redis is at maxmemory."""
    if not GATE.admits():
        metrics.DISPATCH_REFUSED.labels(reason="queue_full").inc()
        raise ApiError(
            503,
            "queue_full",
            "The job queue is full (Redis is at its memory limit); retry shortly.",
            {"retry_after": 5},
            {"Retry-After": "5"},
        )
