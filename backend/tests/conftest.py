"""Shared fixtures: real PostgreSQL (pytest-django's test database) and a real Redis db,
wiped between tests; helpers that run the real roles as subprocesses."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection

from package_analysis import queue, ratelimit

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = str(ROOT / "docker" / "entrypoint.sh")
# Parallel checkouts on one machine pick their own db (and JOB_UPDATES_CHANNEL, DATABASE_URL).
TEST_REDIS_DB = int(os.environ.get("PACKAMAL_TEST_REDIS_DB", "15"))


def _redis_test_url() -> str:
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit(parts._replace(path=f"/{TEST_REDIS_DB}"))


REDIS_TEST_URL = _redis_test_url()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def _isolated_redis(settings: Any) -> Iterator[redis.Redis]:
    """Every test gets an empty Redis db (never the developer's db 0)."""
    settings.REDIS_URL = REDIS_TEST_URL
    settings.DISPATCH_RATE_LIMIT = "0"
    queue.redis_client.cache_clear()
    ratelimit.cache_clear()
    client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    queue.redis_client.cache_clear()
    ratelimit.cache_clear()


@pytest.fixture
def r(_isolated_redis: redis.Redis) -> redis.Redis:
    return _isolated_redis


def role_env(**extra: str) -> dict[str, str]:
    """The environment a role subprocess needs to share this test's database and Redis."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_TEST_URL,
        "DJANGO_SECRET_KEY": "test-only-secret",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DISPATCH_RATE_LIMIT": "0",
        "PYTHONUNBUFFERED": "1",
        "LOG_FORMAT": "text",
    }
    env.update(extra)
    return env


class Role:
    """A role started through docker/entrypoint.sh, with its output captured."""

    def __init__(self, role: str, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [ENTRYPOINT, role, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, needle: str, timeout: float = 20) -> str:
        return wait_until(
            lambda: next((ln for ln in self.lines if needle in ln), None),
            timeout,
            f"{needle!r} in output:\n{self.output}",
        )

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)
        return self.proc.returncode


@pytest.fixture
def start_role() -> Iterator[Callable[..., Role]]:
    started: list[Role] = []

    def start(role: str, *args: str, **env: str) -> Role:
        proc = Role(role, list(args), role_env(**env))
        started.append(proc)
        return proc

    yield start
    for proc in started:
        with contextlib.suppress(Exception):
            if proc.proc.poll() is None:
                os.killpg(proc.proc.pid, signal.SIGKILL)
                proc.proc.wait()


def wait_until(fn: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class EventLog:
    """Collects job_updates messages from a real SUBSCRIBE, in a background thread."""

    def __init__(self, client: redis.Redis) -> None:
        self.events: list[dict[str, Any]] = []
        self._client = client  # keep it referenced: a collected client closes its sockets
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(**{settings.JOB_UPDATES_CHANNEL: self._on})
        self._thread = self._pubsub.run_in_thread(sleep_time=0.05, daemon=True)
        time.sleep(0.1)  # the SUBSCRIBE reaches the server before the test publishes

    def _on(self, message: dict[str, Any]) -> None:
        self.events.append(json.loads(message["data"]))

    def of(self, job_id: str, event: str | None = None) -> list[dict[str, Any]]:
        return [
            e for e in self.events if e["id"] == job_id and (event is None or e["event"] == event)
        ]

    def close(self) -> None:
        self._thread.stop()


@pytest.fixture
def events(r: redis.Redis) -> Iterator[EventLog]:
    log = EventLog(redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True))
    yield log
    log.close()
