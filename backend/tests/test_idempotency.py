"""L7: Idempotency-Key on the routes that create jobs. In-process for the contract, and the
review's experiment with real processes: the api SIGKILLed mid-burst, every request that
failed retried with its key, and exactly one job per request in the end."""

from __future__ import annotations

import json
import signal
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from django.test import Client

from package_analysis.models import IdempotencyRecord, Job

from .conftest import Role, free_port, wait_ready

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"task": "simulate", "params": {"seconds": 0, "mode": "sleep"}}


def post(client: Client, path: str, body: Any, key: str | None = None) -> Any:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def test_same_key_and_body_answer_the_original_job_with_200() -> None:
    client = Client()
    first = post(client, "/dispatch", BODY, "k-1")
    assert first.status_code == 202 and "Idempotent-Replayed" not in first
    again = post(client, "/dispatch", BODY, "k-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    # the same meaning with other spelling is the same request
    spelled = client.post(
        "/dispatch",
        data=b'{ "params": {"mode": "sleep", "seconds": 0.0}, "task": "simulate" }',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert spelled.status_code == 200 and spelled.json()["id"] == first.json()["id"]
    assert Job.objects.count() == 1


def test_same_key_with_another_body_is_422_and_creates_nothing() -> None:
    client = Client()
    assert post(client, "/dispatch", BODY, "k-2").status_code == 202
    other = {"task": "simulate", "params": {"seconds": 1, "mode": "sleep"}}
    response = post(client, "/dispatch", other, "k-2")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Job.objects.count() == 1


def test_no_key_or_another_key_creates_new_jobs_and_errors_are_not_kept() -> None:
    client = Client()
    ids = {post(client, "/dispatch", BODY).json()["id"] for _ in range(2)}
    ids.add(post(client, "/dispatch", BODY, "k-3").json()["id"])
    ids.add(post(client, "/dispatch", BODY, "k-4").json()["id"])
    assert len(ids) == 4
    bad = {"task": "simulate", "params": {"seconds": -1}}
    assert post(client, "/dispatch", bad, "k-5").status_code == 422
    assert post(client, "/dispatch", BODY, "k-5").status_code == 202  # the key was not used up
    for key in ("", "with space", "x" * 256, "é"):
        response = client.post(
            "/dispatch",
            data=json.dumps(BODY),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        assert response.status_code == 400, key
        assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert Job.objects.count() == 5


def test_batch_is_idempotent_too() -> None:
    client = Client()
    batch = {"jobs": [BODY, BODY, BODY]}
    first = post(client, "/dispatch/batch", batch, "b-1")
    assert first.status_code == 202
    again = post(client, "/dispatch/batch", batch, "b-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert post(client, "/dispatch/batch", {"jobs": [BODY]}, "b-1").status_code == 422
    # keys are per route: the same key on /dispatch is another request
    assert post(client, "/dispatch", BODY, "b-1").status_code == 202
    assert Job.objects.count() == 4


def test_lockfile_upload_is_idempotent() -> None:
    client = Client()
    text = b"requests==2.31.0\nflask==3.0.0\n"

    def upload(data: bytes, key: str) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        f = SimpleUploadedFile("requirements.txt", data, content_type="text/plain")
        return client.post("/analyze/lockfile", {"file": f}, HTTP_IDEMPOTENCY_KEY=key)

    first = upload(text, "l-1")
    assert first.status_code == 202, first.content
    again = upload(text, "l-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert upload(b"requests==2.31.0\n", "l-1").status_code == 422
    assert Job.objects.count() == 2


def test_concurrent_requests_with_one_key_make_one_job() -> None:
    results: list[Any] = []
    lock = threading.Lock()

    def one() -> None:
        r = post(Client(), "/dispatch", BODY, "race")
        with lock:
            results.append(r)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(r.status_code for r in results)
    assert codes == [200] * 7 + [202]
    assert len({r.json()["id"] for r in results}) == 1
    assert Job.objects.count() == 1


@pytest.mark.slow
def test_api_killed_mid_burst_then_every_failed_request_retried(
    start_role: Callable[..., Role],
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def start() -> Role:
        api = start_role("api", PORT=str(port))
        wait_ready(lambda: _ready(base), "the api", api)
        return api

    api = start()
    keys = [str(uuid.uuid4()) for _ in range(200)]
    answers: dict[str, int] = {}
    lock = threading.Lock()
    killed = threading.Event()

    def send(key: str) -> None:
        try:
            code = httpx.post(
                f"{base}/dispatch", json=BODY, headers={"Idempotency-Key": key}, timeout=10
            ).status_code
        except httpx.HTTPError:
            code = 0
        with lock:
            answers[key] = code
            if sum(1 for c in answers.values() if c == 202) == 100 and not killed.is_set():
                killed.set()
                api.signal(signal.SIGKILL)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(send, keys))
    assert killed.is_set()
    failed = [k for k, c in answers.items() if c != 202]
    assert failed, "the kill left no request without an answer"
    committed_unseen = Job.objects.count() - (len(keys) - len(failed))
    api.proc.wait(10)

    start()
    retried: dict[str, httpx.Response] = {}
    for key in failed:
        retried[key] = httpx.post(
            f"{base}/dispatch", json=BODY, headers={"Idempotency-Key": key}, timeout=10
        )
    codes = [r.status_code for r in retried.values()]
    assert set(codes) <= {200, 202}, codes
    # every request whose job was committed before the kill got that job back (200) ...
    assert codes.count(200) == committed_unseen
    # ... and in the end exactly one job per request
    assert Job.objects.count() == len(keys)
    records = dict(IdempotencyRecord.objects.values_list("key", "response"))
    assert set(records) == set(keys)
    assert len({r["id"] for r in records.values()}) == len(keys)
    for key, r in retried.items():
        assert r.json()["id"] == records[key]["id"]


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
