"""Read-side queries on jobs and the queue (the write side is `services`)."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models.fields.json import KT

from . import broker
from .errors import ApiError
from .models import Job, JobStatus

WORKER_ALIVE_SECONDS = 15.0


def job_get(*, job_id: str) -> Job | None:
    try:
        parsed = uuid.UUID(job_id)
    except ValueError:
        return None
    return Job.objects.filter(id=parsed).first()


@dataclass(frozen=True)
class JobPage:
    items: list[Job]
    next: str | None


def cursor_encode(job: Job) -> str:
    raw = f"{job.created_at.isoformat()}|{job.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, job_id = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        return datetime.fromisoformat(created), uuid.UUID(job_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(
            422, "validation_error", "The `before` cursor is not one this API returned."
        ) from exc


def job_list(*, status: str | None, limit: int, before: str | None) -> JobPage:
    """Newest first, keyset-paginated on (created_at, id)."""
    qs = Job.objects.order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if before:
        created, job_id = cursor_decode(before)
        qs = qs.filter(created_at__lte=created).exclude(created_at=created, id__gte=job_id)
    items = list(qs[: limit + 1])
    nxt = cursor_encode(items[limit - 1]) if len(items) > limit else None
    return JobPage(items=items[:limit], next=nxt)


# Folded counts plus the deltas not folded yet (migration 0003): a few thousand rows at
# most, whatever the size of the job table.
_COUNTS = (
    "SELECT status, sum(n)::bigint FROM ("
    "SELECT status, n FROM package_analysis_jobcount UNION ALL "
    "SELECT status, delta FROM package_analysis_jobcountdelta) c GROUP BY status"
)
_COMPACT = (
    "WITH moved AS (DELETE FROM package_analysis_jobcountdelta RETURNING status, delta) "
    "INSERT INTO package_analysis_jobcount (status, n) "
    "SELECT status, sum(delta) FROM moved GROUP BY status "
    "ON CONFLICT (status) DO UPDATE SET n = package_analysis_jobcount.n + EXCLUDED.n"
)


def job_counts() -> dict[str, int]:
    """Jobs by status, exact, without counting the job table (kept by triggers)."""
    counts = {s.value: 0 for s in JobStatus}
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS)
        for status, n in cursor.fetchall():
            counts[status] = int(n)
    return counts


def job_counts_compact() -> None:
    """Fold the count deltas into the counts (the recovery sweep, one worker at a time)."""
    with connection.cursor() as cursor:
        cursor.execute(_COMPACT)


def queue_stats() -> dict[str, int]:
    """Queue depth, dead letters and live workers, in one round trip."""
    return broker.queue_stats(client=broker.redis_client(), alive_within=WORKER_ALIVE_SECONDS)


def workers_busy() -> dict[str, int]:
    """Live workers by state (busy/idle), for metrics."""
    return broker.workers_by_state(client=broker.redis_client(), alive_within=WORKER_ALIVE_SECONDS)


VERDICTS = ("malicious", "suspicious", "clean")


def jobs_summary(*, ids: list[uuid.UUID]) -> dict[str, object]:
    """A lockfile's or batch's jobs tallied (`POST /jobs/summary`): an analysis that failed
    is "could not analyse", counted apart from every verdict and never as clean."""
    counts = dict.fromkeys(("pending", *VERDICTS, "could_not_analyse", "other"), 0)
    unanalysed: list[dict[str, object]] = []
    rows = (
        Job.objects.filter(id__in=ids)
        .annotate(verdict=KT("result__verdict"), purl=KT("params__purl"))
        .values_list("id", "task", "status", "verdict", "purl", "error", "completed_at")
        .order_by("created_at", "id")
    )
    found: set[uuid.UUID] = set()
    for job_id, task, status, verdict, purl, error, completed_at in rows:
        found.add(job_id)
        if status in (JobStatus.QUEUED, JobStatus.RUNNING):
            counts["pending"] += 1
        elif task != "analyze":
            counts["other"] += 1
        elif status == JobStatus.COMPLETED and verdict in VERDICTS:
            counts[verdict] += 1
        else:  # failed, or (never expected) completed without a verdict: not analysed
            counts["could_not_analyse"] += 1
            unanalysed.append(
                {
                    "job": str(job_id),
                    "purl": purl,
                    "reason": error or "completed without a verdict",
                    "failed_at": completed_at.isoformat().replace("+00:00", "Z")
                    if completed_at
                    else None,
                }
            )
    missing = [str(i) for i in dict.fromkeys(ids) if i not in found]
    return {"total": len(found), **counts, "unanalysed": unanalysed, "not_found": missing}
