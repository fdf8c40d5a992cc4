from django.apps import AppConfig


class PackageAnalysisConfig(AppConfig):
    name = "package_analysis"
    verbose_name = "Package analysis jobs"
    default_auto_field = "django.db.models.BigAutoField"
