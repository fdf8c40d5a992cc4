"""The worker loop, in process, against real PostgreSQL and Redis (burst mode runs the
real loop to an end)."""

from __future__ import annotations

import json
import signal
import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from package_analysis import broker, services
from package_analysis.broker import keys, owed_settle, redis_client
from package_analysis.events import event_encode
from package_analysis.models import Job
from package_analysis.recovery import recover
from package_analysis.worker import Worker

from .conftest import EventLog

pytestmark = pytest.mark.django_db(transaction=True)


def run_burst(name: str = "w-test") -> Worker:
    worker = Worker(name=name, burst=True, handle_signals=False)
    assert worker.work() == 0
    return worker


def dispatch(seconds: float = 0, mode: str = "sleep") -> Job:
    return services.job_dispatch(task="simulate", params={"seconds": seconds, "mode": mode})


def test_jobs_run_to_completed_with_timestamps_and_events(events: EventLog) -> None:
    quick, slow = dispatch(0), dispatch(1.3, "cpu")

    worker = run_burst()

    assert worker.processed == 2
    for job in (quick, slow):
        job.refresh_from_db()
        assert job.status == "completed"
        assert (job.attempts, job.worker, job.progress, job.error) == (1, "w-test", 1.0, None)
        assert job.created_at <= job.started_at <= job.completed_at  # type: ignore[operator]
        assert job.lease_expires_at is None
    slow.refresh_from_db()
    assert slow.result is not None and slow.result["mode"] == "cpu"
    assert slow.result["elapsed"] >= 1.3
    time.sleep(0.3)
    for job in (quick, slow):
        assert len(events.of(str(job.id), "running")) == 1
        completed = events.of(str(job.id), "completed")
        assert len(completed) == 1
        assert completed[0]["status"] == "completed" and completed[0]["progress"] == 1.0
    progress = events.of(str(slow.id), "progress")
    assert progress and 0 < progress[0]["progress"] < 1
    r = redis_client()
    assert r.llen(keys().queue) == 0
    assert r.zcard(keys().pending) == 0
    assert r.llen(keys().processing("w-test")) == 0


def test_the_same_message_twice_runs_the_job_once(r: redis.Redis, events: EventLog) -> None:
    job = dispatch(0)
    r.rpush(keys().queue, r.lindex(keys().queue, 0) or "")  # an exact duplicate

    run_burst()

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("completed", 1)
    time.sleep(0.3)
    assert len(events.of(str(job.id), "running")) == 1
    assert len(events.of(str(job.id), "completed")) == 1
    assert r.llen(keys().dead) == 0


def test_a_stale_lease_holder_cannot_overwrite_a_newer_attempt() -> None:
    job = dispatch(0)
    first = services.job_claim(job_id=str(job.id), worker="old", lease_seconds=30)
    assert first is not None and first.attempts == 1
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    requeued, failed = services.jobs_requeue_expired(max_attempts=3)
    assert [j.id for j in requeued] == [job.id] and failed == []
    second = services.job_claim(job_id=str(job.id), worker="new", lease_seconds=30)
    assert second is not None and second.attempts == 2

    jid = str(job.id)
    assert services.job_lease_renew(job_id=jid, attempt=1, lease_seconds=30) is False
    assert services.job_progress_set(job_id=jid, attempt=1, progress=0.5) is None
    assert services.job_complete(job_id=jid, attempt=1, result={"by": "old"}) is None
    assert services.job_fail(job_id=jid, attempt=1, error="old") is None
    done = services.job_complete(job_id=jid, attempt=2, result={"by": "new"})
    assert done is not None
    assert (done.status, done.worker, done.result) == ("completed", "new", {"by": "new"})


def test_garbage_is_dead_lettered_and_the_worker_goes_on(r: redis.Redis) -> None:
    garbage = [
        "not json at all",
        "[1, 2, 3]",
        json.dumps({"no": "id"}),
        json.dumps({"id": "not-a-uuid"}),
        json.dumps({"id": str(uuid.uuid4()), "task": "simulate", "params": {}}),
        "x" * 1_000_000,
    ]
    r.lpush(keys().queue, *garbage)
    job = dispatch(0)

    run_burst()

    job.refresh_from_db()
    assert job.status == "completed"
    dead = [json.loads(entry) for entry in r.lrange(keys().dead, 0, -1)]
    assert len(dead) == len(garbage)
    reasons = " | ".join(d["reason"] for d in dead)
    assert "unparseable message" in reasons and "no job with id" in reasons
    assert all(d["message"] for d in dead)
    assert max(len(d["message"]) for d in dead) == 65536  # huge values are truncated
    assert r.llen(keys().processing("w-test")) == 0


def test_an_expired_lease_goes_back_to_the_queue(r: redis.Redis, events: EventLog) -> None:
    job = dispatch(0)
    r.delete(keys().queue, keys().pending)
    assert services.job_claim(job_id=str(job.id), worker="gone", lease_seconds=30) is not None
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    summary = recover(client=redis_client())

    assert summary["requeued"] == 1
    job.refresh_from_db()
    assert (job.status, job.worker, job.attempts) == ("queued", None, 1)
    assert json.loads(r.lindex(keys().queue, 0) or "{}")["id"] == str(job.id)
    time.sleep(0.2)
    assert events.of(str(job.id), "queued")
    run_burst()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("completed", 2)


def test_max_attempts_then_failed_with_a_reason(events: EventLog) -> None:
    job = dispatch(0)
    Job.objects.filter(id=job.id).update(
        status="running",
        attempts=3,
        worker="w9",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    summary = recover(client=redis_client())

    assert summary["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "lease expired on attempt 3 of 3 (worker w9 stopped renewing)"
    assert job.completed_at is not None
    time.sleep(0.2)
    assert events.of(str(job.id), "failed")[0]["error"] == job.error


def test_a_message_taken_by_a_dead_worker_is_given_back(r: redis.Redis) -> None:
    job = dispatch(0)
    # A worker popped the message, then died before claiming the row.
    assert r.lmove(keys().queue, keys().processing("ghost"), "RIGHT", "LEFT")
    r.zadd(keys().workers, {"ghost": time.time() - 60})

    summary = recover(client=redis_client())

    assert summary["reaped"] == 1
    assert r.llen(keys().processing("ghost")) == 0
    assert r.zscore(keys().workers, "ghost") is None
    run_burst()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("completed", 1)


def test_a_live_workers_processing_list_is_left_alone(r: redis.Redis) -> None:
    dispatch(0)
    assert r.lmove(keys().queue, keys().processing("busy"), "RIGHT", "LEFT")
    r.zadd(keys().workers, {"busy": time.time()})
    assert recover(client=redis_client())["reaped"] == 0
    assert r.llen(keys().processing("busy")) == 1


def _claim_and_finish(r: redis.Redis, worker: str) -> Job:
    """What a worker does up to its outcome event: pop, claim (the ack owes the event),
    complete the row; the event itself is left unpublished."""
    job = dispatch(0)
    raw = r.lmove(keys().queue, keys().processing(worker), "RIGHT", "LEFT")
    claimed = services.job_claim(job_id=str(job.id), worker=worker, lease_seconds=30)
    assert raw and claimed is not None
    broker.message_ack(
        client=redis_client(),
        worker=worker,
        raw=raw,
        job_id=str(job.id),
        running=event_encode(job=claimed, event="running"),
        attempt=claimed.attempts,
    )
    done = services.job_complete(job_id=str(job.id), attempt=claimed.attempts, result={})
    assert done is not None
    return done


def _announce(worker: str, job: Job) -> None:
    broker.outcome_announce(
        client=redis_client(),
        worker=worker,
        job_id=str(job.id),
        event=event_encode(job=job, event="completed"),
        prefetch=False,
    )


def test_a_worker_that_claimed_right_after_a_redis_restart_is_not_taken_for_dead(
    r: redis.Redis, events: EventLog
) -> None:
    r.flushdb()  # Redis restarted empty: no heartbeat of anyone yet
    job = _claim_and_finish(r, "w-fresh")  # claimed before its first heartbeat

    assert recover(client=redis_client())["announced"] == 0
    _announce("w-fresh", job)

    time.sleep(0.3)
    assert len(events.of(str(job.id), "completed")) == 1
    assert r.hlen(keys().owed) == 0


def test_a_paused_worker_does_not_announce_what_recovery_announced_for_it(
    r: redis.Redis, events: EventLog
) -> None:
    job = _claim_and_finish(r, "w-paused")
    r.zadd(keys().workers, {"w-paused": time.time() - 60})  # silent for a minute

    assert recover(client=redis_client())["announced"] == 1
    _announce("w-paused", job)  # it wakes up and pays its debt

    time.sleep(0.3)
    assert len(events.of(str(job.id), "completed")) == 1
    assert r.hlen(keys().owed) == 0 and not r.exists(keys().announced(str(job.id)))


def test_recovery_settles_a_debt_only_as_it_read_it(r: redis.Redis, events: EventLog) -> None:
    job = _claim_and_finish(r, "w-quick")
    holder = r.hget(keys().owed, str(job.id))
    _announce("w-quick", job)  # the worker paid between recovery's read and its settle

    event = event_encode(job=job, event="completed")
    assert not owed_settle(client=redis_client(), job_id=str(job.id), holder=holder, event=event)

    time.sleep(0.3)
    assert len(events.of(str(job.id), "completed")) == 1


def test_a_queued_row_lost_with_redis_is_repushed(r: redis.Redis) -> None:
    job = dispatch(0)
    r.flushdb()  # Redis restarted without persistence
    Job.objects.filter(id=job.id).update(enqueued_at=timezone.now() - timedelta(minutes=1))

    summary = recover(client=redis_client())

    assert summary["repushed"] == 1
    run_burst()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("completed", 1)


def test_a_recent_queued_row_is_not_repushed_twice(r: redis.Redis) -> None:
    dispatch(0)
    assert recover(client=redis_client())["repushed"] == 0
    assert r.llen(keys().queue) == 1


def test_unknown_task_and_task_errors_fail_the_job(r: redis.Redis) -> None:
    unknown = Job.objects.create(task="teleport", params={})
    broken = Job.objects.create(task="simulate", params={"seconds": "soon"})
    services.jobs_push(jobs=[unknown, broken])

    run_burst()

    unknown.refresh_from_db()
    broken.refresh_from_db()
    assert (unknown.status, unknown.error) == ("failed", "unknown task 'teleport'")
    assert broken.status == "failed"
    # The registry's params model rejects the row before the task runs, naming the field.
    assert broken.error is not None
    assert broken.error.startswith("invalid params for task 'simulate'")
    assert "seconds" in broken.error


def test_max_jobs_stops_the_loop() -> None:
    for _ in range(3):
        dispatch(0)
    worker = Worker(name="w-max", max_jobs=2, handle_signals=False)
    assert worker.work() == 0
    assert worker.processed == 2
    assert Job.objects.filter(status="completed").count() == 2


def test_a_stop_signal_during_the_claim_still_bounds_the_job_by_the_drain(
    monkeypatch: pytest.MonkeyPatch,
    settings: object,
    r: redis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The row says `running` as soon as the claim commits, a moment before the worker holds
    # the job: a SIGTERM in between used to find no job, skip the drain timer and let the job
    # run unbounded past the pod's grace period.
    settings.JOB_DRAIN_SECONDS = 0.3  # type: ignore[attr-defined]
    job = dispatch(30)
    worker = Worker(name="w-window", burst=True, handle_signals=False)
    claim = services.job_claim

    def claim_then_signal(**kwargs: object) -> Job | None:
        claimed = claim(**kwargs)  # type: ignore[arg-type]
        worker._on_signal(signal.SIGTERM, None)
        return claimed

    monkeypatch.setattr(services, "job_claim", claim_then_signal)
    with caplog.at_level("INFO", logger="packamal.worker"):
        assert worker.work() == 0

    job.refresh_from_db()  # given back, not run out: the drain cut the 30 s job
    assert (job.status, job.attempts, job.worker) == ("queued", 0, None)
    assert r.llen(keys().queue) == 1
    assert "draining job" in caplog.text and "given back to the queue" in caplog.text
