"""Job counts by status that stay cheap at any table size (/stats, /metrics).

Each status change appends a delta row (+1 / -1) from a trigger: append-only, so no two
transactions wait on one counter row and none can deadlock. The recovery sweep folds the
deltas into `package_analysis_jobcount` now and then (`selectors.job_counts_compact`); a
read sums the folded counts and the few deltas not folded yet. TRUNCATE of the job table
empties both."""

from django.db import migrations

FORWARD = """
CREATE TABLE package_analysis_jobcount (
    status varchar(16) PRIMARY KEY,
    n bigint NOT NULL
);
CREATE TABLE package_analysis_jobcountdelta (
    id bigserial PRIMARY KEY,
    status varchar(16) NOT NULL,
    delta integer NOT NULL
);
INSERT INTO package_analysis_jobcount (status, n)
    SELECT status, count(*) FROM package_analysis_job GROUP BY status;

CREATE FUNCTION package_analysis_job_count_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO package_analysis_jobcountdelta (status, delta) VALUES (NEW.status, 1);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO package_analysis_jobcountdelta (status, delta) VALUES (OLD.status, -1);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION package_analysis_job_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE package_analysis_jobcount, package_analysis_jobcountdelta;
    RETURN NULL;
END $$;

CREATE TRIGGER job_count_insert_delete AFTER INSERT OR DELETE ON package_analysis_job
    FOR EACH ROW EXECUTE FUNCTION package_analysis_job_count_row();
CREATE TRIGGER job_count_status AFTER UPDATE OF status ON package_analysis_job
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION package_analysis_job_count_row();
CREATE TRIGGER job_count_truncate AFTER TRUNCATE ON package_analysis_job
    FOR EACH STATEMENT EXECUTE FUNCTION package_analysis_job_count_truncate();
"""

BACKWARD = """
DROP TRIGGER job_count_truncate ON package_analysis_job;
DROP TRIGGER job_count_status ON package_analysis_job;
DROP TRIGGER job_count_insert_delete ON package_analysis_job;
DROP FUNCTION package_analysis_job_count_truncate();
DROP FUNCTION package_analysis_job_count_row();
DROP TABLE package_analysis_jobcountdelta;
DROP TABLE package_analysis_jobcount;
"""


class Migration(migrations.Migration):
    dependencies = [("package_analysis", "0003_idempotency_record")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
