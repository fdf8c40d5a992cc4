"""Task implementations. Today: `simulate`; real package analysis is the next task type."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class TaskCancelled(Exception):
    """The worker asked the task to stop (shutdown past the drain time, or a lost lease)."""


@dataclass
class TaskContext:
    """What a running task may use: report progress, and notice cancellation."""

    report: Callable[[float], None]
    cancelled: threading.Event = field(default_factory=threading.Event)

    def check(self) -> None:
        if self.cancelled.is_set():
            raise TaskCancelled


def simulate(params: dict[str, Any], ctx: TaskContext) -> dict[str, Any]:
    """Stand-in for an analysis: burn CPU (`cpu`) or wait (`sleep`) for `seconds`,
    reporting progress about once a second."""
    seconds = float(params.get("seconds", 10))
    mode = params.get("mode", "cpu")
    started = time.monotonic()
    deadline = started + seconds
    next_report = started + 1.0
    iterations = 0
    while (now := time.monotonic()) < deadline:
        ctx.check()
        if mode == "cpu":
            iterations += _burn(min(deadline, now + 0.05))
        else:
            if ctx.cancelled.wait(min(deadline, next_report) - now):
                raise TaskCancelled
        if time.monotonic() >= next_report and time.monotonic() < deadline:
            ctx.report(min(0.99, (time.monotonic() - started) / seconds))
            next_report += 1.0
    return {
        "mode": mode,
        "seconds": seconds,
        "elapsed": round(time.monotonic() - started, 3),
        "iterations": iterations,
    }


def _burn(until: float) -> int:
    n = 0
    x = 0
    while time.monotonic() < until:
        for i in range(2000):
            x = (x * 31 + i) % 1_000_003
        n += 1
    return n


TASKS: dict[str, Callable[[dict[str, Any], TaskContext], dict[str, Any]]] = {
    "simulate": simulate,
}
