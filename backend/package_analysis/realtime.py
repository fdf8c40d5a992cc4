"""The ASGI wrapper around Django: lifespan (subscriber start/stop), the /ws/jobs relay,
liveness, and request bodies read on the event loop before a thread is taken."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host

from . import metrics
from .auth import key_matches, request_key
from .events import Broadcaster, Subscriber
from .middleware import body_limit, size_text

log = logging.getLogger("packamal.realtime")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WS_PATHS = frozenset({"/ws/jobs", "/ws/jobs/"})
LIVENESS_PATHS = frozenset({"/healthz"})
# Close codes: 1008 policy violation (the relay only sends), 1013 try again later (full).
WS_POLICY, WS_FULL, WS_FORBIDDEN = 1008, 1013, 4403


class RealtimeApp:
    def __init__(self, http_app: ASGIApp) -> None:
        self.http_app = http_app
        self.broadcaster = Broadcaster()
        self.subscriber: Subscriber | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["path"] in LIVENESS_PATHS and scope["method"] in ("GET", "HEAD"):
            # Liveness on the event loop: slow clients holding every HTTP thread do not
            # make the kubelet restart a process that is alive.
            await _json(send, 200, {"status": "ok"}, head=scope["method"] == "HEAD")
        else:
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the whole body here, bounded in size and time, then hand Django a request
        with a Content-Length: chunked bodies get read (not dropped), and a slow body
        never holds one of the API_THREADS."""
        prefix = _header(scope, b"x-forwarded-prefix")
        if prefix in ("/api",):  # set by the web role's nginx: links and docs say /api/...
            scope["root_path"] = prefix
        limit = body_limit(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        # The body must come at a sane pace: BODY_READ_TIMEOUT, plus a second per 256 KiB
        # of what may come (a slow upload holds a coroutine here, never an HTTP thread).
        expected = int(declared) if declared is not None and declared.isdigit() else limit
        allowed = settings.BODY_READ_TIMEOUT + expected / (256 * 1024)
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(allowed):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        await _too_large(send, limit)
                        return
                    chunks.append(chunk)
                    if not message.get("more_body"):
                        break
        except TimeoutError:
            await _error(send, 408, "request_timeout",
                         f"The request body did not arrive within {allowed:.0f} s.")  # fmt: skip
            return
        body = b"".join(chunks)
        framing = (b"content-length", b"transfer-encoding")
        headers = [(k, v) for k, v in scope["headers"] if k not in framing]
        if body or _header(scope, b"content-length") is not None:
            headers.append((b"content-length", str(len(body)).encode()))
        scope["headers"] = headers
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.http_app(scope, replay, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.subscriber = Subscriber(self.broadcaster)
                self.subscriber.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.subscriber:
                    await self.subscriber.stop()
                for q in list(self.broadcaster.clients):
                    q.put_nowait(None)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        first = await receive()
        if first["type"] != "websocket.connect":
            return
        if scope["path"] not in WS_PATHS:
            await send({"type": "websocket.close", "code": 4404})
            return
        refusal = ws_refusal(scope)
        if refusal is not None:
            log.info("websocket refused: %s", refusal)
            metrics.WS_REFUSED.labels(reason=refusal).inc()
            await send({"type": "websocket.close", "code": WS_FORBIDDEN})
            return
        if len(self.broadcaster.clients) >= settings.WS_MAX_CLIENTS:
            metrics.WS_REFUSED.labels(reason="full").inc()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": WS_FULL, "reason": "server full"})
            return
        await send({"type": "websocket.accept"})
        metrics.WS_CLIENTS.inc()
        queue = self.broadcaster.register()
        sender = asyncio.create_task(self._pump(queue, send))
        try:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect" or sender.done():
                    break
                if message["type"] == "websocket.receive":
                    # The relay only sends: a client that sends data is closed at once.
                    metrics.WS_REFUSED.labels(reason="client_data").inc()
                    await send({"type": "websocket.close", "code": WS_POLICY,
                                "reason": "this socket only sends"})  # fmt: skip
                    break
        finally:
            self.broadcaster.unregister(queue)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def _pump(self, queue: asyncio.Queue[str | None], send: Send) -> None:
        while True:
            frame = await queue.get()
            if frame is None:
                await send({"type": "websocket.close", "code": 1001})
                return
            await send({"type": "websocket.send", "text": frame})


def ws_refusal(scope: Scope) -> str | None:
    """Why this WebSocket may not open (a reason label), or None when it may."""
    origin = _header(scope, b"origin")
    if origin is not None and not origin_allowed(scope, origin):
        return "origin"
    if settings.API_READ_KEYS:
        headers = {k.decode("latin1").lower(): v.decode("latin1") for k, v in scope["headers"]}
        key = request_key({"X-API-Key": headers.get("x-api-key"),
                           "Authorization": headers.get("authorization")})  # fmt: skip
        if not key_matches(key, [*settings.API_READ_KEYS, *settings.DISPATCH_API_KEYS]):
            return "key"
    return None


def origin_allowed(scope: Scope, origin: str) -> bool:
    """A browser's Origin must be the page's own host (Host, or nginx's X-Forwarded-Host),
    a host in ALLOWED_HOSTS, or listed in WS_ALLOWED_ORIGINS."""
    origin = origin.strip().rstrip("/").lower()
    if origin in settings.WS_ALLOWED_ORIGINS:
        return True
    try:
        host = (urlsplit(origin).hostname or "").lower()
    except ValueError:
        return False
    if not host:
        return False
    own = {
        _hostname(_header(scope, b"host")),
        _hostname(_header(scope, b"x-forwarded-host")),
    }
    return host in own or validate_host(host, settings.ALLOWED_HOSTS)


def _hostname(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return urlsplit(f"//{value.strip()}").hostname
    except ValueError:
        return None


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return str(v.decode("latin1"))
    return None


async def _json(send: Send, status: int, body: Any, *, head: bool = False) -> None:
    data = json.dumps(body).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": b"" if head else data})


async def _error(send: Send, status: int, code: str, message: str) -> None:
    await _json(send, status, {"error": {"code": code, "message": message, "details": None}})


async def _too_large(send: Send, limit: int) -> None:
    """The same answer as middleware.body_too_large, before a thread is taken."""
    body = {"code": "payload_too_large", "message": f"The request body is over {size_text(limit)}.",
            "details": {"limit": limit}}  # fmt: skip
    await _json(send, 413, {"error": body})
