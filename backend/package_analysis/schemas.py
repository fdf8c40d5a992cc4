"""Request and response shapes; the OpenAPI schema (and the frontend's types) come from these."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

JobStatusLiteral = Literal["queued", "running", "completed", "failed"]


class SimulateParams(Schema):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(
        10, ge=0, le=600, strict=True, allow_inf_nan=False, description="Duration, 0 to 600 s"
    )
    mode: Literal["cpu", "sleep"] = Field(
        "cpu", description="`cpu` burns CPU for the duration; `sleep` is a plain timer"
    )


class DispatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    task: Literal["simulate"] = "simulate"
    params: SimulateParams = Field(default_factory=lambda: SimulateParams.model_validate({}))


class JobOut(Schema):
    id: UUID
    task: str
    params: dict[str, Any]
    status: JobStatusLiteral
    attempts: int
    worker: str | None
    progress: float
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


class JobPageOut(Schema):
    items: list[JobOut]
    next: str | None = Field(description="Pass as `before` to get the next (older) page")


class JobCountsOut(Schema):
    queued: int
    running: int
    completed: int
    failed: int


class StatsOut(Schema):
    queue_depth: int
    dead_letter: int
    jobs: JobCountsOut
    workers: int


class ErrorDetail(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorDetail


class HealthOut(Schema):
    status: Literal["ok"]


class ReadyOut(Schema):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str]


BATCH_MAX_JOBS = 1000


class BatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    jobs: list[DispatchIn] = Field(
        min_length=1,
        max_length=BATCH_MAX_JOBS,
        description=f"1 to {BATCH_MAX_JOBS} dispatch bodies; all are accepted or none",
    )


class BatchOut(Schema):
    items: list[JobOut] = Field(description="The jobs, in the order of the request's `jobs`")


class SkippedOut(Schema):
    line: str = Field(description="The line or lockfile entry, as written (cut at 300 chars)")
    reason: str = Field(description="Why no job was made for it")


class LockfileOut(Schema):
    format: str = Field(description="How the file was read, e.g. `poetry.lock`")
    items: list[JobOut] = Field(description="One `analyze` job per pinned package version")
    skipped: list[SkippedOut]
