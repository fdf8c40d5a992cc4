"""URL routes: the JSON API at the root (docs/design.md), the Django admin under /admin/."""

from django.contrib import admin
from django.urls import path

from package_analysis.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", api.urls),
]

handler404 = "package_analysis.errors.not_found_view"
handler500 = "package_analysis.errors.server_error_view"
handler400 = "package_analysis.errors.bad_request_view"
handler403 = "package_analysis.errors.forbidden_view"
