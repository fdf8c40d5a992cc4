"""The ASGI wrapper around Django: lifespan (subscriber start/stop), the /ws/jobs relay,
liveness, and request bodies read on the event loop before a thread is taken."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable, MutableMapping
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host

from . import metrics
from .auth import key_matches, request_key
from .events import Broadcaster, Subscriber
from .middleware import UPLOAD_PATHS, body_limit, size_text

log = logging.getLogger("packamal.realtime")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SPOOL_IN_MEMORY = 1024 * 1024  # a body past this waits in a file
REPLAY_CHUNK = 64 * 1024
WS_PATHS = frozenset({"/ws/jobs", "/ws/jobs/"})
LIVENESS_PATHS = frozenset({"/healthz"})
# Close codes: 1008 policy violation (the relay only sends), 1013 try again later (full).
WS_POLICY, WS_FULL, WS_FORBIDDEN = 1008, 1013, 4403


class RealtimeApp:
    def __init__(self, http_app: ASGIApp) -> None:
        self.http_app = http_app
        self.broadcaster = Broadcaster()
        self.subscriber: Subscriber | None = None
        self.uploading = 0  # upload bodies being received by this process (UPLOAD_CONCURRENCY)

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
        """Read the body here, bounded in size and time, before a thread is taken, into a
        spool (memory up to 1 MiB, then a file: upload bodies in the upload store's volume),
        then hand Django a request with a Content-Length: chunked bodies get read (not
        dropped), a slow body never holds one of the API_THREADS, and no body is ever held
        whole in memory."""
        prefix = _header(scope, b"x-forwarded-prefix")
        if prefix in ("/api",):  # set by the web role's nginx: links and docs say /api/...
            scope["root_path"] = prefix
        limit = body_limit(scope["path"])
        declared = _header(scope, b"content-length")
        length = int(declared) if declared is not None and declared.isdigit() else None
        if length is not None and length > limit:
            await _too_large(send, limit)
            return
        upload = scope["path"] in UPLOAD_PATHS and scope["method"] == "POST"
        if upload and self.uploading >= settings.UPLOAD_CONCURRENCY:
            metrics.DISPATCH_REFUSED.labels(reason="too_many_uploads").inc()
            await _error(send, 503, "too_many_uploads",
                         "This server is receiving as many uploads as it takes at once; "
                         "retry in a few seconds.", {"retry_after": 5}, retry_after=5)  # fmt: skip
            return
        self.uploading += upload
        try:
            body = _spool(upload)
            with body:
                size = await _receive_body(receive, send, body, limit, length)
                if size is None:
                    return
                framing = (b"content-length", b"transfer-encoding")
                headers = [(k, v) for k, v in scope["headers"] if k not in framing]
                if size or declared is not None or _header(scope, b"transfer-encoding"):
                    headers.append((b"content-length", str(size).encode()))
                scope["headers"] = headers
                body.seek(0)
                await self.http_app(scope, _replay(body, receive), send)
        finally:
            self.uploading -= upload

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


def _spool(upload: bool) -> IO[bytes]:
    """Where a body waits for Django: memory up to 1 MiB, then an anonymous file (for upload
    routes in the upload store's volume, sized for them, not the api's small /tmp)."""
    folder = None
    if upload:
        folder = os.path.join(settings.ANALYSIS_UPLOAD_DIR, ".spool")
        os.makedirs(folder, exist_ok=True)
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, dir=folder)


async def _receive_body(
    receive: Receive, send: Send, body: IO[bytes], limit: int, length: int | None
) -> int | None:
    """Read the body into `body`; its size, or None when an error was answered (or the
    client left). The body must come at a sane pace: BODY_READ_TIMEOUT, plus a second per
    256 KiB of what may come (a slow upload holds a coroutine here, never an HTTP thread)."""
    allowed = settings.BODY_READ_TIMEOUT + (limit if length is None else length) / (256 * 1024)
    size = 0
    try:
        async with asyncio.timeout(allowed):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    await _too_large(send, limit)
                    return None
                body.write(chunk)
                if not message.get("more_body"):
                    return size
    except TimeoutError:
        sentence = f"The request body did not arrive within {allowed:.0f} s."
        await _error(send, 408, "request_timeout", sentence)
        return None


def _replay(body: IO[bytes], receive: Receive) -> Receive:
    """The spooled body as ASGI messages of REPLAY_CHUNK bytes, then the client's own."""
    finished = False

    async def replay() -> Message:
        nonlocal finished
        if finished:
            return await receive()
        chunk = body.read(REPLAY_CHUNK)
        finished = len(chunk) < REPLAY_CHUNK
        return {"type": "http.request", "body": chunk, "more_body": not finished}

    return replay


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


async def _json(
    send: Send,
    status: int,
    body: Any,
    *,
    head: bool = False,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    data = json.dumps(body).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()), *(headers or [])],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": b"" if head else data})


async def _error(
    send: Send,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    *,
    retry_after: int | None = None,
) -> None:
    body = {"error": {"code": code, "message": message, "details": details}}
    extra = [] if retry_after is None else [(b"retry-after", str(retry_after).encode())]
    await _json(send, status, body, headers=extra)


async def _too_large(send: Send, limit: int) -> None:
    """The same answer as middleware.body_too_large, before a thread is taken."""
    body = {"code": "payload_too_large", "message": f"The request body is over {size_text(limit)}.",
            "details": {"limit": limit}}  # fmt: skip
    await _json(send, 413, {"error": body})
