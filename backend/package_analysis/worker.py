"""The Pack-A-Mal worker: takes job messages from Redis, runs them, records the outcome.

    python backend/manage.py worker [--burst] [--max-jobs N] [--name NAME]

(`backend/package_analysis/analysis_runner.py` launches the same, at its documented path.)

Loop (shaped like rq's `work()`): heartbeat → recovery sweep when due → BLMOVE a message
(finite timeout, so the stop flag is re-checked) → claim the row in PostgreSQL → run →
conditional completion → PUBLISH. A background keeper thread renews the lease and the
heartbeat while a job runs. SIGTERM stops taking jobs and drains the current one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from pydantic import ValidationError

from . import broker, reports, services
from .broker import keys, redis_client
from .events import event_encode, event_publish
from .models import Job
from .recovery import recover
from .tasks import TaskCancelled, TaskContext, TaskFailed, runner_load, task_get

log = logging.getLogger("packamal.worker")

HEARTBEAT_INTERVAL = 1.0
DEQUEUE_TIMEOUT = 1
BACKOFF_MAX = 5.0


class Backoff:
    """Exponential back-off with jitter, reset on success; never spins."""

    def __init__(self, first: float = 0.1, ceiling: float = BACKOFF_MAX) -> None:
        self.first, self.ceiling, self.delay = first, ceiling, first

    def sleep(self, stop: threading.Event) -> None:
        stop.wait(self.delay * random.uniform(0.5, 1.0))
        self.delay = min(self.delay * 2, self.ceiling)

    def reset(self) -> None:
        self.delay = self.first


class Current:
    """The job this worker holds, shared with the keeper thread."""

    def __init__(self, job: Job, ctx: TaskContext) -> None:
        self.job_id = str(job.id)
        self.attempt = job.attempts
        self.ctx = ctx
        self.renewed_at = time.monotonic()
        # Past this the task is hung: the keeper stops vouching for the worker.
        self.deadline: float | None = None
        self.overdue = False


class Worker:
    def __init__(
        self,
        *,
        name: str,
        burst: bool = False,
        max_jobs: int | None = None,
        handle_signals: bool = True,
    ) -> None:
        self.name = name
        self.handle_signals = handle_signals
        self.burst = burst
        self.max_jobs = max_jobs
        self.redis = redis_client()
        self.keys = keys()
        self.lease = settings.JOB_LEASE_SECONDS
        self.stop = threading.Event()
        self.current: Current | None = None
        self.processed = 0
        self.backoff = Backoff()
        self.heartbeat_file = Path(
            os.environ.get("WORKER_HEARTBEAT_FILE", "/tmp/packamal-worker.heartbeat")  # noqa: S108
        )
        self._keeper = threading.Thread(target=self._keep, name="keeper", daemon=True)
        # Recovery sweeps run beside the loop, so a sweep never delays picking up a job.
        self._sweeper = threading.Thread(target=self._sweep, name="recovery", daemon=True)
        self._drain_timer: threading.Timer | None = None
        self._prefetched: str | None = None

    # ── lifecycle ───────────────────────────────────────────────────────────
    def work(self) -> int:
        """Run until stopped (or, in burst mode, until the queue is empty). Returns 0."""
        self._install_signal_handlers()
        log.info(
            "worker %s: starting (queue=%s lease=%ss drain=%ss)",
            self.name,
            self.keys.queue,
            self.lease,
            settings.JOB_DRAIN_SECONDS,
        )
        # Registered before the first BLMOVE: a sweep (ours or another worker's) treats a
        # worker without a heartbeat as dead and takes back its messages.
        self._beat()
        self._keeper.start()
        self._sweeper.start()
        try:
            while not self.stop.is_set():
                self._touch_heartbeat()
                if self.max_jobs is not None and self.processed >= self.max_jobs:
                    break
                # `is None`, not `or`: an empty message is a message too (it gets dead-lettered)
                raw = self._prefetched if self._prefetched is not None else self._dequeue()
                self._prefetched = None
                if raw is None:
                    close_old_connections()  # idle: drop a connection the server closed
                    if self.burst and self._queue_empty():
                        break
                    continue
                self._process(raw)
        finally:
            self.stop.set()
            self._sweeper.join(timeout=10)
            self._unregister()
            log.info("worker %s: stopped after %d job(s)", self.name, self.processed)
        return 0

    def _install_signal_handlers(self) -> None:
        if self.handle_signals and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        current = self.current
        if self.stop.is_set() and current is not None:
            log.info("worker %s: second signal, giving job %s back now", self.name, current.job_id)
            current.ctx.cancelled.set()
            return
        self.stop.set()
        if current is None:
            # Between a claim and `_run` taking the job the handler sees no job: `_run` starts
            # the drain itself when it finds stop already set.
            log.info("worker %s: %s received, stopping", self.name, signal.Signals(signum).name)
            return
        self._drain(current, signal.Signals(signum).name)

    def _drain(self, current: Current, why: str) -> None:
        """Let the job run for JOB_DRAIN_SECONDS more, then give it back (once per job)."""
        if self._drain_timer is not None:
            return
        drain = settings.JOB_DRAIN_SECONDS
        log.info(
            "worker %s: %s received, draining job %s for up to %ss",
            self.name,
            why,
            current.job_id,
            drain,
        )
        self._drain_timer = threading.Timer(drain, current.ctx.cancelled.set)
        self._drain_timer.daemon = True
        self._drain_timer.start()

    # ── heartbeat and lease (keeper thread) ─────────────────────────────────
    def _keep(self) -> None:
        """Heartbeat and lease renewal until the worker stops, and on through a drain."""
        while not self.stop.wait(HEARTBEAT_INTERVAL) or self.current is not None:
            self._vouch()
            self._beat()
            self._renew_lease()
            if self.stop.is_set():  # draining: stop.wait() no longer waits
                time.sleep(HEARTBEAT_INTERVAL)

    def _beat(self) -> None:
        current = self.current
        try:
            broker.worker_heartbeat(
                client=self.redis,
                worker=self.name,
                job_id=current.job_id if current else None,
                host=socket.gethostname(),
                pid=os.getpid(),
            )
        except redis.RedisError as exc:
            log.debug("worker %s: heartbeat failed: %s", self.name, exc)

    def _renew_lease(self) -> None:
        current = self.current
        if current is None or time.monotonic() - current.renewed_at < self.lease / 3:
            return
        try:
            ours = services.job_lease_renew(
                job_id=current.job_id, attempt=current.attempt, lease_seconds=self.lease
            )
        except DatabaseError as exc:
            log.warning(
                "worker %s: lease renewal for %s failed: %s", self.name, current.job_id, exc
            )
            connection.close()
            return
        if ours:
            current.renewed_at = time.monotonic()
        else:
            log.warning(
                "worker %s: lost the lease on job %s; stopping it", self.name, current.job_id
            )
            current.ctx.cancelled.set()

    def _vouch(self) -> None:
        """Liveness while a task runs, whatever the task does: touch the heartbeat file
        unless the task has outlived its own timeout (then it is hung; cancel it, and let
        the liveness probe restart the worker if it does not stop)."""
        current = self.current
        if current is None or current.deadline is None or time.monotonic() < current.deadline:
            self._touch_heartbeat()
            return
        if not current.overdue:
            current.overdue = True
            log.error(
                "worker %s: job %s outlived its timeout; cancelling it, heartbeat stopped",
                self.name,
                current.job_id,
            )
            current.ctx.cancelled.set()

    def _touch_heartbeat(self) -> None:
        with contextlib.suppress(OSError):
            self.heartbeat_file.touch()

    def _unregister(self) -> None:
        try:
            broker.worker_unregister(client=self.redis, worker=self.name)
        except redis.RedisError as exc:
            log.warning("worker %s: could not unregister: %s", self.name, exc)

    # ── taking messages ─────────────────────────────────────────────────────
    def _dequeue(self) -> str | None:
        try:
            raw = broker.message_take(client=self.redis, worker=self.name, timeout=DEQUEUE_TIMEOUT)
        except UnicodeDecodeError:
            self._dead_letter_undecodable()
            return None
        except redis.RedisError as exc:
            log.warning("worker %s: redis unavailable (%s); backing off", self.name, exc)
            self.backoff.sleep(self.stop)
            return None
        self.backoff.reset()
        return raw

    def _dead_letter_undecodable(self) -> None:
        """A message that is not UTF-8 (already moved to our processing list) cannot be read
        by the decoding client: take it back as bytes and dead-letter it, instead of crashing."""
        try:
            data = broker.message_take_undecodable(worker=self.name)
            if data is not None:
                text = data.decode("utf-8", errors="replace")
                self._dead_letter(text, "message is not UTF-8 text", held=False)
        except redis.RedisError as exc:
            log.warning("worker %s: could not dead-letter a binary message: %s", self.name, exc)

    def _queue_empty(self) -> bool:
        try:
            return broker.queue_length(client=self.redis) == 0
        except redis.RedisError:
            return False

    def _ack(self, raw: str, job_id: str | None, running: Job | None = None) -> None:
        """Forget the message (claimed, duplicate or dead-lettered); announce a claimed job
        as running in the same round trip."""
        broker.message_ack(
            client=self.redis,
            worker=self.name,
            raw=raw,
            job_id=job_id,
            running=event_encode(job=running, event="running") if running else None,
            attempt=running.attempts if running else 0,
        )

    def _requeue_message(self, raw: str) -> None:
        broker.message_requeue(client=self.redis, worker=self.name, raw=raw)

    def _process(self, raw: str) -> None:
        job_id = self._parse(raw)
        if job_id is None:
            return
        try:
            job = services.job_claim(job_id=job_id, worker=self.name, lease_seconds=self.lease)
            exists = job is not None or Job.objects.filter(id=job_id).exists()
        except DatabaseError as exc:
            log.warning(
                "worker %s: database unavailable (%s); message back, backing off", self.name, exc
            )
            connection.close()
            self._safe(self._requeue_message, raw)
            self.backoff.sleep(self.stop)
            return
        if job is None:
            if exists:
                log.info(
                    "worker %s: job %s is not queued; dropping duplicate message", self.name, job_id
                )
                self._safe(self._ack, raw, job_id)
            else:
                self._dead_letter(raw, f"no job with id {job_id}")
            return
        self._safe(self._ack, raw, job_id, job)
        self._run(job)

    def _parse(self, raw: str) -> str | None:
        try:
            message = json.loads(raw)
            job_id = str(uuid.UUID(str(message["id"])))
        except (ValueError, TypeError, KeyError) as exc:
            self._dead_letter(raw, f"unparseable message: {type(exc).__name__}: {exc}")
            return None
        return job_id

    def _dead_letter(self, raw: str, reason: str, *, held: bool = True) -> None:
        log.warning("worker %s: dead-lettering a message: %s", self.name, reason)
        worker = self.name if held else None  # held: still in our processing list
        self._safe(
            lambda: broker.message_dead_letter(
                client=self.redis, worker=worker, raw=raw, reason=reason
            )
        )

    def _safe(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except redis.RedisError as exc:
            log.warning(
                "worker %s: redis call failed (%s); recovery will reconcile", self.name, exc
            )

    # ── running a job ───────────────────────────────────────────────────────
    def _run(self, job: Job) -> None:
        ctx = TaskContext(report=lambda p: self._report(job, p), job_id=str(job.id), store=reports)
        current = self.current = Current(job, ctx)
        started = time.monotonic()
        log.info("worker %s: job %s running (attempt %d)", self.name, job.id, job.attempts)
        if self.stop.is_set():  # a signal landed while the job was being claimed
            self._drain(current, "stop signal")
        try:
            spec = task_get(job.task)
            if spec is None:
                self._finish(job, error=f"unknown task {job.task!r}")
                return
            try:
                params = spec.params_parse(job.params)
            except ValidationError as exc:
                self._finish(job, error=f"invalid params for task {job.task!r}: {exc}")
                return
            runner = runner_load(spec)
            limit = runner.timeout(params)
            current.deadline = started + limit + settings.JOB_TIMEOUT_GRACE_SECONDS
            try:
                result = runner.run(params, ctx)
            except TaskCancelled:
                if current.overdue:  # it would only time out again: a reason, not a retry
                    self._finish(job, error=_overdue_text(limit))
                    return
                self._cancelled(job)
                return
            except TaskFailed as exc:
                log.info("worker %s: job %s cannot be done: %s", self.name, job.id, exc)
                self._finish(job, error=str(exc))
                return
            except Exception as exc:
                log.exception("worker %s: job %s raised", self.name, job.id)
                self._finish(job, error=f"{type(exc).__name__}: {exc}")
                return
            self._finish(job, result=result.summary.model_dump(mode="json"), save=result.save)
        finally:
            if self._drain_timer:
                self._drain_timer.cancel()
                self._drain_timer = None
            self.current = None
            self.processed += 1
            log.debug("worker %s: job %s took %.3fs", self.name, job.id, time.monotonic() - started)

    def _report(self, job: Job, progress: float) -> None:
        try:
            updated = services.job_progress_set(
                job_id=str(job.id), attempt=job.attempts, progress=round(progress, 3)
            )
        except DatabaseError as exc:
            log.warning("worker %s: progress for %s not saved: %s", self.name, job.id, exc)
            connection.close()
            return
        if updated is not None:
            event_publish(client=self.redis, job=updated, event="progress")

    def _finish(
        self,
        job: Job,
        *,
        result: Any = None,
        error: str | None = None,
        save: Callable[[str], None] | None = None,
    ) -> None:
        """Record the outcome, retrying through a database outage while the lease is ours."""
        backoff = Backoff()
        deadline = time.monotonic() + max(self.lease * 4, 30)
        retried = False
        while True:
            try:
                if error is None:
                    done = services.job_complete(
                        job_id=str(job.id), attempt=job.attempts, result=result, save=save
                    )
                else:
                    done = services.job_fail(job_id=str(job.id), attempt=job.attempts, error=error)
                break
            except DatabaseError as exc:
                connection.close()
                if time.monotonic() > deadline:
                    log.error("worker %s: giving up recording job %s: %s", self.name, job.id, exc)
                    return
                log.warning(
                    "worker %s: database unavailable recording job %s (%s); retrying",
                    self.name,
                    job.id,
                    exc,
                )
                backoff.sleep(threading.Event())
                retried = True
        if done is None and retried:
            done = self._own_outcome(job)
        if done is None:
            log.warning(
                "worker %s: job %s was taken over (lease lost); result discarded", self.name, job.id
            )
            return
        event = "completed" if done.status == "completed" else "failed"
        log.info("worker %s: job %s %s", self.name, job.id, event)
        self._announce_and_prefetch(done, event)

    def _own_outcome(self, job: Job) -> Job | None:
        """After a failed try, the outcome may have been committed all the same (the
        connection died before the commit's answer came back). A finished row still fenced
        on our attempt can only hold our own write: announce it rather than drop its event."""
        try:
            return Job.objects.filter(
                id=job.id, attempts=job.attempts, status__in=("completed", "failed")
            ).first()
        except DatabaseError:
            connection.close()
            return None

    def _announce_and_prefetch(self, job: Job, event: str) -> None:
        """PUBLISH the outcome and, in the same round trip, take the next message if one is
        waiting (a non-blocking LMOVE, the same hand-over as BLMOVE)."""
        prefetch = not self.stop.is_set() and (
            self.max_jobs is None or self.processed + 1 < self.max_jobs
        )
        try:
            # MULTI: the event and the end of the debt happen together, or neither does.
            taken = broker.outcome_announce(
                client=self.redis,
                worker=self.name,
                job_id=str(job.id),
                event=event_encode(job=job, event=event),
                prefetch=prefetch,
            )
        except UnicodeDecodeError:  # both commands ran; the message taken is not UTF-8
            self._dead_letter_undecodable()
            return
        except redis.RedisError as exc:  # Pub/Sub is best effort: the row is the truth
            log.warning(
                "worker %s: publish %s for job %s failed: %s", self.name, event, job.id, exc
            )
            return
        if taken is not None:
            self._prefetched = taken

    def _cancelled(self, job: Job) -> None:
        if not self.stop.is_set():
            return  # the lease was lost: the job belongs to someone else now
        try:
            released = services.job_release(job_id=str(job.id), attempt=job.attempts)
        except DatabaseError as exc:
            log.warning(
                "worker %s: could not give job %s back (%s); its lease will expire",
                self.name,
                job.id,
                exc,
            )
            return
        if released is not None:
            log.info("worker %s: job %s given back to the queue", self.name, job.id)
            event_publish(client=self.redis, job=released, event="queued")

    # ── recovery ────────────────────────────────────────────────────────────
    def _sweep(self) -> None:
        """Every JOB_RECOVERY_INTERVAL, one worker (whoever takes the lock) sweeps."""
        while not self.stop.is_set():
            self._recover_once()
            self.stop.wait(settings.JOB_RECOVERY_INTERVAL)
        connection.close()

    def _recover_once(self) -> None:
        try:
            lock_ms = int(settings.JOB_RECOVERY_INTERVAL * 900)
            if not broker.recovery_lock_take(client=self.redis, worker=self.name, ttl_ms=lock_ms):
                return  # another worker swept recently
            recover(client=self.redis)
        except (redis.RedisError, DatabaseError) as exc:
            log.warning("worker %s: recovery sweep failed: %s", self.name, exc)
            connection.close()


def _overdue_text(limit: float) -> str:
    grace = settings.JOB_TIMEOUT_GRACE_SECONDS
    return (
        f"Stopped: ran past its timeout ({limit:.0f} s) and JOB_TIMEOUT_GRACE_SECONDS"
        f" ({grace:.0f} s), so it was cancelled"
    )


def default_name() -> str:
    return f"{socket.gethostname()}.{os.getpid()}"


def arguments(parser: argparse.ArgumentParser) -> None:
    """The worker's command-line options (`manage.py worker`)."""
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--max-jobs", type=int, default=None, help="exit after N jobs")
    parser.add_argument("--name", default=os.environ.get("WORKER_NAME") or default_name())
