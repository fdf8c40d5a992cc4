"""HTTP API (django-ninja). Handlers are thin: they validate, call a service or selector,
and shape the answer. Every error leaves as DESIGN.md's one JSON error shape."""

from __future__ import annotations

import json
import logging
import math
from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis import RedisError

from . import selectors, services
from .auth import DispatchKey, ReadKey
from .errors import ApiError, api_error_response, error_response
from .metrics import REGISTRY
from .middleware import body_too_large
from .queue import redis_client
from .ratelimit import DispatchThrottle
from .schemas import (
    DispatchIn,
    ErrorOut,
    HealthOut,
    JobOut,
    JobPageOut,
    JobStatusLiteral,
    ReadyOut,
    StatsOut,
)

log = logging.getLogger("packamal.api")


class JsonBodyParser(Parser):
    """Empty body → all defaults; non-JSON content type → 415; malformed JSON → 400."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        body = request.body
        if not body.strip():
            return {}
        content_type = (request.content_type or "").lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "malformed_json", f"The body is not valid JSON: {exc}.") from exc
        except RecursionError as exc:
            raise ApiError(400, "malformed_json", "The body's JSON is nested too deeply.") from exc
        if data is None:  # JSON null, like an empty body, means all defaults
            return {}
        if not isinstance(data, dict):
            raise ApiError(422, "validation_error", "The body must be a JSON object.")
        return data


api = NinjaAPI(
    title="Pack-A-Mal API",
    version="1.0.0",
    description="Dispatch package-analysis jobs and watch them run.",
    parser=JsonBodyParser(),
    urls_namespace="packamal",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 413: ErrorOut, 415: ErrorOut}


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query"))
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return "Invalid request — " + "; ".join(parts) + "."


@api.exception_handler(ApiError)
def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api_error_response(exc)


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {
            "loc": [p for p in e.get("loc", ()) if p != "payload"],
            "msg": e.get("msg"),
            "type": e.get("type"),
        }
        for e in exc.errors
    ]
    return error_response(422, "validation_error", _validation_message(details), details)


@api.exception_handler(Throttled)
def _on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = max(1, math.ceil(exc.wait or 1))  # ninja sets Retry-After to the same ceiling
    return error_response(
        429,
        "rate_limited",
        f"Too many requests from this client; retry in {wait} s.",
        {"retry_after": wait},
        {"Retry-After": str(wait)},
    )


@api.exception_handler(AuthenticationError)
def _on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401, "unauthorized", "A valid API key is required (X-API-Key or Authorization: Bearer)."
    )


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ApiError):  # ninja wraps the body parser's errors
        return api_error_response(exc.__cause__)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc))


@api.exception_handler(DatabaseError)
def _on_database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "dependency_unavailable", "The database is not answering; retry.")


@api.exception_handler(RedisError)
def _on_redis_error(request: HttpRequest, exc: RedisError) -> HttpResponse:
    log.warning("redis unavailable: %s", exc)
    return error_response(503, "dependency_unavailable", "Redis is not answering; retry.")


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return body_too_large()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "The server hit an unexpected error.")


@api.post(
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
    tags=["jobs"],
)
def dispatch(request: HttpRequest, payload: DispatchIn | None = None) -> HttpResponse:
    body = payload or DispatchIn()
    job = services.job_dispatch(task=body.task, params=body.params.model_dump())
    response = JsonResponse(job.as_dict(), status=202)
    response["Location"] = f"/jobs/{job.id}"
    return response


@api.get(
    "/jobs/{job_id}",
    response={200: JobOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    auth=ReadKey(),
    summary="One job",
    tags=["jobs"],
)
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_get(job_id=job_id)
    if job is None:
        raise ApiError(404, "not_found", f"No job with id {job_id!r}.")
    return JsonResponse(job.as_dict())


@api.get(
    "/jobs",
    response={200: JobPageOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    auth=ReadKey(),
    summary="Jobs, newest first",
    tags=["jobs"],
)
def job_list(
    request: HttpRequest,
    status: Query[JobStatusLiteral | None] = None,
    limit: int = Query(50, ge=1, le=500),
    before: Query[str | None] = None,
) -> HttpResponse:
    page = selectors.job_list(status=status, limit=limit, before=before)
    return JsonResponse({"items": [j.as_dict() for j in page.items], "next": page.next})


@api.get(
    "/stats",
    response={200: StatsOut, 401: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    auth=ReadKey(),
    summary="Queue and job counters",
    tags=["jobs"],
)
def stats(request: HttpRequest) -> HttpResponse:
    q = selectors.queue_stats()
    return JsonResponse({**q, "jobs": selectors.job_counts()})


@api.get("/healthz", response={200: HealthOut}, summary="Liveness", tags=["ops"])
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@api.get("/readyz", response={200: ReadyOut, 503: ReadyOut}, summary="Readiness", tags=["ops"])
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {"postgres": _check_postgres(), "redis": _check_redis()}
    ready = all(v == "ok" for v in checks.values())
    status: Literal["ready", "not_ready"] = "ready" if ready else "not_ready"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)


def _check_postgres() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"down: {type(exc).__name__}"


def _check_redis() -> str:
    try:
        redis_client().ping()
        return "ok"
    except Exception as exc:
        return f"down: {type(exc).__name__}"


@api.get(
    "/metrics",
    auth=ReadKey(),
    summary="Prometheus metrics",
    tags=["ops"],
    openapi_extra={
        "responses": {
            200: {
                "description": "Prometheus text format",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
