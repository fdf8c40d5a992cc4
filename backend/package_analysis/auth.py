"""API keys: which key a request carries, whether it is valid, and throttling of failures.

A key names its own rate-limit bucket only once it has authenticated; anything else is
identified by the client address uvicorn derived (see FORWARDED_ALLOW_IPS)."""

from __future__ import annotations

import hashlib
import hmac
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.security import APIKeyHeader

from . import ratelimit
from .errors import ApiError


def request_key(headers: Any) -> str | None:
    """The key in `X-API-Key`, else in `Authorization: Bearer`; None when neither is there."""
    key = headers.get("X-API-Key")
    if key is None:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        key = token.strip() if scheme.lower() == "bearer" else None
    return key or None


def key_matches(key: str | None, valid_keys: list[str]) -> bool:
    """Constant-time comparison against every key, so timing reveals nothing."""
    if not key:
        return False
    candidate = key.encode()
    matched = False
    for valid in valid_keys:
        matched |= hmac.compare_digest(candidate, valid.encode())
    return matched


def key_ident(key: str) -> str:
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def client_address(request: HttpRequest) -> str:
    """The client's address as uvicorn settled it (proxy headers from trusted peers only)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def auth_failure_throttle(request: HttpRequest) -> None:
    """Count one failed authentication for this client; 429 once over AUTH_FAILURE_RATE_LIMIT."""
    wait = ratelimit.limit_hit(
        "auth-failure", settings.AUTH_FAILURE_RATE_LIMIT, client_address(request)
    )
    if wait is not None:
        raise Throttled(wait=math.ceil(wait))


class ApiKey(APIKeyHeader):
    """X-API-Key or `Authorization: Bearer` from `keys()`; open while `keys()` is empty.

    On success `request.auth` is the key's rate-limit identity (or True when open)."""

    param_name = "X-API-Key"

    def keys(self) -> list[str]:
        raise NotImplementedError

    def __call__(self, request: HttpRequest) -> Any:
        valid = self.keys()
        if not valid:
            return True
        return self.authenticate(request, request_key(request.headers))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key_matches(key, self.keys()):
            return key_ident(key or "")
        auth_failure_throttle(request)
        return None


class DispatchKey(ApiKey):
    """Dispatch: one of DISPATCH_API_KEYS, when set."""

    def keys(self) -> list[str]:
        return list(settings.DISPATCH_API_KEYS)


class ReadKey(ApiKey):
    """Reads: one of API_READ_KEYS or DISPATCH_API_KEYS, when API_READ_KEYS is set."""

    def keys(self) -> list[str]:
        if not settings.API_READ_KEYS:
            return []
        return [*settings.API_READ_KEYS, *settings.DISPATCH_API_KEYS]


def bulk_force_check(request: HttpRequest, forced: bool) -> None:
    """`force` on a batch or a lockfile downloads and analyses every package again (the
    review's M1): only a caller with a dispatch key may ask for it (403 otherwise)."""
    auth = getattr(request, "auth", None)
    if forced and not (isinstance(auth, str) and auth.startswith("key:")):
        raise ApiError(
            403,
            "force_needs_key",
            "`force` on a batch or a lockfile needs a dispatch API key (DISPATCH_API_KEYS); "
            "without it, cached reports are reused. Single dispatches may still force.",
        )
