"""Failed analyses found by purl: `GET /reports?purl=` answers "could not analyse" when the
newest analysis of a package version failed (docs/security.md "Could not analyse"). A
partial index over failed `analyze` jobs only, on `params->>'purl'` with text_pattern_ops so
that a lookup by name (`pkg:pypi/idna@…`, a prefix) uses it as well as one by version. In SQL:
Django's OpClass cannot wrap a JSON key (it parenthesises the pair)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("package_analysis", "0010_uploads_on_disk")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX job_failed_purl_idx ON package_analysis_job "
            "((params ->> 'purl') text_pattern_ops) WHERE task = 'analyze' AND status = 'failed'",
            "DROP INDEX job_failed_purl_idx",
        ),
    ]
