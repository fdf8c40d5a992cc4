"""HTTP API (django-ninja): the jobs and ops routers on one NinjaAPI, whose errors all leave
as the one JSON error shape of docs/design.md (handlers.py)."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.operation import Operation

from . import analysis, handlers, jobs, lockfile, ops
from .parser import JsonBodyParser


class PackamalAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Ids name the endpoint, not the module that holds it: moving a handler between
        # routers changes none of the frontend's generated types.
        return f"package_analysis_api_{operation.view_func.__name__}"


api = PackamalAPI(
    title="Pack-A-Mal API",
    version="1.0.0",
    description="Dispatch package-analysis jobs and watch them run.",
    parser=JsonBodyParser(),
    urls_namespace="packamal",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
handlers.install(api)
api.add_router("", jobs.router)
api.add_router("", lockfile.router)
api.add_router("", ops.router)
api.add_router("", analysis.router)

__all__ = ["api"]
