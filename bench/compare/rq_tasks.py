"""RQ's no-op task; `rq worker` forks a work horse per job, as RQ does by default."""

from __future__ import annotations

from bench.compare.task import complete_job


def noop(job_id: str) -> None:
    complete_job(job_id)
