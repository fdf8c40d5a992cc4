"""What /stats and /metrics pay for job counts at N rows (`python -m bench.counts`).

A private PostgreSQL, the project's migrations, N job rows in the mix a busy system has
(90% completed, 5% failed, 4% queued, 1% running), the count deltas folded as the recovery
sweep does; then the median of 7 runs of the old full-table `GROUP BY status` against the
counts kept by triggers (migration 0003). Writes nothing; prints one table."""

from __future__ import annotations

import argparse
import statistics
import time

from bench.common import base_env, log, md_table, migrate, pg_connect
from harness import Services

OLD = "SELECT status, count(id) FROM package_analysis_job GROUP BY status"
NEW = (
    "SELECT status, sum(n)::bigint FROM (SELECT status, n FROM package_analysis_jobcount "
    "UNION ALL SELECT status, delta FROM package_analysis_jobcountdelta) c GROUP BY status"
)
FILL = """
INSERT INTO package_analysis_job (id, task, params, status, attempts, progress, created_at)
SELECT gen_random_uuid(), 'simulate', '{}'::jsonb,
       CASE WHEN g %% 100 < 90 THEN 'completed' WHEN g %% 100 < 95 THEN 'failed'
            WHEN g %% 100 < 99 THEN 'queued' ELSE 'running' END,
       1, 1, now() - make_interval(secs => g)
FROM generate_series(%s, %s) g
"""
FOLD = (
    "WITH moved AS (DELETE FROM package_analysis_jobcountdelta RETURNING status, delta) "
    "INSERT INTO package_analysis_jobcount (status, n) "
    "SELECT status, sum(delta) FROM moved GROUP BY status "
    "ON CONFLICT (status) DO UPDATE SET n = package_analysis_jobcount.n + EXCLUDED.n"
)


def timed(db: object, sql: str, runs: int = 7) -> tuple[float, list[tuple[str, int]]]:
    times, rows = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        rows = db.execute(sql).fetchall()  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t0)
    return statistics.median(times), sorted(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    a = ap.parse_args()
    svc = Services(fsync=False)
    try:
        migrate(base_env(svc.env()))
        with pg_connect(svc.pg.url) as db:
            step = 1_000_000
            for start in range(1, a.rows + 1, step):
                db.execute(FILL, (start, min(start + step - 1, a.rows)))
                db.execute(FOLD)
                log(f"counts: {min(start + step - 1, a.rows):,} rows")
            # as autovacuum does: the folded deltas leave dead rows behind
            for table in ("job", "jobcount", "jobcountdelta"):
                db.execute(f"VACUUM ANALYZE package_analysis_{table}")
            old_s, old_rows = timed(db, OLD)
            new_s, new_rows = timed(db, NEW)
        assert old_rows == new_rows, (old_rows, new_rows)
        print(
            md_table(
                ["rows", "full-table GROUP BY (median)", "kept counts (median)", "same answer"],
                [[f"{a.rows:,}", f"{old_s * 1000:.1f} ms", f"{new_s * 1000:.2f} ms", "yes"]],
            )
        )
    finally:
        svc.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
