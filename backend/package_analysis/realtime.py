"""The ASGI wrapper that adds lifespan (subscriber start/stop) and the /ws/jobs relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from . import metrics
from .events import Broadcaster, Subscriber

log = logging.getLogger("packamal.realtime")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WS_PATHS = frozenset({"/ws/jobs", "/ws/jobs/"})


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
        else:
            await self.http_app(scope, receive, send)

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
        if scope["path"] not in WS_PATHS:
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 4404})
            return
        first = await receive()
        if first["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        metrics.WS_CLIENTS.inc()
        queue = self.broadcaster.register()
        sender = asyncio.create_task(self._pump(queue, send))
        try:
            while True:  # drain client frames; returns when the client goes away
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    break
                if sender.done():
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
