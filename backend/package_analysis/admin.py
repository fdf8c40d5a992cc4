from django.contrib import admin
from django.http import HttpRequest

from .models import Job, Suppression


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "task", "status", "attempts", "worker", "progress", "created_at")
    list_filter = ("status", "task")
    search_fields = ("=id", "worker")
    readonly_fields = ("id", "created_at", "started_at", "completed_at", "lease_expires_at")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Accepted findings, applied by the worker to every analysis. Each add, change and
    delete is in the admin's history (who, when, which fields); the row shows who created
    and who last changed it."""

    list_display = ("id", "rule", "package", "reason", "expires", "by", "updated_by", "updated_at")
    list_filter = ("rule",)
    search_fields = ("rule", "package", "sha256", "fingerprint", "reason", "by")
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by")
    fields = (
        "rule",
        "sha256",
        "fingerprint",
        "package",
        "path",
        "reason",
        "expires",
        "by",
        *readonly_fields,
    )

    def save_model(
        self, request: HttpRequest, obj: Suppression, form: object, change: bool
    ) -> None:
        user = request.user.get_username()
        if not change:
            obj.created_by = user
        obj.updated_by = user
        super().save_model(request, obj, form, change)
