"""Fair queues (the review's M1): single dispatches go first and keep workers of their own,
each client's batch and lockfile jobs wait in its own lane, served in a round robin, the
rate limit counts jobs, `force` on a batch or lockfile needs a key; and the broker's
guarantees hold across lanes (every message taken once, none stranded, recovery returns
what a dead worker held). Real Redis and PostgreSQL; real workers where it says so."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from package_analysis import broker, services
from package_analysis.models import Job
from package_analysis.recovery import recover

from .conftest import Role
from .test_api import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "f" * 40
SLEEP = {"seconds": 0, "mode": "sleep"}


def sim(n: int) -> list[tuple[str, dict[str, Any]]]:
    return [("simulate", dict(SLEEP)) for _ in range(n)]


def beat(r: redis.Redis, *names: str) -> None:
    for name in names:
        broker.worker_heartbeat(client=r, worker=name, job_id=None, host="h", pid=1)


def take(r: redis.Redis, worker: str) -> str | None:
    raw = broker.message_take_now(client=r, worker=worker)
    return None if raw is None else str(json.loads(raw)["id"])


def test_bulk_lanes_are_served_round_robin_and_single_dispatches_first(
    r: redis.Redis, settings: Any
) -> None:
    settings.JOB_INTERACTIVE_RESERVE = 0
    beat(r, "w1")
    flood = services.jobs_dispatch(specs=sim(50), lane="addr:10.0.0.1")
    other = services.jobs_dispatch(specs=sim(2), lane="key:b")
    single = services.job_dispatch(task="simulate", params=SLEEP)
    order = [take(r, "w1") for _ in range(6)]
    assert order == [
        str(single.id),  # the interactive list first
        str(flood[0].id),  # then the lanes in turn, each in its own order
        str(other[0].id),
        str(flood[1].id),
        str(other[1].id),
        str(flood[2].id),  # the other lane is empty: it left the round robin
    ]
    assert broker.queue_depth(client=r) == {"interactive": 0, "bulk": 47, "lanes": 1}


def test_bulk_work_never_takes_the_workers_kept_for_single_dispatches(
    r: redis.Redis, settings: Any
) -> None:
    settings.JOB_INTERACTIVE_RESERVE = 1
    beat(r, "w1", "w2", "w3")
    services.jobs_dispatch(specs=sim(10), lane="addr:10.0.0.1")
    assert take(r, "w1") is not None and take(r, "w2") is not None
    assert take(r, "w3") is None  # two of three live workers run bulk: w3 stays free
    single = services.job_dispatch(task="simulate", params=SLEEP)
    assert take(r, "w3") == str(single.id)
    # w1 finishes its bulk job: its slot is free again, and it takes the next one.
    nxt = broker.outcome_announce(client=r, worker="w1", job_id="x", event="{}", prefetch=True)
    assert nxt is not None
    assert set(r.hkeys(broker.keys().holders)) == {"w1", "w2"}
    # A lone worker still serves bulk work (the reserve never blocks it entirely).
    settings.JOB_INTERACTIVE_RESERVE = 5
    r.delete(broker.keys().holders)
    assert take(r, "w1") is not None


def test_every_message_is_taken_exactly_once_across_lanes_and_workers(r: redis.Redis) -> None:
    beat(r, "w1", "w2", "w3", "w4")
    ids: set[str] = set()
    for n, lane in enumerate(["addr:1", "addr:2", "key:3", "addr:1"]):
        ids |= {str(j.id) for j in services.jobs_dispatch(specs=sim(25 + n), lane=lane)}
    ids |= {str(services.job_dispatch(task="simulate", params=SLEEP).id) for _ in range(5)}
    taken: list[str] = []
    workers = ["w1", "w2", "w3", "w4"]
    for turn in range(2000):
        worker = workers[turn % 4]
        got = take(r, worker)
        if got is not None:
            taken.append(got)
            r.lpop(broker.keys().processing(worker))  # acknowledged
        if len(taken) == len(ids):
            break
    assert sorted(taken) == sorted(ids)
    assert broker.queue_length(client=r) == 0
    assert r.llen(broker.keys().ring) == 0


def test_recovery_gives_back_what_a_dead_worker_held_and_frees_its_slot(r: redis.Redis) -> None:
    beat(r, "dead")
    services.jobs_dispatch(specs=sim(3), lane="addr:9")
    held = take(r, "dead")
    assert held is not None and r.hget(broker.keys().holders, "dead") == "addr:9"
    r.zadd(broker.keys().workers, {"dead": time.time() - 60})  # its heartbeat stopped
    recover(client=r)
    assert r.hlen(broker.keys().holders) == 0
    assert broker.queue_length(client=r) == 3  # the held message is back (interactive end)
    assert json.loads(r.lindex(broker.keys().queue, -1) or "{}")["id"] == held


def test_a_lane_left_out_of_the_round_robin_is_put_back(r: redis.Redis) -> None:
    services.jobs_dispatch(specs=sim(2), lane="addr:5")
    r.delete(broker.keys().ring)  # a lane with messages but out of the ring: stranded
    assert broker.lanes_repair(client=r) == 1
    assert r.lrange(broker.keys().ring, 0, -1) == ["addr:5"]


def test_recovery_re_pushes_a_lost_message_into_its_own_lane(r: redis.Redis) -> None:
    jobs = services.jobs_dispatch(specs=sim(2), lane="addr:7")
    r.flushdb()  # Redis lost everything
    lost = services.jobs_repush_lost(grace_seconds=0, client=r)
    assert {j.id for j in lost} == {j.id for j in jobs}
    assert r.llen(broker.keys().lane("addr:7")) == 2 and r.llen(broker.keys().queue) == 0


# ── the routes ─────────────────────────────────────────────────────────────────────────


def lockfile(client: Client, n: int, force: bool = False, **extra: Any) -> Any:
    data = "".join(f"pkg{i}==1.0\n" for i in range(n)).encode()
    form: dict[str, Any] = {"file": SimpleUploadedFile("requirements.txt", data)}
    if force:
        form["force"] = "true"
    return client.post("/analyze/lockfile", form, **extra)


def test_lockfile_and_batch_jobs_wait_in_the_callers_own_lane(r: redis.Redis) -> None:
    client = Client()
    assert lockfile(client, 3, REMOTE_ADDR="10.1.1.1").status_code == 202
    body = {"jobs": [{"task": "simulate", "params": SLEEP}] * 2}
    batch = client.post(
        "/dispatch/batch", json.dumps(body), content_type="application/json", REMOTE_ADDR="10.2.2.2"
    )
    assert batch.status_code == 202
    k = broker.keys()
    assert r.llen(k.lane("addr:10.1.1.1")) == 3 and r.llen(k.lane("addr:10.2.2.2")) == 2
    assert set(Job.objects.values_list("lane", flat=True)) == {"addr:10.1.1.1", "addr:10.2.2.2"}
    assert client.get("/stats").json()["queue_depth"] == 5


def test_the_job_rate_limit_counts_jobs_not_requests(r: redis.Redis, settings: Any) -> None:
    settings.DISPATCH_JOB_RATE_LIMIT = "10/hour"
    client = Client()
    assert lockfile(client, 6).status_code == 202
    over = assert_error(lockfile(client, 6), 429, "rate_limited")
    assert over["details"]["retry_after"] >= 1
    assert Job.objects.count() == 6  # the refused request made nothing
    assert lockfile(client, 4).status_code == 202  # 6 + 4 = 10: just within
    # Another client has its own budget.
    assert lockfile(client, 6, REMOTE_ADDR="10.3.3.3").status_code == 202


def test_force_on_a_batch_or_lockfile_needs_a_key(r: redis.Redis, settings: Any) -> None:
    client = Client()
    forced = {"task": "analyze", "params": {"purl": "pkg:pypi/idna@3.7", "force": True}}
    batch = client.post(
        "/dispatch/batch", json.dumps({"jobs": [forced]}), content_type="application/json"
    )
    error = assert_error(batch, 403, "force_needs_key")
    assert "dispatch API key" in error["message"]
    assert_error(lockfile(client, 2, force=True), 403, "force_needs_key")
    assert Job.objects.count() == 0
    # Single dispatch may still force; with a key, batches and lockfiles may too.
    single = client.post("/dispatch", json.dumps(forced), content_type="application/json")
    assert single.status_code == 202
    settings.DISPATCH_API_KEYS = [KEY]
    assert lockfile(client, 2, force=True, HTTP_X_API_KEY=KEY).status_code == 202


def test_real_workers_drain_two_lanes_and_the_interactive_list(
    r: redis.Redis, start_role: Callable[..., Role]
) -> None:
    a = services.jobs_dispatch(specs=sim(15), lane="addr:a")
    b = services.jobs_dispatch(specs=sim(15), lane="addr:b")
    singles = [services.job_dispatch(task="simulate", params=SLEEP) for _ in range(5)]
    for n in range(2):
        start_role("worker", "--burst", "--name", f"fair-w{n}", JOB_INTERACTIVE_RESERVE="1")
    ids = [j.id for j in (*a, *b, *singles)]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if Job.objects.filter(id__in=ids, status="completed").count() == len(ids):
            break
        time.sleep(0.2)
    rows = Job.objects.filter(id__in=ids)
    assert set(rows.values_list("status", flat=True)) == {"completed"}
    assert set(rows.values_list("attempts", flat=True)) == {1}  # each ran exactly once
    assert broker.queue_length(client=r) == 0
