"""`simulate`: the seed's timer, kept for load tests and demos (run by `simulate_run`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import TaskSpec


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


SPEC = TaskSpec(
    name="simulate",
    description="A timer that burns CPU or sleeps: for load tests and demos",
    params=SimulateParams,
    result=SimulateResult,
    runner="package_analysis.tasks.simulate_run",
)
