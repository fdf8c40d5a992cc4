"""Per-client dispatch rate limit kept in Redis (moving window, via the `limits` library)."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from ninja.throttling import BaseThrottle

log = logging.getLogger("packamal.ratelimit")


@cache
def _limiter() -> tuple[MovingWindowRateLimiter, RateLimitItem] | None:
    rate = settings.DISPATCH_RATE_LIMIT.strip()
    if rate in ("", "0", "off"):
        return None
    item = parse(rate)
    storage = RedisStorage(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    return MovingWindowRateLimiter(storage), item


class DispatchThrottle(BaseThrottle):
    """Fails open when Redis is down: losing the limit beats refusing every dispatch."""

    def __init__(self) -> None:
        self._local = threading.local()  # ninja asks wait() right after allow_request()

    def allow_request(self, request: HttpRequest) -> bool:
        configured = _limiter()
        if configured is None:
            return True
        limiter, item = configured
        key = request.headers.get("X-API-Key")
        ident = (
            "key:" + hashlib.sha256(key.encode()).hexdigest()[:32]
            if key
            else self.get_ident(request) or "anonymous"
        )
        try:
            if limiter.hit(item, "dispatch", ident):
                return True
            reset_at, _ = limiter.get_window_stats(item, "dispatch", ident)
            self._local.wait = max(1.0, reset_at - time.time())
            return False
        except Exception as exc:
            log.warning("rate limiter unavailable, allowing request: %s", exc)
            return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
