"""Shared fixtures: real PostgreSQL (pytest-django's test database) and a real Redis db,
wiped between tests; the roles run as subprocesses through the process harness."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

import harness
from harness import ENTRYPOINT, EventLog, Role, free_port, wait_ready, wait_until
from package_analysis import broker, ratelimit

__all__ = [
    "ENTRYPOINT",
    "KEYS",
    "EventLog",
    "Role",
    "free_port",
    "role_env",
    "wait_ready",
    "wait_until",
]

# Parallel checkouts on one machine pick their own db (PACKAMAL_TEST_REDIS_DB, DATABASE_URL);
# the queue names and the job-updates channel are this run's own (pub/sub spans every db).
TEST_REDIS_DB = harness.redis_db("test")
REDIS_TEST_URL = harness.with_path(
    os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", TEST_REDIS_DB
)
NAMESPACE = f"tests-{os.getpid()}"
KEYS = harness.keys(NAMESPACE)


@pytest.fixture(autouse=True)
def _isolated_redis(settings: Any) -> Iterator[redis.Redis]:
    """Every test gets an empty Redis db (never the developer's db 0) and its own names."""
    settings.REDIS_URL = REDIS_TEST_URL
    settings.DISPATCH_RATE_LIMIT = "0"
    settings.DISPATCH_JOB_RATE_LIMIT = "0"
    settings.JOB_QUEUE = KEYS.queue
    settings.JOB_DEAD_LETTER = KEYS.dead_letter
    settings.JOB_UPDATES_CHANNEL = KEYS.channel
    _clear_caches()
    client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    _clear_caches()


@pytest.fixture(autouse=True)
def _upload_store(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test stores uploads in its own folder (roles started by role_env share it)."""
    settings.ANALYSIS_UPLOAD_DIR = str(tmp_path_factory.mktemp("uploads"))


def _clear_caches() -> None:
    broker.redis_client.cache_clear()
    broker.keys.cache_clear()
    ratelimit.cache_clear()


@pytest.fixture
def r(_isolated_redis: redis.Redis) -> redis.Redis:
    return _isolated_redis


def role_env(**extra: str) -> dict[str, str]:
    """The environment a role subprocess needs to share this test's database and Redis."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return harness.role_env(
        database_url=f"postgres://{user}{password}@{host}:{port}/{db['NAME']}",
        redis_url=REDIS_TEST_URL,
        namespace=NAMESPACE,
        DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
        **{"ANALYSIS_UPLOAD_DIR": str(django_settings.ANALYSIS_UPLOAD_DIR), **extra},
    )


@pytest.fixture
def start_role() -> Iterator[Callable[..., Role]]:
    started: list[Role] = []

    def start(role: str, *args: str, **env: str) -> Role:
        proc = Role(role, *args, env=role_env(**env))
        started.append(proc)
        return proc

    yield start
    for proc in started:
        with contextlib.suppress(Exception):
            proc.kill()


def api_start(start_role: Callable[..., Role], **env: str) -> tuple[str, Role]:
    """Start the api role on a spare port and wait until /readyz answers 200."""
    port = free_port()
    role = start_role("api", PORT=str(port), **env)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_ready(up, "the api to be ready", role)
    return base, role


@pytest.fixture
def events(r: redis.Redis) -> Iterator[EventLog]:
    log = EventLog(REDIS_TEST_URL, KEYS.channel)
    yield log
    log.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `processes` every test that starts roles as real processes (`make check`, the
    quick loop, leaves them to `make test`)."""
    for item in items:
        if "start_role" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.processes)
