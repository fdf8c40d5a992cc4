from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "task", "status", "attempts", "worker", "progress", "created_at")
    list_filter = ("status", "task")
    search_fields = ("=id", "worker")
    readonly_fields = ("id", "created_at", "started_at", "completed_at", "lease_expires_at")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
