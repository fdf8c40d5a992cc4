"""The security review's public-path findings, reproduced through the real roles: the api
(uvicorn via docker/entrypoint.sh) and the web role (real nginx via docker/entrypoint.sh web),
with real PostgreSQL and Redis. Each test is the review's repro command, answered as
"should" says."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from package_analysis.models import Job

from .conftest import Role, free_port, wait_ready, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BODY = b'{"params": {"seconds": 0, "mode": "sleep"}}'
JSON = {"Content-Type": "application/json"}


@dataclass
class Stack:
    api: str  # http://127.0.0.1:PORT of the api itself
    web: str  # http://127.0.0.1:PORT of nginx
    api_role: Role
    web_role: Role

    @property
    def api_port(self) -> int:
        return int(self.api.rsplit(":", 1)[1])

    @property
    def web_port(self) -> int:
        return int(self.web.rsplit(":", 1)[1])


@pytest.fixture
def stack_factory(
    start_role: Callable[..., Role],
) -> Iterator[Callable[..., Stack]]:
    made: list[Path] = []

    def start(
        api_env: dict[str, str] | None = None, web_env: dict[str, str] | None = None
    ) -> Stack:
        api_port, web_port = free_port(), free_port()
        api = start_role("api", PORT=str(api_port), **(api_env or {}))
        # nginx's workers may run as nobody: a directory they can reach (not pytest's 0700 one)
        root = Path(tempfile.mkdtemp(prefix="packamal-web-"))
        root.chmod(0o755)
        made.append(root)
        (root / "index.html").write_text("<!doctype html><title>dashboard</title>")
        web = start_role(
            "web",
            WEB_PORT=str(web_port),
            WEB_ROOT=str(root),
            API_UPSTREAM=f"http://127.0.0.1:{api_port}",
            NGINX_RUN_DIR=str(root / "run"),
            **(web_env or {}),
        )
        s = Stack(f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{web_port}", api, web)

        def up() -> bool:
            try:
                return (
                    httpx.get(f"{s.api}/readyz", timeout=1).status_code == 200
                    and httpx.get(f"{s.web}/healthz", timeout=1).status_code == 200
                )
            except httpx.HTTPError:
                return False

        wait_ready(up, "api and web up", api, web)
        return s

    yield start
    for root in made:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def stack(stack_factory: Callable[..., Stack]) -> Stack:
    return stack_factory()


def assert_json_error(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body


def raw(port: int, data: bytes, timeout: float = 5) -> bytes:
    """Send bytes as they are and read the whole answer (the connection is closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := s.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks)


def raw_json_error(answer: bytes, status: int, code: str) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == str(status).encode(), answer[:300]
    assert b"content-type: application/json" in head.lower(), head
    assert f'"code": "{code}"'.encode() in body, body


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


# ---------------------------------------------------------------- H1, M1


def test_rotating_keys_and_forwarded_for_do_not_escape_the_limit(
    stack_factory: Callable[..., Stack],
) -> None:
    s = stack_factory(api_env={"DISPATCH_RATE_LIMIT": "5/minute"})
    codes = [
        httpx.post(
            f"{s.web}/api/dispatch", content=BODY, headers={**JSON, "X-API-Key": f"junk-{i}"}
        ).status_code
        for i in range(10)
    ]
    assert codes == [202] * 5 + [429] * 5
    # a made-up X-Forwarded-For changes nothing, through web or on the api port (the api
    # trusts forwarding headers only from FORWARDED_ALLOW_IPS, here 127.0.0.1 = nginx)
    for base, path in ((s.web, "/api/dispatch"),):
        r = httpx.post(
            f"{base}{path}", content=BODY, headers={**JSON, "X-Forwarded-For": "10.0.0.9"}
        )
        assert_json_error(r, 429, "rate_limited")
    assert Job.objects.count() == 5


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    stack_factory: Callable[..., Stack],
) -> None:
    # The api trusts no proxy here (an address the test never connects from).
    s = stack_factory(
        api_env={"DISPATCH_RATE_LIMIT": "3/minute", "FORWARDED_ALLOW_IPS": "10.255.255.1"}
    )
    codes = [
        httpx.post(
            f"{s.api}/dispatch", content=BODY, headers={**JSON, "X-Forwarded-For": f"10.0.0.{i}"}
        ).status_code
        for i in range(6)
    ]
    assert codes == [202, 202, 202, 429, 429, 429]


def test_nginx_takes_the_client_from_a_trusted_load_balancer_only(
    stack_factory: Callable[..., Stack],
) -> None:
    """WEB_REAL_IP_FROM: the load balancer's X-Forwarded-For names the client (one bucket
    per real client, not one for everyone behind the LB); spoofed hops to its left do not."""
    s = stack_factory(
        api_env={"DISPATCH_RATE_LIMIT": "2/minute"}, web_env={"WEB_REAL_IP_FROM": "127.0.0.1"}
    )

    def via_lb(client: str, spoof: str = "") -> int:
        xff = f"{spoof}, {client}" if spoof else client
        return httpx.post(
            f"{s.web}/api/dispatch", content=BODY, headers={**JSON, "X-Forwarded-For": xff}
        ).status_code

    assert [via_lb("203.0.113.1") for _ in range(3)] == [202, 202, 429]
    assert [via_lb("203.0.113.2") for _ in range(2)] == [202, 202]
    assert via_lb("203.0.113.1", spoof="198.51.100.7") == 429


# ---------------------------------------------------------------- H2


def test_websocket_inbound_data_is_refused_and_memory_stays_flat(stack: Stack) -> None:
    """The review's ws_bomb through nginx: 24 sockets x 2 x 16 MiB zero frames offered with
    permessage-deflate. Deflate is not negotiated, a frame over 4 KiB closes with 1009, a
    small one with 1008, and the api's RSS stays flat (at 855b442: +500 MiB, and it stayed)."""
    pid = stack.api_role.proc.pid
    url = stack.web.replace("http", "ws") + "/ws/jobs"
    with connect(url, open_timeout=5):  # warm up: the first socket's one-off allocations
        pass
    time.sleep(0.5)
    before = rss_mib(pid)

    async def bomb() -> list[int | None]:
        socks = []
        for _ in range(4):  # WEB_WS_PER_CLIENT is 8 per address: stay under it, loop more
            socks.append(
                await websockets.connect(
                    url, compression="deflate", max_size=None, origin=None, open_timeout=5
                )
            )
        assert all(c.response.headers.get("Sec-WebSocket-Extensions") is None for c in socks)
        zeros = b"\0" * (16 * 1024 * 1024 - 64)
        codes = []
        try:
            for c in socks:
                # The server closes while the client still writes its 16 MiB: the client
                # library then aborts a transport asyncio has already let go of, which raises
                # AttributeError ('NoneType' … 'call_soon') instead of ConnectionClosed.
                with contextlib.suppress(ConnectionClosed, OSError, AttributeError):
                    await c.send(zeros)
                    await c.send(zeros)
                with contextlib.suppress(ConnectionClosed, TimeoutError):
                    await asyncio.wait_for(c.recv(), 5)
                codes.append(c.close_code)
        finally:
            for c in socks:
                with contextlib.suppress(Exception):
                    await c.close()
        return codes

    codes: list[int | None] = []
    for _ in range(6):  # 24 sockets in all, as in the review
        codes += asyncio.run(bomb())
    # every socket was closed by the server: 1009 (too big), or 1006 when the close arrived
    # while the client was still writing its 16 MiB
    assert set(codes) <= {1009, 1006}, codes
    for frame, code in (("x" * 5000, 1009), ("hello", 1008)):
        with connect(url, open_timeout=5) as ws:
            ws.send(frame)
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
            assert ws.close_code == code
    time.sleep(0.5)
    grown = rss_mib(pid) - before
    assert grown < 30, f"api RSS grew {grown:.0f} MiB (before {before:.0f})"


# ---------------------------------------------------------------- M2, L5 (WebSocket)


def open_upgrade(port: int, origin: str | None = None) -> tuple[socket.socket, bytes]:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = f"Origin: {origin}\r\n" if origin else ""
    s.sendall(
        f"GET /ws/jobs HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"{extra}\r\n".encode()
    )
    return s, s.recv(4096)


def test_one_client_cannot_hold_more_than_its_share_of_websockets(stack: Stack) -> None:
    held = []
    try:
        answers = []
        for _ in range(40):
            sock, head = open_upgrade(stack.web_port)
            held.append(sock)
            answers.append(head.split(b" ")[1])
        assert answers.count(b"101") == 8, answers  # WEB_WS_PER_CLIENT
        assert set(answers[8:]) == {b"429"}
        # everyone else (and this client's plain requests) still get through
        assert httpx.get(f"{stack.web}/api/stats", timeout=5).status_code == 200
        assert httpx.get(f"{stack.web}/", timeout=5).status_code == 200
    finally:
        for sock in held:
            sock.close()


def test_each_api_process_caps_its_websocket_clients(stack_factory: Callable[..., Stack]) -> None:
    s = stack_factory(api_env={"WS_MAX_CLIENTS": "3"})
    url = s.api.replace("http", "ws") + "/ws/jobs"
    with contextlib.ExitStack() as held:
        for _ in range(3):
            held.enter_context(connect(url, open_timeout=5))
        with connect(url, open_timeout=5) as extra:
            with pytest.raises(ConnectionClosed):
                extra.recv(timeout=5)
            assert extra.close_code == 1013
        assert httpx.get(f"{s.api}/healthz", timeout=5).status_code == 200
    with connect(url, open_timeout=5) as again, pytest.raises(TimeoutError):
        again.recv(timeout=0.5)  # room again once they left


def test_websocket_origin_must_be_the_pages_own(stack: Stack) -> None:
    url = stack.web.replace("http", "ws") + "/ws/jobs"
    with pytest.raises(InvalidStatus, match="403"):
        connect(url, origin="https://evil.example", open_timeout=5)  # type: ignore[arg-type]
    with connect(url, origin=stack.web, open_timeout=5) as ws, pytest.raises(TimeoutError):  # type: ignore[arg-type]
        ws.recv(timeout=0.3)
    with connect(url, open_timeout=5) as ws, pytest.raises(TimeoutError):  # no Origin
        ws.recv(timeout=0.3)


def test_websocket_needs_a_read_key_when_reads_are_protected(
    stack_factory: Callable[..., Stack],
) -> None:
    key = "r" * 40
    s = stack_factory(api_env={"API_READ_KEYS": key})
    url = s.web.replace("http", "ws") + "/ws/jobs"
    with pytest.raises(InvalidStatus, match="403"):
        connect(url, open_timeout=5)
    with (
        connect(url, additional_headers={"X-API-Key": key}, open_timeout=5) as ws,
        pytest.raises(TimeoutError),
    ):
        ws.recv(timeout=0.3)
    assert_json_error(httpx.get(f"{s.web}/api/jobs"), 401, "unauthorized")
    assert httpx.get(f"{s.web}/api/jobs", headers={"X-API-Key": key}).status_code == 200


# ---------------------------------------------------------------- M3


def test_admin_is_not_on_the_public_path(stack: Stack) -> None:
    for path in ("/api/admin/", "/api/admin/login/"):
        assert_json_error(httpx.get(f"{stack.web}{path}"), 404, "not_found")
        assert_json_error(
            httpx.post(f"{stack.web}{path}", data={"username": "a", "password": "b"}),
            404,
            "not_found",
        )
    # still there for a port-forward to the api itself
    assert httpx.get(f"{stack.api}/admin/login/").status_code == 200


# ---------------------------------------------------------------- M4, L1


def chunked(port: int, body: bytes) -> bytes:
    pieces = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 1000]), body[i : i + 1000])
        for i in range(0, len(body), 1000)
    )
    return raw(
        port,
        b"POST /dispatch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + pieces + b"0\r\n\r\n",
    )


def test_chunked_bodies_are_read_with_the_same_limits(stack: Stack) -> None:
    answer = chunked(stack.api_port, BODY)
    assert answer.startswith(b"HTTP/1.1 202"), answer[:200]
    assert b'"params": {"seconds": 0.0, "mode": "sleep"}' in answer
    raw_json_error(chunked(stack.api_port, b'{"params":{"seconds":-5'), 400, "malformed_json")
    raw_json_error(chunked(stack.api_port, b"x" * 300_000), 413, "payload_too_large")
    assert [j.params for j in Job.objects.all()] == [{"seconds": 0.0, "mode": "sleep"}]


def test_slow_bodies_hold_no_thread_and_time_out(stack_factory: Callable[..., Stack]) -> None:
    s = stack_factory(api_env={"BODY_READ_TIMEOUT": "3", "API_THREADS": "4"})
    slow = []
    for _ in range(16):
        sock = socket.create_connection(("127.0.0.1", s.api_port), timeout=10)
        sock.sendall(
            b"POST /dispatch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        slow.append(sock)
    try:
        assert httpx.get(f"{s.api}/healthz", timeout=2).json() == {"status": "ok"}
        assert httpx.get(f"{s.api}/jobs?limit=1", timeout=2).status_code == 200
        for sock in slow:
            head = sock.recv(4096)
            assert head.startswith(b"HTTP/1.1 408"), head
            assert b'"code": "request_timeout"' in head or b"request_timeout" in sock.recv(4096)
    finally:
        for sock in slow:
            sock.close()
    assert Job.objects.count() == 0


# ---------------------------------------------------------------- L3


def test_every_error_on_the_public_api_path_is_json(stack: Stack) -> None:
    w = stack.web
    assert_json_error(
        httpx.post(f"{w}/api/dispatch", content=b"x" * (1024 * 1024 + 10), headers=JSON),
        413,
        "payload_too_large",
    )
    assert_json_error(httpx.get(f"{w}/api/jobs?x=" + "a" * 9000), 414, "uri_too_long")
    assert_json_error(
        httpx.get(f"{w}/api/jobs", headers={"X-Big": "a" * 9000}), 400, "header_too_large"
    )
    assert_json_error(httpx.request("FOO", f"{w}/api/jobs"), 405, "method_not_allowed")
    assert_json_error(httpx.request("TRACE", f"{w}/api/jobs"), 405, "method_not_allowed")
    assert_json_error(httpx.request("DELETE", f"{w}/api/jobs"), 405, "method_not_allowed")
    raw_json_error(
        raw(stack.web_port, b"GET /api/jobs/%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        400,
        "bad_request",
    )
    raw_json_error(
        raw(
            stack.web_port,
            b"POST /api/dispatch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n"
            b"Connection: close\r\n\r\n",
        ),
        501,
        "not_implemented",
    )
    head = httpx.head(f"{w}/api/jobs")
    assert head.status_code == 200 and head.headers["content-type"].startswith("application/json")
    deep = httpx.post(f"{w}/api/dispatch", content=b"[" * 30000, headers=JSON)
    assert_json_error(deep, 400, "malformed_json")


def test_multipart_without_a_boundary_is_400(stack: Stack) -> None:
    """Found by the fuzzer (schemathesis ST102, `make test-chaos`): it was a 500."""
    for base, path in ((stack.api, "/analyze/lockfile"), (stack.web, "/api/analyze/lockfile")):
        r = httpx.post(f"{base}{path}", headers={"Content-Type": "multipart/form-data"})
        assert_json_error(r, 400, "malformed_multipart")
    assert Job.objects.count() == 0


# ---------------------------------------------------------------- L4


def test_one_set_of_security_headers_and_working_docs(stack: Stack) -> None:
    for path in ("/api/jobs", "/api/docs", "/"):
        r = httpx.get(f"{stack.web}{path}")
        for name in (
            "referrer-policy",
            "x-frame-options",
            "x-content-type-options",
            "cross-origin-opener-policy",
            "content-security-policy",
        ):
            assert len(r.headers.get_list(name)) == 1, (path, name, r.headers.get_list(name))
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS
    docs = httpx.get(f"{stack.web}/api/docs").text
    assert "/api/openapi.json" in docs
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"/static/ninja/{asset}" in docs
        js = httpx.get(f"{stack.web}/static/ninja/{asset}")
        assert js.status_code == 200
        assert js.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert httpx.get(f"{stack.web}/api/openapi.json").json()["info"]["title"] == "Pack-A-Mal API"


def test_hsts_only_behind_a_trusted_tls_load_balancer(stack_factory: Callable[..., Stack]) -> None:
    s = stack_factory(web_env={"WEB_REAL_IP_FROM": "127.0.0.1"})
    for path in ("/", "/api/jobs"):
        r = httpx.get(f"{s.web}{path}", headers={"X-Forwarded-Proto": "https"})
        assert r.headers.get_list("strict-transport-security") == ["max-age=31536000"], path
        assert "strict-transport-security" not in httpx.get(f"{s.web}{path}").headers


# ---------------------------------------------------------------- L6


def test_bad_host_is_one_warning_line_without_a_traceback(stack: Stack) -> None:
    for _ in range(5):
        answer = raw(
            stack.api_port, b"GET /jobs HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n"
        )
        raw_json_error(answer, 400, "bad_request")
    wait_until(lambda: "Invalid HTTP_HOST" in stack.api_role.output, 5, "the warning")
    time.sleep(0.5)
    lines = [ln for ln in stack.api_role.lines if "DisallowedHost" in ln or "Traceback" in ln]
    assert len(lines) == 1, lines
    assert "WARNING" in lines[0] and "evil.com" in lines[0]


_ = Any
