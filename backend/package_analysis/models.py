"""The Job row: the source of truth for every accepted job."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from .schemas import JobOut


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

    def __str__(self) -> str:
        return f"{self.task} {self.id} ({self.status})"

    def as_dict(self) -> dict[str, Any]:
        """The one Job shape of DESIGN.md, JSON-ready: `schemas.JobOut`'s fields and types."""
        # model_construct: the row is already valid; this only serializes (UUID, "…Z" times).
        fields = {name: getattr(self, name) for name in JobOut.model_fields}
        return JobOut.model_construct(**fields).model_dump(mode="json")


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
