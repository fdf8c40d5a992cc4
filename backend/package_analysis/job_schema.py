"""The one Job shape of the API (DESIGN.md) and the function that serialises a row into it.

A leaf: the model (`models.Job.as_dict`) and the API's schemas both import it, and it
imports neither, so the row's JSON and its OpenAPI schema cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Schema

JobStatusLiteral = Literal["queued", "running", "completed", "failed"]


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


def job_json(job: object) -> dict[str, Any]:
    """A Job row as `JobOut`'s JSON (UUID, "…Z" times), ready for json.dumps."""
    # model_construct: the row is already valid; this only serializes.
    fields = {name: getattr(job, name) for name in JobOut.model_fields}
    return JobOut.model_construct(**fields).model_dump(mode="json")
