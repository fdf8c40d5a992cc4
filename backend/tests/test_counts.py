"""L2: /stats and /metrics count jobs without counting the job table (triggers keep the
counts, migration 0003): exact through every status change, folded by recovery, reset by
TRUNCATE, and the read never touches package_analysis_job, whatever its size."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from package_analysis import queries, services
from package_analysis.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


def counts_by_group_by() -> dict[str, int]:
    out = {"queued": 0, "running": 0, "completed": 0, "failed": 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM package_analysis_job GROUP BY status")
        out.update({status: n for status, n in cursor.fetchall()})
    return out


def test_counts_follow_every_status_change_and_fold_and_truncate() -> None:
    jobs = [services.job_dispatch(task="simulate", params={"seconds": 0}) for _ in range(5)]
    services.jobs_dispatch(specs=[("simulate", {"seconds": 0})] * 3)
    a = services.job_claim(job_id=str(jobs[0].id), worker="w", lease_seconds=30)
    b = services.job_claim(job_id=str(jobs[1].id), worker="w", lease_seconds=30)
    c = services.job_claim(job_id=str(jobs[2].id), worker="w", lease_seconds=30)
    assert a and b and c
    services.job_complete(job_id=str(a.id), attempt=a.attempts, result={"ok": True})
    services.job_fail(job_id=str(b.id), attempt=b.attempts, error="boom")
    services.job_progress_set(job_id=str(c.id), attempt=c.attempts, progress=0.5)
    Job.objects.filter(id=jobs[4].id).delete()
    want = {"queued": 4, "running": 1, "completed": 1, "failed": 1}
    assert queries.job_counts() == want == counts_by_group_by()
    queries.job_counts_compact()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM package_analysis_jobcountdelta")
        assert cursor.fetchone()[0] == 0
    assert queries.job_counts() == want
    stats = Client().get("/stats").json()
    assert stats["jobs"] == want
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE package_analysis_job CASCADE")
    assert queries.job_counts() == {"queued": 0, "running": 0, "completed": 0, "failed": 0}


def test_the_counts_read_never_scans_the_job_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + queries._COUNTS)
        plan = json.dumps(cursor.fetchone()[0])
    assert "package_analysis_jobcount" in plan
    assert '"package_analysis_job"' not in plan
