"""H3: Redis at `maxmemory` (noeviction) must not stop the pipeline. A private redis-server
(the shared one's limits are not ours to change) is filled past a small maxmemory; workers
keep taking and finishing work, dispatch answers 503 queue_full, /readyz and the metric say
so, and once memory returns everything accepted completes exactly once."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from django.test import Client

from package_analysis import broker, ratelimit
from package_analysis.backpressure import GATE
from package_analysis.models import Job

from .conftest import Role, free_port, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def small_redis(settings: Any) -> Iterator[redis.Redis]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (the test needs a private one)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port, decode_responses=True)
    wait_until(lambda: _pings(client), 10, "the private redis-server")
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    broker.redis_client.cache_clear()
    ratelimit.cache_clear()
    GATE.reset()
    yield client
    proc.terminate()
    proc.wait(10)
    broker.redis_client.cache_clear()
    ratelimit.cache_clear()
    GATE.reset()


def _pings(client: redis.Redis) -> bool:
    with contextlib.suppress(redis.RedisError):
        return bool(client.ping())
    return False


def fill_to_the_limit(r: redis.Redis) -> None:
    """Set maxmemory just under what Redis uses now: every growing write is refused."""
    used = int(r.info("memory")["used_memory"])
    r.config_set("maxmemory", used - 1024)
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        r.lpush("probe", "x" * 10_000)


def dispatch(client: Client) -> Any:
    body = {"task": "simulate", "params": {"seconds": 0, "mode": "sleep"}}
    return client.post("/dispatch", data=json.dumps(body), content_type="application/json")


def test_full_redis_refuses_dispatch_but_workers_drain_and_recovery_catches_up(
    small_redis: redis.Redis, start_role: Callable[..., Role], settings: Any
) -> None:
    client = Client()
    r = small_redis
    before = [dispatch(client).json()["id"] for _ in range(30)]
    assert r.llen(broker.keys().queue) == 30
    fill_to_the_limit(r)

    # The first dispatch to meet the full Redis is accepted knowingly (its row is committed
    # before the push is refused; recovery pushes it later). Every later one is told no.
    knowing = dispatch(client)
    assert knowing.status_code == 202
    refused = [dispatch(client) for _ in range(5)]
    for response in refused:
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert response.json() == {
            "error": {
                "code": "queue_full",
                "message": "The job queue is full (Redis is at its memory limit); retry shortly.",
                "details": {"retry_after": 5},
            }
        }
    assert Job.objects.count() == 31  # no row for a refused dispatch

    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"] == "full: refusing writes (maxmemory)"
    assert "packamal_redis_refusing_writes 1.0" in client.get("/metrics").content.decode()

    # Workers still take, run and acknowledge work while Redis is full.
    url = settings.REDIS_URL
    workers = [
        start_role("worker", "--name", f"w{i}", REDIS_URL=url, JOB_RECOVERY_INTERVAL="1",
                   JOB_REQUEUE_GRACE="1")
        for i in range(2)
    ]  # fmt: skip
    wait_until(
        lambda: Job.objects.filter(id__in=before, status="completed").count() == 30,
        60,
        "the 30 queued jobs to complete while Redis is full:\n" + workers[0].output,
    )
    assert r.info("memory")["used_memory"] > int(r.config_get("maxmemory")["maxmemory"]) - 4096
    assert Job.objects.get(id=knowing.json()["id"]).status == "queued"  # nowhere to push it

    # Memory returns: dispatch answers 202 again; recovery pushes the knowingly accepted job.
    r.config_set("maxmemory", 0)
    after = dispatch(client)
    assert after.status_code == 202
    assert client.get("/readyz").status_code == 200
    ids = [*before, knowing.json()["id"], after.json()["id"]]
    wait_until(
        lambda: Job.objects.filter(id__in=ids, status="completed").count() == len(ids),
        60,
        "every accepted job to complete",
    )
    for w in workers:
        assert w.stop() == 0
    # each job claimed once: no job ran twice
    assert sorted(Job.objects.values_list("attempts", flat=True)) == [1] * len(ids)
    assert r.llen(broker.keys().queue) == 0
    assert r.zcard(broker.keys().pending) == 0
