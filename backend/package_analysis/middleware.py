"""Request guards that run before Django parses anything."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from . import ratelimit
from .auth import client_address
from .errors import error_response

# Kubernetes probes address pods by IP; these paths answer whatever the Host header says.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ApiGuardMiddleware:
    """413 for bodies over the route's limit (body_limit), decided from Content-Length
    before reading; probes answer any Host; HEAD is GET without the body; a 405 leaves as
    the JSON error shape, not Django's HTML; admin logins are throttled after failures."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in PROBE_PATHS and settings.ALLOWED_HOSTS:
            request.META["HTTP_HOST"] = settings.ALLOWED_HOSTS[0].lstrip(".").replace("*", "x")
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            return error_response(400, "bad_request", "Content-Length is not a number.")
        limit = body_limit(request.path_info)
        if size > limit:
            return body_too_large(limit)
        if request.path_info == ARCHIVE_UPLOAD_PATH:
            from .uploads import SpoolingUploadHandler

            # The file part goes to the upload store's spool as it is parsed, hashed on the way.
            request.upload_handlers = [SpoolingUploadHandler(request)]
        if request.method == "POST" and request.path_info == ADMIN_LOGIN_PATH:
            wait = ratelimit.limit_exhausted(
                "auth-failure", settings.AUTH_FAILURE_RATE_LIMIT, client_address(request)
            )
            if wait is not None:
                return throttled(wait)
        head = request.method == "HEAD"
        if head:  # every GET route answers HEAD; the server sends no body for it
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
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


ADMIN_LOGIN_PATH = "/admin/login/"


@receiver(user_login_failed)
def _count_login_failure(sender: object, request: HttpRequest | None = None, **kw: object) -> None:
    if request is not None:
        ratelimit.limit_hit(
            "auth-failure", settings.AUTH_FAILURE_RATE_LIMIT, client_address(request)
        )


def throttled(wait: float) -> HttpResponse:
    """The one 429: `rate_limited`, with the whole seconds to wait in Retry-After."""
    seconds = max(1, math.ceil(wait))
    return error_response(
        429,
        "rate_limited",
        f"Too many requests from this client; retry in {seconds} s.",
        {"retry_after": seconds},
        {"Retry-After": str(seconds)},
    )


# Multipart framing around an uploaded file: boundaries, part headers, small form fields.
MULTIPART_OVERHEAD = 64 * 1024
ARCHIVE_UPLOAD_PATH = "/analyze/upload"
UPLOAD_PATHS = frozenset({ARCHIVE_UPLOAD_PATH, "/analyze/lockfile"})


def body_limit(path: str) -> int:
    """The largest body a route takes: 64 KiB for JSON, more for a batch or a file upload."""
    if path in UPLOAD_PATHS:
        return int(settings.ANALYSIS_UPLOAD_MAX_BYTES) + MULTIPART_OVERHEAD
    if path in ("/dispatch/batch", "/jobs/summary"):
        return int(settings.MAX_BATCH_BODY_BYTES)
    return int(settings.MAX_BODY_BYTES)


def size_text(n: int) -> str:
    """1048576 → "1 MiB", 65536 → "64 KiB", 1000 → "1000 bytes"."""
    for unit, size in (("MiB", 2**20), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} bytes"


def body_too_large(limit: int | None = None, what: str = "The request body") -> HttpResponse:
    limit = settings.MAX_BODY_BYTES if limit is None else limit
    return error_response(
        413, "payload_too_large", f"{what} is over {size_text(limit)}.", {"limit": limit}
    )
