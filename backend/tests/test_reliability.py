"""Reliability with real worker processes started through docker/entrypoint.sh:
SIGKILL mid-job, SIGTERM drain and give-back. Short leases keep these quick."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import pytest
import redis

from package_analysis import services
from package_analysis.broker import keys
from package_analysis.models import Job

from .conftest import EventLog, Role, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FAST = {"JOB_LEASE_SECONDS": "2", "JOB_RECOVERY_INTERVAL": "0.5", "JOB_REQUEUE_GRACE": "2"}


def status_of(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def dispatch(seconds: float, mode: str = "sleep") -> Job:
    return services.job_dispatch(task="simulate", params={"seconds": seconds, "mode": mode})


def test_sigkill_mid_job_completes_exactly_once_after_the_lease_expires(
    start_role: Callable[..., Role], events: EventLog
) -> None:
    job = dispatch(3)
    doomed = start_role("worker", "--name", "doomed", **FAST)
    # Mid-job means announced: the claim commits a moment before the `running` event goes
    # out, and a kill in between (seen on a loaded machine) leaves no event to count.
    wait_until(lambda: events.of(str(job.id), "running"), 20, "the job to start")
    doomed.proc.kill()  # SIGKILL: no handler, no clean-up, the lease just stops renewing
    doomed.proc.wait()

    start_role("worker", "--name", "rescuer", **FAST)
    wait_until(lambda: status_of(job) == "completed", 30, "the job to complete on the rescuer")

    job.refresh_from_db()
    assert (job.worker, job.attempts) == ("rescuer", 2)
    time.sleep(0.5)
    assert len(events.of(str(job.id), "completed")) == 1
    assert [e["worker"] for e in events.of(str(job.id), "running")] == ["doomed", "rescuer"]


def test_sigterm_mid_job_drains_it_and_exits_zero(
    start_role: Callable[..., Role], events: EventLog
) -> None:
    # Long enough that the SIGTERM lands mid-job even when a loaded machine is slow to see
    # the job start (6 s was not, at load 20); the drain (40 s) still outlasts it.
    job = dispatch(20)
    worker = start_role("worker", "--name", "draining", JOB_DRAIN_SECONDS="40", **FAST)
    wait_until(lambda: status_of(job) == "running", 20, "the job to start")

    worker.signal(signal.SIGTERM)

    assert worker.proc.wait(60) == 0
    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker) == ("completed", 1, "draining")
    assert "draining job" in worker.output
    time.sleep(0.3)
    assert len(events.of(str(job.id), "completed")) == 1


def test_sigterm_past_the_drain_time_gives_the_job_back(
    start_role: Callable[..., Role], r: redis.Redis, events: EventLog
) -> None:
    job = dispatch(8)  # far longer than the drain, however late the SIGTERM lands
    worker = start_role("worker", "--name", "scaled-down", JOB_DRAIN_SECONDS="0.5", **FAST)
    wait_until(lambda: status_of(job) == "running", 20, "the job to start")

    worker.signal(signal.SIGTERM)

    assert worker.proc.wait(15) == 0
    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker) == ("queued", 0, None)
    assert r.llen(keys().queue) == 1
    assert "given back to the queue" in worker.output

    start_role("worker", "--name", "next", **FAST)
    wait_until(lambda: status_of(job) == "completed", 30, "the job to complete elsewhere")
    job.refresh_from_db()
    assert (job.worker, job.attempts) == ("next", 1)
    time.sleep(0.3)
    assert len(events.of(str(job.id), "completed")) == 1
    assert len(events.of(str(job.id), "queued")) == 1


def test_idle_worker_stops_promptly_on_sigterm(start_role: Callable[..., Role]) -> None:
    worker = start_role("worker", "--name", "idle")
    worker.wait_for_line("starting")
    worker.signal(signal.SIGTERM)
    assert worker.proc.wait(10) == 0
    assert "stopped after 0 job(s)" in worker.output
