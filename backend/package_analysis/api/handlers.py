"""Exception handlers: every error the API raises leaves in the error shape of docs/design.md."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from redis import RedisError

from ..errors import ApiError, api_error_response, error_response
from ..middleware import body_limit, body_too_large, throttled

log = logging.getLogger("packamal.api")


def install(api: NinjaAPI) -> None:
    """Register every handler below on `api`."""
    api.exception_handler(ApiError)(_on_api_error)
    api.exception_handler(ValidationError)(_on_validation_error)
    api.exception_handler(Throttled)(_on_throttled)
    api.exception_handler(AuthenticationError)(_on_auth_error)
    api.exception_handler(HttpError)(_on_http_error)
    api.exception_handler(DatabaseError)(_on_database_error)
    api.exception_handler(RedisError)(_on_redis_error)
    api.exception_handler(Exception)(_on_unexpected)


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query"))
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return "Invalid request — " + "; ".join(parts) + "."


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api_error_response(exc)


def _error_loc(err: dict[str, Any]) -> list[Any]:
    """Where the error is, without ninja's wrapper names; a bad `task` tag points at `task`."""
    loc = [p for p in err.get("loc", ()) if p != "payload"]
    if err.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        loc.append(str((err.get("ctx") or {}).get("discriminator", "")).strip("'"))
    return loc


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"loc": _error_loc(e), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors
    ]
    message = _validation_message(details)
    bad = _bad_batch_items(details)
    if bad:
        which = ", ".join(str(i) for i in bad[:50])
        if len(bad) > 50:
            which += f" and {len(bad) - 50} more"
        said = f"job at index {which} is" if len(bad) == 1 else f"jobs at indexes {which} are"
        message = f"The {said} invalid; none was dispatched. {message}"
    return error_response(422, "validation_error", message, details)


def _bad_batch_items(details: list[dict[str, Any]]) -> list[int]:
    """Indexes of the bad items of a batch body (loc: body, jobs, INDEX, ...)."""
    bad = {
        loc[2]
        for loc in (d["loc"] for d in details)
        if len(loc) > 2 and loc[:2] == ["body", "jobs"] and isinstance(loc[2], int)
    }
    return sorted(bad)


def _on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return throttled(exc.wait or 1)  # ninja sets Retry-After to the same ceiling


def _on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401, "unauthorized", "A valid API key is required (X-API-Key or Authorization: Bearer)."
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ApiError):  # ninja wraps the body parser's errors
        return api_error_response(exc.__cause__)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc))


def _on_database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "dependency_unavailable", "The database is not answering; retry.")


def _on_redis_error(request: HttpRequest, exc: RedisError) -> HttpResponse:
    log.warning("redis unavailable: %s", exc)
    return error_response(503, "dependency_unavailable", "Redis is not answering; retry.")


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return body_too_large(body_limit(request.path_info))
    if isinstance(exc, MultiPartParserError):  # e.g. multipart/form-data with no boundary
        return error_response(400, "malformed_multipart", f"The multipart body is malformed: {exc}")
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "The server hit an unexpected error.")
