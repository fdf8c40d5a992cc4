"""The HTTP contract: every route, whole JSON bodies, and every kind of bad input."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import redis
from django.test import Client

from package_analysis import broker
from package_analysis.models import Job

# transaction=True: the LPUSH runs in transaction.on_commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

JOB_KEYS = {
    "id",
    "task",
    "params",
    "status",
    "attempts",
    "worker",
    "progress",
    "result",
    "error",
    "created_at",
    "started_at",
    "completed_at",
}


@pytest.fixture
def client() -> Client:
    return Client()


def post_json(client: Client, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/dispatch", data=data, content_type="application/json", **extra)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_dispatch_accepts_and_queues_one_message(client: Client, r: redis.Redis) -> None:
    response = post_json(client, {"task": "simulate", "params": {"seconds": 2, "mode": "sleep"}})

    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == f"/jobs/{body['id']}"
    assert body == {
        "id": body["id"],
        "task": "simulate",
        "params": {"seconds": 2.0, "mode": "sleep"},
        "status": "queued",
        "attempts": 0,
        "worker": None,
        "progress": 0.0,
        "result": None,
        "error": None,
        "created_at": body["created_at"],
        "started_at": None,
        "completed_at": None,
    }
    uuid.UUID(body["id"])
    assert body["created_at"].endswith("Z")
    assert Job.objects.get(id=body["id"]).status == "queued"
    messages = r.lrange(broker.keys().queue, 0, -1)
    assert len(messages) == 1
    message = json.loads(messages[0])
    assert set(message) == {"id", "task", "params", "enqueued_at"}
    assert message["id"] == body["id"]
    assert message["params"] == {"seconds": 2.0, "mode": "sleep"}
    assert r.zscore(broker.keys().pending, body["id"]) is not None


def test_empty_body_means_all_defaults(client: Client) -> None:
    response = client.generic("POST", "/dispatch", b"")
    assert response.status_code == 202
    body = response.json()
    assert (body["task"], body["params"]) == ("simulate", {"seconds": 10.0, "mode": "cpu"})


def test_json_null_body_means_all_defaults(client: Client) -> None:
    response = post_json(client, "null")
    assert response.status_code == 202
    assert response.json()["params"] == {"seconds": 10.0, "mode": "cpu"}


def test_partial_params_take_defaults(client: Client) -> None:
    response = post_json(client, {"params": {"seconds": 0}})
    assert response.status_code == 202
    assert response.json()["params"] == {"seconds": 0.0, "mode": "cpu"}


def test_malformed_json_is_400(client: Client, r: redis.Redis) -> None:
    assert_error(post_json(client, '{"params": {'), 400, "malformed_json")
    assert Job.objects.count() == 0
    assert r.llen(broker.keys().queue) == 0


def test_non_json_content_type_is_415(client: Client) -> None:
    response = client.post("/dispatch", data="seconds=2", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"params": {"seconds": "10"}}, "seconds"),
        ({"params": {"seconds": True}}, "seconds"),
        ({"params": {"seconds": None}}, "seconds"),
        ({"params": {"seconds": 601}}, "seconds"),
        ({"params": {"seconds": -1}}, "seconds"),
        ({"params": {"mode": "gpu"}}, "mode"),
        ({"task": "mine-bitcoin"}, "task"),
        ({"task": 7}, "task"),
        ({"params": "fast"}, "params"),
        ({"params": {"seconds": 1, "colour": "red"}}, "colour"),
        ({"priority": 1}, "priority"),
    ],
)
def test_invalid_fields_are_422(client: Client, body: dict[str, Any], field: str) -> None:
    error = assert_error(post_json(client, body), 422, "validation_error")
    assert field in error["message"]
    assert any(field in [str(p) for p in d["loc"]] for d in error["details"])
    assert Job.objects.count() == 0


def test_body_that_is_not_an_object_is_422(client: Client) -> None:
    assert_error(post_json(client, [1, 2, 3]), 422, "validation_error")


def test_body_over_64_kib_is_413(client: Client) -> None:
    big = json.dumps({"params": {"seconds": 1}, "pad": "x" * (64 * 1024)})
    assert_error(post_json(client, big), 413, "payload_too_large")
    assert Job.objects.count() == 0


def test_job_detail_whole_body(client: Client) -> None:
    job_id = post_json(client, {"params": {"seconds": 1}}).json()["id"]
    response = client.get(f"/jobs/{job_id}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == JOB_KEYS
    assert body["id"] == job_id and body["status"] == "queued"


@pytest.mark.parametrize("job_id", [str(uuid.uuid4()), "not-a-uuid", "1"])
def test_unknown_or_malformed_job_id_is_404(client: Client, job_id: str) -> None:
    error = assert_error(client.get(f"/jobs/{job_id}"), 404, "not_found")
    assert job_id in error["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/dispatch"),
        ("put", "/dispatch"),
        ("delete", f"/jobs/{uuid.uuid4()}"),
        ("post", "/jobs"),
        ("post", "/stats"),
        ("post", "/healthz"),
    ],
)
def test_wrong_method_is_405(client: Client, method: str, path: str) -> None:
    assert_error(getattr(client, method)(path), 405, "method_not_allowed")


def test_unknown_route_is_404_json(client: Client) -> None:
    assert_error(client.get("/nope"), 404, "not_found")


def test_job_list_is_newest_first_and_pages_with_a_cursor(client: Client) -> None:
    ids = [post_json(client, {"params": {"seconds": i}}).json()["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 2, **({"before": cursor} if cursor else {})}
        response = client.get("/jobs", query)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"items", "next"}
        assert all(set(item) == JOB_KEYS for item in body["items"])
        seen += [item["id"] for item in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_job_list_filters_by_status(client: Client) -> None:
    first, second = (post_json(client, {}).json()["id"] for _ in range(2))
    Job.objects.filter(id=first).update(status="completed")
    body = client.get("/jobs", {"status": "completed"}).json()
    assert [item["id"] for item in body["items"]] == [first]
    assert body["next"] is None
    assert [i["id"] for i in client.get("/jobs", {"status": "queued"}).json()["items"]] == [second]


@pytest.mark.parametrize(
    "query",
    [{"status": "exploded"}, {"limit": 0}, {"limit": 501}, {"limit": "x"}, {"before": "garbage!!"}],
)
def test_job_list_bad_query_is_422(client: Client, query: dict[str, Any]) -> None:
    assert_error(client.get("/jobs", query), 422, "validation_error")


def test_stats_counts_jobs_and_queue(client: Client, r: redis.Redis) -> None:
    for _ in range(3):
        post_json(client, {})
    Job.objects.filter(id=Job.objects.first().id).update(status="failed")  # type: ignore[union-attr]
    r.lpush(broker.keys().dead, "x")
    r.zadd(broker.keys().workers, {"w1": __import__("time").time()})
    response = client.get("/stats")
    assert response.status_code == 200
    assert response.json() == {
        "queue_depth": 3,
        "dead_letter": 1,
        "workers": 1,
        "jobs": {"queued": 2, "running": 0, "completed": 0, "failed": 1},
    }


def test_health_and_readiness(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"postgres": "ok", "redis": "ok"}}


def test_probes_answer_any_host_header(client: Client) -> None:
    # Kubernetes probes send the pod IP as Host; DJANGO_ALLOWED_HOSTS need not list it.
    assert client.get("/healthz", HTTP_HOST="10.244.0.17:8000").status_code == 200
    assert_error(client.get("/jobs", HTTP_HOST="10.244.0.17:8000"), 400, "bad_request")


def test_readiness_names_redis_when_it_is_down(client: Client, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    broker.redis_client.cache_clear()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["postgres"] == "ok"
    assert body["checks"]["redis"].startswith("down")


def test_dispatch_survives_redis_down_and_recovery_repushes(
    client: Client, settings: Any, r: redis.Redis
) -> None:
    from package_analysis.services import jobs_repush_lost

    good_url = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    broker.redis_client.cache_clear()
    response = post_json(client, {"params": {"seconds": 1}})
    assert response.status_code == 202  # the row is committed; the push is retried later
    job_id = response.json()["id"]
    assert r.llen(broker.keys().queue) == 0

    settings.REDIS_URL = good_url
    broker.redis_client.cache_clear()
    lost = jobs_repush_lost(grace_seconds=0, client=broker.redis_client())
    assert [str(j.id) for j in lost] == [job_id]
    assert json.loads(r.lindex(broker.keys().queue, 0) or "{}")["id"] == job_id
    assert jobs_repush_lost(grace_seconds=0, client=broker.redis_client()) == []


def test_stats_is_503_json_when_redis_is_down(client: Client, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    broker.redis_client.cache_clear()
    assert_error(client.get("/stats"), 503, "dependency_unavailable")


def test_metrics_are_prometheus_text(client: Client) -> None:
    post_json(client, {})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for name in (
        "packamal_jobs_dispatched_total",
        "packamal_queue_depth",
        'packamal_jobs{status="queued"}',
        "packamal_workers",
        "packamal_job_duration_seconds",
    ):
        assert name in text, name


def test_openapi_and_docs(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/dispatch",
        "/jobs/{job_id}",
        "/jobs",
        "/stats",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in schema["paths"], path
    assert set(schema["paths"]["/dispatch"]["post"]["responses"]) >= {"202", "413", "422", "429"}
    docs = client.get("/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content


def test_rate_limit_answers_429_with_retry_after(client: Client, settings: Any) -> None:
    from package_analysis import ratelimit

    settings.DISPATCH_RATE_LIMIT = "3/minute"
    ratelimit.cache_clear()
    for _ in range(3):
        assert post_json(client, {}).status_code == 202
    response = post_json(client, {})
    error = assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert error["details"] == {"retry_after": int(response["Retry-After"])}
    assert Job.objects.count() == 3
    # another client has its own budget
    assert post_json(client, {}, REMOTE_ADDR="10.1.2.3").status_code == 202


def test_api_keys_when_configured(client: Client, settings: Any) -> None:
    settings.DISPATCH_API_KEYS = ["k-one", "k-two"]
    assert_error(post_json(client, {}), 401, "unauthorized")
    assert_error(post_json(client, {}, HTTP_X_API_KEY="wrong"), 401, "unauthorized")
    assert post_json(client, {}, HTTP_X_API_KEY="k-two").status_code == 202
    assert post_json(client, {}, HTTP_AUTHORIZATION="Bearer k-one").status_code == 202
    assert_error(post_json(client, {}, HTTP_AUTHORIZATION="Basic k-one"), 401, "unauthorized")
    assert client.get("/stats").status_code == 200  # reads stay open
