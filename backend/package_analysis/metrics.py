"""Prometheus metrics. Gauges that describe shared state are read at scrape time."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .broker import refusing_writes
from .queries import job_counts, queue_stats, workers_busy

log = logging.getLogger("packamal.metrics")

REGISTRY = CollectorRegistry(auto_describe=True)

DISPATCHED = Counter(
    "packamal_jobs_dispatched", "Jobs accepted by POST /dispatch", ["task"], registry=REGISTRY
)
PUSH_FAILURES = Counter(
    "packamal_queue_push_failures",
    "Job messages that could not be pushed to Redis (recovery re-pushes them)",
    registry=REGISTRY,
)
EVENTS = Counter(
    "packamal_job_events", "Job events relayed from job_updates", ["event"], registry=REGISTRY
)
JOB_DURATION = Histogram(
    "packamal_job_duration_seconds",
    "Time from start to end of finished jobs, seen by the api's subscriber",
    ["task", "status"],
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
    registry=REGISTRY,
)
WS_CLIENTS = Counter(
    "packamal_websocket_connections", "WebSocket connections accepted", registry=REGISTRY
)


class StateCollector(Collector):
    """Queue depth, jobs by status and workers by state, read when Prometheus scrapes."""

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # nothing to read at registration: state is read at scrape time

    def collect(self):  # type: ignore[no-untyped-def]
        try:
            q = queue_stats()
            workers = workers_busy()
        except Exception as exc:  # Redis down: report what we can
            log.warning("metrics: redis unavailable: %s", exc)
            q, workers = None, None
        if q is not None:
            yield GaugeMetricFamily(
                "packamal_queue_depth", "Messages waiting", value=q["queue_depth"]
            )
            yield GaugeMetricFamily(
                "packamal_dead_letter_depth", "Dead-lettered messages", value=q["dead_letter"]
            )
        full = refusing_writes()
        if full is not None:
            yield GaugeMetricFamily(
                "packamal_redis_refusing_writes",
                "1 while Redis is at maxmemory and refuses new job messages (dispatch 503s)",
                value=int(full),
            )
        if workers is not None:
            g = GaugeMetricFamily("packamal_workers", "Live workers by state", labels=["state"])
            for state, n in workers.items():
                g.add_metric([state], n)
            yield g
        try:
            counts = job_counts()
        except Exception as exc:
            log.warning("metrics: database unavailable: %s", exc)
            return
        g = GaugeMetricFamily("packamal_jobs", "Jobs by status", labels=["status"])
        for status, n in counts.items():
            g.add_metric([status], n)
        yield g


REGISTRY.register(StateCollector())
WS_REFUSED = Counter(
    "packamal_websocket_refused",
    "WebSocket connections refused or closed by policy (origin, key, full, client_data)",
    ["reason"],
    registry=REGISTRY,
)
DISPATCH_REFUSED = Counter(
    "packamal_dispatch_refused",
    "Dispatches refused before a row was written, by reason",
    ["reason"],
    registry=REGISTRY,
)
