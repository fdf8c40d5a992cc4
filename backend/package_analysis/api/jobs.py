"""The jobs router: dispatch, one job, the job list and the counters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from .. import queries, services
from ..auth import DispatchKey, ReadKey, bulk_force_check
from ..errors import ApiError
from ..idempotency import OPENAPI as IDEMPOTENCY_OPENAPI
from ..idempotency import fingerprint, idempotent
from ..job_schema import JobStatusLiteral
from ..ratelimit import DispatchThrottle, client_ident, jobs_charge
from ..schemas import (
    BatchIn,
    BatchOut,
    DispatchIn,
    ErrorOut,
    JobOut,
    JobPageOut,
    StatsOut,
    SummaryIn,
    SummaryOut,
    error_responses,
)

router = Router(tags=["jobs"])


@router.post(
    "/dispatch",
    response={200: JobOut, 202: JobOut, **error_responses(400, 401, 413, 415, 422, 429, 503)},
    auth=DispatchKey(),
    throttle=DispatchThrottle(),
    openapi_extra=IDEMPOTENCY_OPENAPI,
    summary="Dispatch a job",
)
def dispatch(request: HttpRequest, payload: DispatchIn | None = None) -> HttpResponse:
    body = payload or DispatchIn.model_validate(None)  # an empty body means all defaults

    def create() -> HttpResponse:
        job = services.job_dispatch(task=body.task, params=body.params.model_dump(mode="json"))
        response = JsonResponse(job.as_dict(), status=202)
        response["Location"] = f"/jobs/{job.id}"
        return response

    return idempotent(request, fingerprint=fingerprint(body.model_dump(mode="json")), create=create)


@router.post(
    "/dispatch/batch",
    response={
        200: BatchOut,
        202: BatchOut,
        **error_responses(400, 401, 403, 413, 415, 422, 429, 503),
    },
    auth=DispatchKey(),
    throttle=DispatchThrottle(),
    openapi_extra=IDEMPOTENCY_OPENAPI,
    summary="Dispatch 1 to 1000 jobs, all or none",
    description=(
        "One INSERT of every row, then one push of every message after commit. A 422 names "
        "the index of each invalid item, and nothing is dispatched. The jobs wait in the "
        "caller's own lane, served in a round robin with other callers' and never by the "
        "workers kept for single dispatches. DISPATCH_JOB_RATE_LIMIT counts every job (429 "
        "over it); `force` on an `analyze` job needs a dispatch key (403). Body limit: 1 MiB."
    ),
)
def dispatch_batch(request: HttpRequest, payload: BatchIn) -> HttpResponse:
    specs = [(j.task, j.params.model_dump(mode="json")) for j in payload.jobs]
    bulk_force_check(request, any(params.get("force") is True for _, params in specs))

    def create() -> HttpResponse:
        jobs_charge(request, len(specs))
        jobs = services.jobs_dispatch(specs=specs, lane=client_ident(request))
        return JsonResponse({"items": [job.as_dict() for job in jobs]}, status=202)

    return idempotent(
        request, fingerprint=fingerprint(payload.model_dump(mode="json")), create=create
    )


@router.post(
    "/jobs/summary",
    response={200: SummaryOut, **error_responses(400, 401, 413, 415, 422, 429, 503)},
    auth=ReadKey(),
    summary="Tally jobs by outcome: a lockfile's or a batch's",
    description=(
        "Counts the given jobs: pending, each verdict, `could_not_analyse` (an analysis that "
        "failed: no verdict, never clean; each one listed in `unanalysed` with its reason) and "
        "`other` (finished jobs of other tasks). A read: no job changes. Body limit: 1 MiB."
    ),
)
def jobs_summary(request: HttpRequest, payload: SummaryIn) -> HttpResponse:
    return JsonResponse(queries.jobs_summary(ids=payload.ids))


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    auth=ReadKey(),
    summary="One job",
)
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = queries.job_get(job_id=job_id)
    if job is None:
        raise ApiError(404, "not_found", f"No job with id {job_id!r}.")
    return JsonResponse(job.as_dict())


@router.get(
    "/jobs",
    response={200: JobPageOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    auth=ReadKey(),
    summary="Jobs, newest first",
)
def job_list(
    request: HttpRequest,
    status: Query[JobStatusLiteral | None] = None,
    limit: int = Query(50, ge=1, le=500),
    before: Query[str | None] = None,
) -> HttpResponse:
    page = queries.job_list(status=status, limit=limit, before=before)
    return JsonResponse({"items": [j.as_dict() for j in page.items], "next": page.next})


@router.get(
    "/stats",
    response={200: StatsOut, 401: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    auth=ReadKey(),
    summary="Queue and job counters",
)
def stats(request: HttpRequest) -> HttpResponse:
    q = queries.queue_stats()
    return JsonResponse({**q, "jobs": queries.job_counts()})
