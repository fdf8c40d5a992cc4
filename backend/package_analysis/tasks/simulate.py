"""`simulate`: the seed's timer, kept for load tests and demos."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import TaskCancelled, TaskContext, TaskResult, TaskSpec


class SimulateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(
        10, ge=0, le=600, strict=True, allow_inf_nan=False, description="Duration, 0 to 600 s"
    )
    mode: Literal["cpu", "sleep"] = Field(
        "cpu", description="`cpu` burns CPU for the duration; `sleep` is a plain timer"
    )


class SimulateResult(BaseModel):
    mode: Literal["cpu", "sleep"]
    seconds: float
    elapsed: float
    iterations: int


def simulate(params: SimulateParams, ctx: TaskContext) -> TaskResult:
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


SPEC = TaskSpec(
    name="simulate",
    description="A timer that burns CPU or sleeps: for load tests and demos",
    params=SimulateParams,
    result=SimulateResult,
    run=simulate,
    timeout=lambda p: p.seconds,
)
