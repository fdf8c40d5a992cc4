"""Per-client rate limits kept in Redis (moving window, via the `limits` library)."""

from __future__ import annotations

import logging
import math
import threading
import time
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from ninja.errors import Throttled
from ninja.throttling import BaseThrottle

log = logging.getLogger("packamal.ratelimit")


@cache
def _storage() -> MovingWindowRateLimiter:
    storage = RedisStorage(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    return MovingWindowRateLimiter(storage)


@cache
def _item(rate: str) -> RateLimitItem | None:
    rate = rate.strip()
    return None if rate in ("", "0", "off") else parse(rate)


def _limiter() -> tuple[MovingWindowRateLimiter, RateLimitItem] | None:
    """The dispatch limit, or None when it is off."""
    item = _item(settings.DISPATCH_RATE_LIMIT)
    return None if item is None else (_storage(), item)


def cache_clear() -> None:
    _storage.cache_clear()
    _item.cache_clear()


def limit_hit(name: str, rate: str, ident: str, cost: int = 1) -> float | None:
    """Count `cost` hits of `ident` against `rate`; None if allowed, else seconds to wait.

    Fails open when Redis is down: losing the limit beats refusing every request."""
    item = _item(rate)
    if item is None:
        return None
    limiter = _storage()
    try:
        if limiter.hit(item, name, ident, cost=cost):
            return None
        reset_at, _ = limiter.get_window_stats(item, name, ident)
        return max(1.0, reset_at - time.time())
    except Exception as exc:
        _fail_open(exc)
        return None


_quiet = {"until": 0.0, "dropped": 0}
_quiet_lock = threading.Lock()


def _fail_open(exc: Exception) -> None:
    """One warning per 10 s at most: a Redis outage would otherwise log every request."""
    with _quiet_lock:
        now = time.monotonic()
        if now < _quiet["until"]:
            _quiet["dropped"] += 1
            return
        dropped, _quiet["dropped"], _quiet["until"] = _quiet["dropped"], 0, now + 10
    more = f" ({int(dropped)} more since the last warning)" if dropped else ""
    log.warning("rate limiter unavailable, allowing request: %s%s", exc, more)


def limit_exhausted(name: str, rate: str, ident: str) -> float | None:
    """Like limit_hit without counting: seconds to wait when `ident` has no hits left."""
    item = _item(rate)
    if item is None:
        return None
    limiter = _storage()
    try:
        if limiter.test(item, name, ident):
            return None
        reset_at, _ = limiter.get_window_stats(item, name, ident)
        return max(1.0, reset_at - time.time())
    except Exception as exc:
        _fail_open(exc)
        return None


def client_ident(request: HttpRequest) -> str:
    """Who a request counts as: its key's identity once authenticated, else its address.

    `request.auth` is a key identity only for a key that was valid (auth.ApiKey), so a
    client rotating made-up keys stays in its address's bucket (and bulk lane)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, str) and auth.startswith("key:"):
        return auth
    return "addr:" + str(request.META.get("REMOTE_ADDR") or "unknown")


def jobs_charge(request: HttpRequest, jobs: int) -> None:
    """Count `jobs` against the client's DISPATCH_JOB_RATE_LIMIT (batch and lockfile routes:
    the limit counts jobs, not requests); 429 with Retry-After when over, nothing made."""
    wait = limit_hit("dispatch-jobs", settings.DISPATCH_JOB_RATE_LIMIT, client_ident(request), jobs)
    if wait is not None:
        raise Throttled(wait=math.ceil(wait))


class DispatchThrottle(BaseThrottle):
    """DISPATCH_RATE_LIMIT per authenticated key, else per client address (`client_ident`;
    runs after authentication)."""

    def __init__(self) -> None:
        self._local = threading.local()  # ninja asks wait() right after allow_request()

    def allow_request(self, request: HttpRequest) -> bool:
        wait = limit_hit("dispatch", settings.DISPATCH_RATE_LIMIT, client_ident(request))
        self._local.wait = wait
        return wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
