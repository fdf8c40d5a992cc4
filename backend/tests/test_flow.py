"""The whole pipeline through real processes: api (uvicorn via the entrypoint) → Redis →
worker → PostgreSQL → job_updates → the api's log line and a WebSocket client."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

import harness

from .conftest import ENTRYPOINT, Role, api_start, free_port, role_env, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def api(start_role: Callable[..., Role]) -> Iterator[tuple[str, Role]]:
    base, role = api_start(start_role)
    role.wait_for_line("subscribed to job_updates")
    yield base, role


class WsCollector:
    """A real WebSocket client that records every frame in a background thread."""

    def __init__(self, url: str) -> None:
        self.frames: list[dict[str, Any]] = []
        self.url = url
        self.opened = threading.Event()
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.opened.wait(10), "the WebSocket did not open"

    def _run(self) -> None:
        with connect(self.url, open_timeout=10) as ws:
            self.opened.set()
            while not self.closing.is_set():
                try:
                    self.frames.append(json.loads(ws.recv(timeout=0.2)))
                except TimeoutError:
                    continue

    def close(self) -> None:
        self.closing.set()
        self.thread.join(5)

    def of(self, job_id: str) -> list[str]:
        return [f["event"] for f in self.frames if f["id"] == job_id]


def test_dispatch_to_completed_with_events_log_and_websocket(
    api: tuple[str, Role], start_role: Callable[..., Role]
) -> None:
    base, api_role = api
    ws = WsCollector(base.replace("http", "ws") + "/ws/jobs")
    start_role("worker", "--name", "flow-worker")

    response = httpx.post(f"{base}/dispatch", json={"params": {"seconds": 2, "mode": "sleep"}})
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.headers["location"] == f"/jobs/{job_id}"

    wait_until(
        lambda: httpx.get(f"{base}/jobs/{job_id}").json()["status"] == "running", 20, "running"
    )
    job = wait_until(
        lambda: (j := httpx.get(f"{base}/jobs/{job_id}").json())["status"] == "completed" and j,
        20,
        "completed",
    )
    assert job["attempts"] == 1 and job["worker"] == "flow-worker" and job["progress"] == 1.0
    assert job["created_at"] <= job["started_at"] <= job["completed_at"]

    line = api_role.wait_for_line(f"job {job_id} completed")
    assert "completed" in line and job_id in line
    wait_until(lambda: "completed" in ws.of(job_id), 10, "the completed frame")
    events = ws.of(job_id)
    assert events[0] == "running" and events[-1] == "completed"
    assert "progress" in events
    completed = next(f for f in ws.frames if f["id"] == job_id and f["event"] == "completed")
    assert {k: v for k, v in completed.items() if k != "event"} == job
    ws.close()


def test_unknown_websocket_path_is_refused(api: tuple[str, Role]) -> None:
    base, _ = api
    with (
        pytest.raises(InvalidStatus, match="403"),
        connect(base.replace("http", "ws") + "/ws/nope", open_timeout=5),
    ):
        pass


def test_api_answers_json_for_bad_input_over_http(api: tuple[str, Role]) -> None:
    base, _ = api
    r = httpx.post(f"{base}/dispatch", content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"
    r = httpx.post(
        f"{base}/dispatch", content=b"x" * (70 * 1024), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    r = httpx.get(f"{base}/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_missing_configuration_stops_with_one_clear_line() -> None:
    env = role_env()
    del env["DJANGO_SECRET_KEY"]
    done = subprocess.run([ENTRYPOINT, "api"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 78
    assert done.stderr.strip().splitlines() == [
        "configuration error: environment variable DJANGO_SECRET_KEY is required "
        "(or DJANGO_DEBUG=1 for development)"
    ]
    env = role_env()
    del env["REDIS_URL"]
    done = subprocess.run(
        [ENTRYPOINT, "worker"], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 78
    assert "REDIS_URL" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_only_the_api_needs_the_secret_key() -> None:
    env = role_env()
    del env["DJANGO_SECRET_KEY"]
    done = subprocess.run(
        [ENTRYPOINT, "worker", "--burst"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "stopped after 0 job(s)" in done.stdout + done.stderr


def test_unknown_role_is_refused() -> None:
    done = subprocess.run([ENTRYPOINT, "dance"], capture_output=True, text=True, timeout=10)
    assert done.returncode == 64 and "unknown role 'dance'" in done.stderr


def test_worker_healthcheck_follows_the_heartbeat(tmp_path: Any) -> None:
    beat = tmp_path / "beat"
    env = {**role_env(), "WORKER_HEARTBEAT_FILE": str(beat), "WORKER_HEARTBEAT_MAX_AGE": "30"}
    check = [ENTRYPOINT, "worker-healthcheck"]
    assert subprocess.run(check, env=env, capture_output=True, timeout=10).returncode == 1
    beat.touch()
    assert subprocess.run(check, env=env, capture_output=True, timeout=10).returncode == 0
    old = time.time() - 120
    os.utime(beat, (old, old))
    stale = subprocess.run(check, env=env, capture_output=True, text=True, timeout=10)
    assert stale.returncode == 1 and "old" in stale.stderr


@pytest.fixture
def private_redis(tmp_path: Any) -> Iterator[Callable[[], None]]:
    """A Redis of our own on a spare port, so the test may kill and restart it."""
    server = harness.Redis(root=tmp_path).start()

    def restart() -> None:
        server.restart()

    restart.url = server.url  # type: ignore[attr-defined]
    yield restart
    server.kill()


def test_redis_restart_api_subscriber_and_worker_reconnect(
    private_redis: Callable[[], None], start_role: Callable[..., Role]
) -> None:
    url = private_redis.url  # type: ignore[attr-defined]
    port = free_port()
    fast = {"REDIS_URL": url, "JOB_RECOVERY_INTERVAL": "0.5", "JOB_REQUEUE_GRACE": "1"}
    api_role = start_role("api", PORT=str(port), **fast)
    base = f"http://127.0.0.1:{port}"
    api_role.wait_for_line("subscribed to job_updates")
    worker = start_role("worker", "--name", "survivor", **fast)
    ws = WsCollector(f"ws://127.0.0.1:{port}/ws/jobs")

    def completed(job_id: str) -> bool:
        return bool(httpx.get(f"{base}/jobs/{job_id}").json()["status"] == "completed")

    before = httpx.post(f"{base}/dispatch", json={"params": {"seconds": 0}}).json()["id"]
    wait_until(lambda: completed(before), 20, "the first job")

    private_redis()  # Redis dies and comes back empty

    during = httpx.post(f"{base}/dispatch", json={"params": {"seconds": 0}})
    assert during.status_code == 202  # Postgres is up: dispatch answers
    wait_until(
        lambda: sum("subscribed to job_updates" in ln for ln in api_role.lines) == 2,
        20,
        "the api to resubscribe",
    )
    after = httpx.post(f"{base}/dispatch", json={"params": {"seconds": 0}}).json()["id"]
    for job_id in (during.json()["id"], after):
        wait_until(lambda j=job_id: completed(j), 30, f"job {job_id} after the restart")
    wait_until(lambda: "completed" in ws.of(after), 10, "a WebSocket frame after the restart")
    assert worker.proc.poll() is None and api_role.proc.poll() is None
    ws.close()
