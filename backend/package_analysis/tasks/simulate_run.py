"""`simulate`, executed: burn CPU or wait, reporting progress about once a second."""

from __future__ import annotations

import time

from .base import TaskCancelled, TaskContext, TaskResult
from .simulate import SimulateParams, SimulateResult


def run(params: SimulateParams, ctx: TaskContext) -> TaskResult:
    """Stand-in for an analysis: burn CPU (`cpu`) or wait (`sleep`) for `seconds`,
    reporting progress about once a second."""
    seconds = params.seconds
    started = time.monotonic()
    deadline = started + seconds
    next_report = started + 1.0
    iterations = 0
    while (now := time.monotonic()) < deadline:
        ctx.check()
        if params.mode == "cpu":
            iterations += _burn(min(deadline, now + 0.05))
        elif ctx.cancelled.wait(min(deadline, next_report) - now):
            raise TaskCancelled
        if time.monotonic() >= next_report and time.monotonic() < deadline:
            ctx.report(min(0.99, (time.monotonic() - started) / seconds))
            next_report += 1.0
    return TaskResult(
        SimulateResult(
            mode=params.mode,
            seconds=seconds,
            elapsed=round(time.monotonic() - started, 3),
            iterations=iterations,
        )
    )


def _burn(until: float) -> int:
    n = 0
    x = 0
    while time.monotonic() < until:
        for i in range(2000):
            x = (x * 31 + i) % 1_000_003
        n += 1
    return n


def timeout(params: SimulateParams) -> float:
    return params.seconds
