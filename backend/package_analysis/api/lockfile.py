"""The lockfile router: one `analyze` job per pinned package version a dependency file names."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import File, Form, Router
from ninja.files import UploadedFile
from pydantic import ValidationError

from .. import services
from ..auth import DispatchKey, bulk_force_check
from ..errors import ApiError
from ..idempotency import OPENAPI as IDEMPOTENCY_OPENAPI
from ..idempotency import fingerprint, idempotent
from ..lockfiles import (
    FORMATS,
    LockfileError,
    LockfileTooLarge,
    Package,
    lockfile_parse_isolated,
)
from ..middleware import body_too_large
from ..ratelimit import DispatchThrottle, client_ident, jobs_charge
from ..schemas import LockfileOut, error_responses
from ..tasks import task_get

router = Router(tags=["analysis"])

# More than a batch (a web app's package-lock.json often names 1500 packages): the jobs
# still go in one INSERT and one push, all or none.
LOCKFILE_MAX_PACKAGES = 5000
ANALYZE = "analyze"
# Skipped lines listed in an answer; past it one last entry gives the count of the rest.
SKIPPED_LISTED = 10000


@router.post(
    "/analyze/lockfile",
    response={
        200: LockfileOut,
        202: LockfileOut,
        **error_responses(400, 401, 403, 413, 422, 429, 503),
    },
    auth=DispatchKey(),
    throttle=DispatchThrottle(),
    openapi_extra=IDEMPOTENCY_OPENAPI,
    summary="Analyse every pinned package of a lockfile",
    description=(
        "`file`: " + ", ".join(FORMATS) + " (package-lock.json v1 to v3, pnpm-lock.yaml v5 to v9; "
        "the format comes from the file name, else from the content). One `analyze` job per "
        "pinned package version, deduplicated, all created or none; every line or entry "
        "that made no job is in `skipped` with its reason. At most "
        f"{LOCKFILE_MAX_PACKAGES} packages (422 `too_many_packages` over it) and "
        "ANALYSIS_UPLOAD_MAX_BYTES (50 MiB) per file. The jobs wait in the caller's own lane, "
        "served in a round robin with other callers' and never by the workers kept for single "
        "dispatches; DISPATCH_JOB_RATE_LIMIT counts every job (429 over it); `force` needs a "
        "dispatch key (403)."
    ),
)
def analyze_lockfile(
    request: HttpRequest, file: File[UploadedFile], force: Form[bool] = False
) -> HttpResponse:
    bulk_force_check(request, force)
    limit = int(settings.ANALYSIS_UPLOAD_MAX_BYTES)
    if (file.size or 0) > limit:
        return body_too_large(limit, f"The file {file.name!r}")
    data = file.read()
    return idempotent(
        request,
        fingerprint=fingerprint(file.name or "", data, force),
        create=lambda: _dispatch_lockfile(request, file.name or "", data, force),
    )


def _dispatch_lockfile(request: HttpRequest, name: str, data: bytes, force: bool) -> HttpResponse:
    try:
        parsed = lockfile_parse_isolated(filename=name, data=data)
    except LockfileTooLarge as exc:
        raise ApiError(413, "lockfile_too_large", str(exc)) from exc
    except LockfileError as exc:
        raise ApiError(422, "invalid_lockfile", str(exc)) from exc
    skipped = [s.as_dict() for s in parsed.skipped[:SKIPPED_LISTED]]
    if len(parsed.skipped) > SKIPPED_LISTED:
        more = len(parsed.skipped) - SKIPPED_LISTED
        skipped.append({"line": "…", "reason": f"{more} more skipped lines, not listed"})
    if not parsed.packages:
        raise ApiError(
            422,
            "no_pinned_packages",
            f"The {parsed.format} names no pinned package version, so no job was made "
            f"({len(skipped)} line(s) skipped; see details).",
            {"format": parsed.format, "skipped": skipped},
        )
    if len(parsed.packages) > LOCKFILE_MAX_PACKAGES:
        raise ApiError(
            422,
            "too_many_packages",
            f"The {parsed.format} names {len(parsed.packages)} package versions; at most "
            f"{LOCKFILE_MAX_PACKAGES} are analysed per upload, and none was dispatched.",
            {"format": parsed.format, "packages": len(parsed.packages)},
        )
    specs = _analyze_specs(parsed.packages, force=force, skipped=skipped)
    if not specs:
        raise ApiError(
            422,
            "no_pinned_packages",
            f"No package version of the {parsed.format} can be analysed (see details).",
            {"format": parsed.format, "skipped": skipped},
        )
    jobs_charge(request, len(specs))
    jobs = services.jobs_dispatch(specs=specs, lane=client_ident(request))
    body = {"format": parsed.format, "items": [j.as_dict() for j in jobs], "skipped": skipped}
    return JsonResponse(body, status=202)


def _analyze_specs(
    packages: list[Package], *, force: bool, skipped: list[dict[str, str]]
) -> list[tuple[str, dict[str, Any]]]:
    """The registry's `analyze` params for each package, as single dispatch validates them;
    a package they refuse is skipped with their reason."""
    spec = task_get(ANALYZE)
    if spec is None:
        raise ApiError(503, "task_unavailable", f"This server has no {ANALYZE!r} task.")
    specs: list[tuple[str, dict[str, Any]]] = []
    for package in packages:
        try:
            params = spec.params_parse({"purl": package.purl, "force": force})
        except ValidationError as exc:
            reason = "; ".join(str(e["msg"]) for e in exc.errors())
            skipped.append({"line": package.purl, "reason": f"not analysable: {reason}"})
            continue
        specs.append((ANALYZE, params.model_dump(mode="json")))
    return specs
