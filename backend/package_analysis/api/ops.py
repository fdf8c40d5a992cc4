"""The ops router: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Literal

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..auth import ReadKey
from ..broker import redis_client, refusing_writes
from ..metrics import REGISTRY
from ..schemas import HealthOut, ReadyOut

router = Router(tags=["ops"])


@router.get("/healthz", response={200: HealthOut}, summary="Liveness")
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@router.get("/readyz", response={200: ReadyOut, 503: ReadyOut}, summary="Readiness")
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {"postgres": _check_postgres(), "redis": _check_redis()}
    ready = all(v == "ok" for v in checks.values())
    status: Literal["ready", "not_ready"] = "ready" if ready else "not_ready"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)


def _check_postgres() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"down: {type(exc).__name__}"


def _check_redis() -> str:
    try:
        redis_client().ping()
    except Exception as exc:
        return f"down: {type(exc).__name__}"
    if refusing_writes():
        return "full: refusing writes (maxmemory)"
    return "ok"


@router.get(
    "/metrics",
    auth=ReadKey(),
    summary="Prometheus metrics",
    openapi_extra={
        "responses": {
            200: {
                "description": "Prometheus text format",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
