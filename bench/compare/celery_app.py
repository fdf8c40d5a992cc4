"""Celery app with the no-op task; the worker runs with Celery's defaults (prefork pool)."""

from __future__ import annotations

import os

from celery import Celery

from bench.compare.task import complete_job

app = Celery("packamal_bench", broker=os.environ["REDIS_URL"])
app.conf.update(task_ignore_result=True, worker_hijack_root_logger=False)


@app.task(name="bench.noop")
def noop(job_id: str) -> None:
    complete_job(job_id)
