"""The rows: Job (the source of truth for every accepted job), and what analyses keep."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from .job_schema import job_json


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class Job(models.Model):
    """One unit of work. Workers move it queued → running → completed | failed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=64)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=200, null=True, blank=True)
    progress = models.FloatField(default=0.0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the worker holding the job must renew by; fencing uses `attempts`.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Last time a message for this row was pushed to Redis (recovery re-pushes stale ones).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Where its message waits: "" the interactive list, else the bulk lane of this client
    # (batch and lockfile jobs; see broker). Re-pushes go back to the same place.
    lane = models.CharField(max_length=80, blank=True, default="", db_default="")

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("-created_at", "-id"), name="job_created_idx"),
            models.Index(fields=("status", "-created_at", "-id"), name="job_status_created_idx"),
            models.Index(
                fields=("lease_expires_at",),
                name="job_running_lease_idx",
                condition=models.Q(status="running"),
            ),
        )
        # Also job_failed_purl_idx, "could not analyse" by purl (reports.py), written in SQL
        # by migration 0011: Django cannot express an operator class on a JSON key.

    def __str__(self) -> str:
        return f"{self.task} {self.id} ({self.status})"

    def as_dict(self) -> dict[str, Any]:
        """The one Job shape of docs/design.md, JSON-ready (`job_schema.JobOut`)."""
        return job_json(self)


class Upload(models.Model):
    """An archive sent to POST /analyze/upload. The bytes live in the upload store
    (uploads.py: ANALYSIS_UPLOAD_DIR/<id>, or an object in a bucket), never in PostgreSQL,
    and are deleted after ANALYSIS_UPLOAD_RETENTION_HOURS (`purged_at`); the row stays for
    the reports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(max_length=255)
    ecosystem = models.CharField(max_length=8)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    # Who sent it (uploads.upload_owner): the upload quota, and who may read its findings.
    owner = models.CharField(max_length=200, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=("owner", "created_at"), name="upload_owner_created_idx"),
            models.Index(
                fields=("created_at",),
                name="upload_stored_created_idx",
                condition=models.Q(purged_at__isnull=True),
            ),
        )

    def __str__(self) -> str:
        return f"{self.filename} ({self.ecosystem}, {self.size} bytes)"


class Source(models.TextChoices):
    """Where an analysis's bytes came from (analysis.model.Provenance)."""

    REGISTRY = "registry"  # fetched through the configured registry, hashes verified
    UPLOAD = "upload"  # POST /analyze/upload: the name and version are the archive's claim


class AnalysisReport(models.Model):
    """The head of a finished analysis: what `GET /reports?purl=` looks up. Its findings
    are `Finding` rows; both are written in the job's fenced completion transaction.
    `purl` of an upload is what the archive claims, so lookups keep the sources apart."""

    job = models.OneToOneField(Job, primary_key=True, on_delete=models.CASCADE)
    source = models.CharField(max_length=16, choices=Source.choices)
    ecosystem = models.CharField(max_length=8)
    name = models.CharField(max_length=214)
    version = models.CharField(max_length=128)
    purl = models.CharField(max_length=512)
    verdict = models.CharField(max_length=16)
    score = models.FloatField()
    rules_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # the comparison with a baseline release (`analysis.diff`), when one was made
    diff = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=("purl", "source", "-created_at"), name="report_purl_source_idx"),
            models.Index(
                fields=("ecosystem", "name", "source", "-created_at"),
                name="report_package_source_idx",
            ),
        )

    def __str__(self) -> str:
        return f"{self.purl}: {self.verdict}"


class Finding(models.Model):
    """One piece of evidence (docs/design.md "Package analysis": the report's `findings`)."""

    id = models.BigAutoField(primary_key=True)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="findings")
    artifact = models.CharField(max_length=64)
    rule = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=64)
    severity = models.CharField(max_length=8)
    file = models.TextField()
    line = models.PositiveIntegerField(null=True)
    snippet = models.TextField()
    reachability = models.CharField(max_length=16)
    explanation = models.TextField()
    end_line = models.PositiveIntegerField(null=True)  # last line of a multi-line snippet
    chain = models.JSONField(default=list)  # [{role, file, line, text}], source → sink
    decoded = models.TextField(default="")  # decoded payload of the literal at `line`
    count = models.PositiveIntegerField(default=1)  # identical findings grouped
    # Set when a suppression accepted the finding: {reason, source, by, expires}. The row is
    # kept (the report lists it under `suppressed`, and the cache reuses it unsuppressed).
    suppression = models.JSONField(null=True, blank=True)
    baseline = models.CharField(max_length=16, blank=True, default="")  # "new"/"unchanged"

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=("job", "artifact"), name="finding_job_artifact_idx"),)

    def __str__(self) -> str:
        return f"{self.rule} {self.file}:{self.line}"


class ArtifactScan(models.Model):
    """The cache: this artifact was scanned by that job, whose `Finding` rows for the artifact
    are the answer. The key is everything the scan depends on (pipeline.CacheKey: sha256,
    ecosystem, the package identity the rules were given, the rules version) plus the
    source, so an upload never answers for a registry analysis. The newest scan of a key
    replaces the row (a forced analysis repairs it)."""

    id = models.BigAutoField(primary_key=True)
    sha256 = models.CharField(max_length=64)
    ecosystem = models.CharField(max_length=8)
    package = models.CharField(max_length=512)  # the purl given to the rules
    rules_version = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=Source.choices)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("sha256", "ecosystem", "package", "rules_version", "source"),
                name="scan_once_per_key",
            ),
        )

    def __str__(self) -> str:
        return f"{self.source} {self.ecosystem} {self.sha256[:12]} @ {self.rules_version}"


class IdempotencyRecord(models.Model):
    """The answer a request with an `Idempotency-Key` got (see idempotency.py): written in
    the same transaction as the jobs it created, so a retry finds both or neither."""

    scope = models.CharField(max_length=200)  # route and caller (API key or "open")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of the request's meaning
    status = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(null=True)
    location = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("scope", "key"), name="idempotency_scope_key_uniq"),
        )

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Suppression(models.Model):
    """An accepted finding, with its reason (analysis/suppress.py has the rules): the worker
    applies every row to every analysis. Edited in the Django admin, which logs each change
    (who, when, what) in its history; the row keeps who created and last changed it."""

    id = models.BigAutoField(primary_key=True)
    rule = models.CharField(max_length=64, help_text="The finding's rule id")
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="The artifact's sha256 (this or fingerprint)",
    )
    fingerprint = models.CharField(
        max_length=64, blank=True, default="", help_text="The finding's fingerprint (JSON report)"
    )
    package = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="A purl (with or without version) or a name",
    )
    path = models.CharField(
        max_length=500, blank=True, default="", help_text="A glob over the file inside the archive"
    )
    reason = models.TextField(help_text="Why the finding is accepted (required)")
    expires = models.DateField(null=True, blank=True, help_text="It stops applying after this day")
    by = models.CharField(max_length=150, blank=True, default="", help_text="Who accepted it")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True, default="", editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True, default="", editable=False)

    class Meta:
        ordering = ("id",)
        constraints = (
            models.CheckConstraint(condition=~models.Q(reason=""), name="suppression_has_reason"),
            models.CheckConstraint(
                condition=~models.Q(sha256="", fingerprint=""), name="suppression_is_pinned"
            ),
        )

    def __str__(self) -> str:
        return f"{self.rule} ({self.reason[:40]})"

    def as_entry(self) -> dict[str, Any]:
        """The entry as packamal.toml would hold it (suppress.suppression_parse reads it)."""
        keys = ("rule", "sha256", "fingerprint", "package", "path", "reason", "by")
        entry: dict[str, Any] = {k: getattr(self, k) for k in keys if getattr(self, k)}
        if self.expires is not None:
            entry["expires"] = self.expires
        return entry

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .analysis.suppress import SuppressionError, suppression_parse

        try:
            suppression_parse(self.as_entry(), source="this suppression")
        except SuppressionError as exc:
            raise ValidationError(str(exc).removeprefix("this suppression: ")) from None
