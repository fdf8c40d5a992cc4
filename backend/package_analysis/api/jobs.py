"""The jobs router: dispatch, one job, the job list and the counters."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router
from ninja.security import APIKeyHeader

from .. import selectors, services
from ..errors import ApiError
from ..ratelimit import DispatchThrottle
from ..schemas import (
    BatchIn,
    BatchOut,
    DispatchIn,
    ErrorOut,
    JobOut,
    JobPageOut,
    JobStatusLiteral,
    StatsOut,
)

router = Router(tags=["jobs"])


class DispatchKey(APIKeyHeader):
    """X-API-Key or `Authorization: Bearer`, when DISPATCH_API_KEYS is set."""

    param_name = "X-API-Key"

    def __call__(self, request: HttpRequest) -> Any:
        if not settings.DISPATCH_API_KEYS:
            return True
        key = request.headers.get("X-API-Key")
        if key is None:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            key = token.strip() if scheme.lower() == "bearer" else None
        return self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        candidate = key.encode()
        # Compare against every key, in constant time, so timing reveals nothing.
        matched = False
        for valid in settings.DISPATCH_API_KEYS:
            matched |= hmac.compare_digest(candidate, valid.encode())
        return True if matched else None


@router.post(
    "/dispatch",
    response={
        202: JobOut,
        400: ErrorOut,
        401: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    auth=DispatchKey(),
    throttle=DispatchThrottle(),
    summary="Dispatch a job",
)
def dispatch(request: HttpRequest, payload: DispatchIn | None = None) -> HttpResponse:
    body = payload or DispatchIn.model_validate(None)  # an empty body means all defaults
    job = services.job_dispatch(task=body.task, params=body.params.model_dump(mode="json"))
    response = JsonResponse(job.as_dict(), status=202)
    response["Location"] = f"/jobs/{job.id}"
    return response


@router.post(
    "/dispatch/batch",
    response={
        202: BatchOut,
        400: ErrorOut,
        401: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    auth=DispatchKey(),
    throttle=DispatchThrottle(),
    summary="Dispatch 1 to 1000 jobs, all or none",
    description=(
        "One INSERT of every row, then one push of every message after commit. A 422 names "
        "the index of each invalid item, and nothing is dispatched. The rate limit counts "
        "the request once. Body limit: 1 MiB."
    ),
)
def dispatch_batch(request: HttpRequest, payload: BatchIn) -> HttpResponse:
    jobs = services.jobs_dispatch(
        specs=[(j.task, j.params.model_dump(mode="json")) for j in payload.jobs]
    )
    return JsonResponse({"items": [job.as_dict() for job in jobs]}, status=202)


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, 404: ErrorOut, 503: ErrorOut},
    summary="One job",
)
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_get(job_id=job_id)
    if job is None:
        raise ApiError(404, "not_found", f"No job with id {job_id!r}.")
    return JsonResponse(job.as_dict())


@router.get(
    "/jobs",
    response={200: JobPageOut, 422: ErrorOut, 503: ErrorOut},
    summary="Jobs, newest first",
)
def job_list(
    request: HttpRequest,
    status: Query[JobStatusLiteral | None] = None,
    limit: int = Query(50, ge=1, le=500),
    before: Query[str | None] = None,
) -> HttpResponse:
    page = selectors.job_list(status=status, limit=limit, before=before)
    return JsonResponse({"items": [j.as_dict() for j in page.items], "next": page.next})


@router.get(
    "/stats",
    response={200: StatsOut, 503: ErrorOut},
    summary="Queue and job counters",
)
def stats(request: HttpRequest) -> HttpResponse:
    q = selectors.queue_stats()
    return JsonResponse({**q, "jobs": selectors.job_counts()})
