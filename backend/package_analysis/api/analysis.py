"""The analysis router: upload an archive, read a job's report (JSON or SARIF), look up
the latest report of a package."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from .. import queries, reports, services
from .. import uploads as upload_store
from ..analysis.model import AnalysisError
from ..analysis.sarif import to_sarif
from ..auth import DispatchKey, ReadKey
from ..diff_schemas import DiffOut
from ..errors import ApiError
from ..idempotency import OPENAPI as IDEMPOTENCY_OPENAPI
from ..idempotency import fingerprint, idempotent
from ..middleware import size_text
from ..models import Job
from ..ratelimit import DispatchThrottle
from ..schemas import JobOut, error_responses
from ..tasks.analyze import AnalyzeParams, AnalyzeResult

router = Router(tags=["analysis"])

# What an archive starts with: gzip (sdist, npm .tgz), zip (wheel, zip sdist), bzip2, xz;
# a plain tar says "ustar" at offset 257.
_MAGIC = (b"\x1f\x8b", b"PK\x03\x04", b"PK\x05\x06", b"BZh", b"\xfd7zXZ\x00")


class ChainStepOut(Schema):
    role: Literal["source", "transform", "sink"]
    file: str
    line: int | None
    text: str


class FindingOut(Schema):
    rule: str
    title: str
    category: str
    severity: Literal["critical", "high", "medium", "low"]
    file: str
    line: int | None
    snippet: str
    reachability: Literal["install", "import", "runtime", "test", "docs", "metadata"]
    artifact: str
    explanation: str
    end_line: int | None = None
    chain: list[ChainStepOut] = []
    decoded: str = ""
    count: int = 1
    baseline: Literal["new", "unchanged", ""] = ""


class SuppressionOut(Schema):
    reason: str
    source: str = Field(description="Which suppression accepted it (`suppression <id>`)")
    by: str | None
    expires: str | None = Field(description="ISO date after which it stops applying")


class SuppressedFindingOut(FindingOut):
    suppression: SuppressionOut


class ReportOut(AnalyzeResult):
    """The full report: the job's result summary plus every finding, and the findings a
    suppression accepted (not counted for the verdict)."""

    job: str
    findings: list[FindingOut]  # type: ignore[assignment]
    suppressed: list[SuppressedFindingOut]  # type: ignore[assignment]
    diff: DiffOut | None = None


@router.post(
    "/analyze/upload",
    response={200: JobOut, 202: JobOut, **error_responses(400, 401, 413, 422, 429, 503)},
    auth=DispatchKey(),
    throttle=DispatchThrottle(),
    openapi_extra=IDEMPOTENCY_OPENAPI,
    summary="Analyse an uploaded archive (sdist, wheel, zip or npm .tgz)",
    description=(
        "The archive is kept ANALYSIS_UPLOAD_RETENTION_HOURS (24 h) for its analysis, then "
        "deleted. Each client may upload ANALYSIS_UPLOAD_QUOTA_BYTES an hour (429 "
        "`upload_quota_exceeded` past it). The report's package name and version are what the "
        "archive claims (`provenance.source: upload`), and never answer `GET /reports?purl=` "
        "unless asked for."
    ),
)
def analyze_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    ecosystem: Form[Literal["pypi", "npm"]],
) -> HttpResponse:
    # The middleware had the multipart parser spool the file to disk, hashed on the way
    # (uploads.SpoolingUploadHandler): nothing here holds the archive in memory.
    if not isinstance(file, upload_store.SpooledUpload):
        raise ApiError(400, "malformed_multipart", "The file part could not be read.")
    limit = settings.ANALYSIS_UPLOAD_MAX_BYTES
    size = file.size or 0
    if size > limit:
        raise ApiError(413, "payload_too_large", f"The file is over {size_text(limit)}.")
    if size == 0:
        raise ApiError(422, "not_an_archive", "The file is empty.")
    head = file.read(512)
    if not (head.startswith(_MAGIC) or head[257:262] == b"ustar"):
        raise ApiError(
            422,
            "not_an_archive",
            "The file is not an archive: send an sdist (.tar.gz), a wheel or zip, or an npm .tgz.",
        )
    owner = upload_store.upload_owner(request)

    def create() -> HttpResponse:
        upload_store.upload_admit(owner=owner, size=size)
        # Stored before the transaction that creates the row and the job, so a network upload
        # holds no row lock (an Idempotency-Key's record is held: a retry waits for the first).
        upload_id = upload_store.upload_store_bytes(file)
        try:
            with transaction.atomic():  # the upload and its job, or neither; pushed after commit
                upload = upload_store.upload_create(
                    upload_id=upload_id, file=file, ecosystem=ecosystem, owner=owner
                )
                params = AnalyzeParams(upload=upload.id).model_dump(mode="json")
                job = services.job_dispatch(task="analyze", params=params)
        except BaseException:
            upload_store.upload_bytes_delete(upload_id)  # no row: so go its bytes
            raise
        response = JsonResponse(job.as_dict(), status=202)
        response["Location"] = f"/jobs/{job.id}"
        return response

    return idempotent(
        request, fingerprint=fingerprint(file.name or "", ecosystem, file.sha256), create=create
    )


@router.get(
    "/jobs/{job_id}/report",
    response={200: ReportOut, **error_responses(401, 404, 409, 422, 429, 503)},
    auth=ReadKey(),
    summary="A finished analysis's report: JSON, or SARIF 2.1.0 with ?format=sarif",
)
def job_report(
    request: HttpRequest, job_id: str, format: Literal["json", "sarif"] = "json"
) -> HttpResponse:
    job = queries.job_get(job_id=job_id)
    if job is None or not upload_store.upload_readable(request, job):
        raise ApiError(404, "not_found", f"No job with id {job_id!r}.")
    if job.task != "analyze":
        raise ApiError(404, "not_found", f"Job {job_id} is a {job.task} job: it has no report.")
    if job.status != "completed":
        message = (
            f"Job {job_id} failed, so it has no report: {job.error}"
            if job.status == "failed"
            else f"Job {job_id} is {job.status}; its report exists once it completes."
        )
        raise ApiError(409, "not_finished", message, {"status": job.status})
    return _report_response(job, format)


@router.get(
    "/reports",
    response={200: ReportOut, **error_responses(401, 404, 409, 422, 429, 503)},
    auth=ReadKey(),
    summary="The latest report of a package version (or of the package, with no version)",
    description=(
        "Only analyses of what the registry serves (`provenance.source: registry`, hashes "
        "verified) answer, unless `uploads=true`: an uploaded archive's name and version are "
        "only what it claims, so anyone could upload a look-alike under a popular name. When "
        "the newest analysis failed, the answer is 409 `could_not_analyse`, never a verdict: "
        "`details` has `job`, `purl`, `reason`, `failed_at` (ISO 8601) and `source`."
    ),
)
def report_latest(
    request: HttpRequest,
    purl: str = Query(..., max_length=512, examples=["pkg:pypi/idna@3.7"]),
    format: Literal["json", "sarif"] = "json",
    uploads: bool = Query(
        False, description="Let uploads that claim this name and version answer too"
    ),
) -> HttpResponse:
    try:
        job = reports.report_latest(purl=purl, uploads=uploads)
    except AnalysisError as exc:
        raise ApiError(422, "validation_error", str(exc)) from None
    if job is None:
        raise ApiError(404, "not_found", f"No report for {purl.strip()} yet.")
    if not upload_store.upload_readable(request, job):
        raise ApiError(404, "not_found", f"No report for {purl.strip()} you may read.")
    if job.status == "failed":  # never a verdict: the bytes were not (all) read
        raise could_not_analyse(job)
    return _report_response(job, format)


def could_not_analyse(job: Job) -> ApiError:
    """The answer for a package whose newest analysis failed (docs/security.md)."""
    purl = (job.params or {}).get("purl") or ""
    when = job.completed_at.isoformat().replace("+00:00", "Z") if job.completed_at else None
    return ApiError(
        409,
        "could_not_analyse",
        f"{purl} could not be analysed: {job.error}",
        {
            "job": str(job.id),
            "purl": purl,
            "reason": job.error or "",
            "failed_at": when,
            "source": "registry",
        },
    )


def _report_response(job: Job, format: str) -> HttpResponse:
    if format == "sarif":
        body: Any = to_sarif(reports.report_object(job=job))
        response = JsonResponse(body, content_type="application/sarif+json")
        response["Content-Disposition"] = f'attachment; filename="packamal-{job.id}.sarif"'
        return response
    return JsonResponse(reports.report_of(job=job))
