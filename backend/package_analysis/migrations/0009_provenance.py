"""Provenance: every report row says whether its bytes came from the registry or an upload,
and the per-artifact cache is keyed by everything a scan depends on.

The old cache rows are dropped, not converted: their key (sha256, rules version) let an
upload labelled with another ecosystem answer for a registry package, so any of them may be
poisoned. The next analysis of each artifact scans it again."""

from django.db import migrations, models

# Reports and job results written before provenance existed: an `upload` param means the
# archive was uploaded; every other analysis came through the registry, hash verified.
BACKFILL = """
UPDATE package_analysis_analysisreport r
   SET source = CASE WHEN j.params ? 'upload' AND j.params->>'upload' IS NOT NULL
                     THEN 'upload' ELSE 'registry' END
  FROM package_analysis_job j
 WHERE j.id = r.job_id;
UPDATE package_analysis_job
   SET result = result || jsonb_build_object('provenance',
       CASE WHEN params ? 'upload' AND params->>'upload' IS NOT NULL
            THEN jsonb_build_object('source', 'upload', 'registry', NULL, 'verified', false,
                                    'claimed', true,
                                    'filename', result->'artifacts'->0->>'filename')
            ELSE jsonb_build_object('source', 'registry', 'registry', NULL, 'verified', true,
                                    'claimed', false, 'filename', NULL) END)
 WHERE task = 'analyze' AND status = 'completed' AND jsonb_typeof(result) = 'object'
   AND NOT result ? 'provenance';
"""


class Migration(migrations.Migration):
    dependencies = [("package_analysis", "0008_job_lane")]

    operations = [
        migrations.RunSQL("DELETE FROM package_analysis_artifactscan", migrations.RunSQL.noop),
        migrations.RemoveConstraint(model_name="artifactscan", name="scan_once_per_rules"),
        migrations.AddField(
            model_name="artifactscan",
            name="ecosystem",
            field=models.CharField(default="", max_length=8),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="artifactscan",
            name="package",
            field=models.CharField(default="", max_length=512),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="artifactscan",
            name="source",
            field=models.CharField(
                choices=[("registry", "Registry"), ("upload", "Upload")],
                default="registry",
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="artifactscan",
            constraint=models.UniqueConstraint(
                fields=("sha256", "ecosystem", "package", "rules_version", "source"),
                name="scan_once_per_key",
            ),
        ),
        migrations.AddField(
            model_name="analysisreport",
            name="source",
            field=models.CharField(
                choices=[("registry", "Registry"), ("upload", "Upload")],
                default="registry",
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="analysisreport", name="report_purl_idx"),
        migrations.RemoveIndex(model_name="analysisreport", name="report_package_idx"),
        migrations.AddIndex(
            model_name="analysisreport",
            index=models.Index(
                fields=["purl", "source", "-created_at"], name="report_purl_source_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="analysisreport",
            index=models.Index(
                fields=["ecosystem", "name", "source", "-created_at"],
                name="report_package_source_idx",
            ),
        ),
    ]
