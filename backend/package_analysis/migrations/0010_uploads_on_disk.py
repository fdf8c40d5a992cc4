"""Uploads leave PostgreSQL: the bytes go to the upload store (ANALYSIS_UPLOAD_DIR), the row
keeps who sent them and when they were purged.

Rows from before have their bytes only in the dropped column, so they are marked purged: an
analysis still queued for one fails with "upload it again" (review M2: these bytes were never
meant to stay)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("package_analysis", "0009_provenance")]

    operations = [
        migrations.RemoveField(model_name="upload", name="data"),
        migrations.AddField(
            model_name="upload",
            name="owner",
            field=models.CharField(default="", max_length=200),
        ),
        migrations.AddField(
            model_name="upload",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(
            "UPDATE package_analysis_upload SET purged_at = now()", migrations.RunSQL.noop
        ),
        migrations.AddIndex(
            model_name="upload",
            index=models.Index(fields=["owner", "created_at"], name="upload_owner_created_idx"),
        ),
        migrations.AddIndex(
            model_name="upload",
            index=models.Index(
                condition=models.Q(("purged_at__isnull", True)),
                fields=["created_at"],
                name="upload_stored_created_idx",
            ),
        ),
    ]
