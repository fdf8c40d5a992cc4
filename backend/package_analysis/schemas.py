"""Request and response shapes; the OpenAPI schema (and the frontend's types) come from these."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model, model_validator

from .job_schema import JobOut
from .lockfiles.model import Format as LockfileFormat
from .tasks import DEFAULT_TASK, REGISTRY, TaskSpec


class _DispatchBody(Schema):
    model_config = ConfigDict(extra="forbid")


def _dispatch_body(spec: TaskSpec[Any]) -> type[Schema]:
    """`{"task": "<name>", "params": {...}}` for one task type; params default to their own
    defaults, so `{"task": "simulate"}` is a whole body."""
    title = "".join(part.capitalize() for part in spec.name.split("_"))
    return create_model(
        f"{title}Dispatch",
        __base__=_DispatchBody,
        __doc__=spec.description,
        task=(Literal[spec.name], ...),  # type: ignore[arg-type]
        params=(spec.params, Field(default_factory=lambda: spec.params_parse({}))),
    )


_BODIES = tuple(_dispatch_body(spec) for spec in REGISTRY.values())
if TYPE_CHECKING:
    TaskDispatch = Any
else:
    TaskDispatch = Annotated[Union[_BODIES], Field(discriminator="task")]  # noqa: UP007


class DispatchIn(RootModel[TaskDispatch]):
    """A dispatch body: one of the task types, told apart by `task` (default: simulate)."""

    @model_validator(mode="before")
    @classmethod
    def _default_task(cls, data: Any) -> Any:
        if data is None:
            return {"task": DEFAULT_TASK}
        if isinstance(data, dict) and "task" not in data:
            return {**data, "task": DEFAULT_TASK}
        return data

    @property
    def task(self) -> str:
        return str(self.root.task)

    @property
    def params(self) -> BaseModel:
        return self.root.params


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


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """`{code: ErrorOut}` for a route's declared errors (all share the one error shape)."""
    return dict.fromkeys(codes, ErrorOut)


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
    format: LockfileFormat = Field(description="How the file was read")
    items: list[JobOut] = Field(description="One `analyze` job per pinned package version")
    skipped: list[SkippedOut]


SUMMARY_MAX_JOBS = 5000


class SummaryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] = Field(
        min_length=1,
        max_length=SUMMARY_MAX_JOBS,
        description=f"1 to {SUMMARY_MAX_JOBS} job ids, e.g. a lockfile's or a batch's `items`",
    )


class UnanalysedOut(Schema):
    job: str
    purl: str | None = Field(description="The package asked for (none for an upload)")
    reason: str = Field(description="Why it could not be analysed (the job's `error`)")
    failed_at: str | None = Field(description="When, ISO 8601")


class SummaryOut(Schema):
    total: int = Field(description="Jobs found")
    pending: int = Field(description="Queued or running")
    malicious: int
    suspicious: int
    clean: int
    could_not_analyse: int = Field(
        description="Analyses that failed: no verdict, never counted as clean"
    )
    other: int = Field(description="Finished jobs of other tasks")
    unanalysed: list[UnanalysedOut] = Field(description="Each analysis that failed, with why")
    not_found: list[str] = Field(description="Ids with no job")
