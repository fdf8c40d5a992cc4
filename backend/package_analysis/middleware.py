"""Request guards that run before Django parses anything."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .errors import error_response

# Kubernetes probes address pods by IP; these paths answer whatever the Host header says.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ApiGuardMiddleware:
    """413 for bodies over MAX_BODY_BYTES, decided from Content-Length before reading;
    probes answer any Host; a 405 leaves as the JSON error shape, not Django's HTML."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PROBE_PATHS and settings.ALLOWED_HOSTS:
            request.META["HTTP_HOST"] = settings.ALLOWED_HOSTS[0].lstrip(".").replace("*", "x")
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            return error_response(400, "bad_request", "Content-Length is not a number.")
        if size > body_limit(request.path):
            return body_too_large(body_limit(request.path))
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            json_response = error_response(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here.",
                {"allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
            )
            json_response["Allow"] = allowed
            return json_response
        return response


def body_limit(path: str) -> int:
    """The largest body a route takes: files on the upload routes, 64 KiB elsewhere."""
    return (
        settings.ANALYSIS_UPLOAD_MAX_BYTES
        if path in settings.UPLOAD_PATHS
        else settings.MAX_BODY_BYTES
    )


def body_too_large(limit: int | None = None) -> HttpResponse:
    limit = settings.MAX_BODY_BYTES if limit is None else limit
    size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"
    return error_response(413, "payload_too_large", f"The request body is over {size}.")
