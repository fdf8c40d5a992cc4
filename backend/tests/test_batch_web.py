"""Batch dispatch and lockfile uploads through the web role: real nginx (docker/entrypoint.sh
web) in front of the real api, so its body limits and buffering are the ones users meet;
and a batch whose push failed, recovered and run by a real worker process."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from django.test import Client

from package_analysis import broker
from package_analysis.models import Job

from .conftest import Role, free_port, wait_ready, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FAST = {"JOB_RECOVERY_INTERVAL": "0.5", "JOB_REQUEUE_GRACE": "1"}
UPLOAD_MAX = 3 * 1024 * 1024  # ANALYSIS_UPLOAD_MAX_BYTES for both roles here


@pytest.fixture
def web(start_role: Callable[..., Role]) -> Iterator[str]:
    api_port, web_port = free_port(), free_port()
    limit = {"ANALYSIS_UPLOAD_MAX_BYTES": str(UPLOAD_MAX)}
    api = start_role("api", PORT=str(api_port), **limit)
    # nginx's workers run as nobody when the tests run as root: a directory they can enter
    root = Path(tempfile.mkdtemp(prefix="packamal-batch-web-"))
    root.chmod(0o755)
    (root / "index.html").write_text("<!doctype html><title>dashboard</title>")
    role = start_role(
        "web",
        WEB_PORT=str(web_port),
        WEB_ROOT=str(root),
        API_UPSTREAM=f"http://127.0.0.1:{api_port}",
        NGINX_RUN_DIR=str(root / "run"),
        **limit,
    )
    base = f"http://127.0.0.1:{web_port}/api"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_ready(up, "api and web up", api, role)
    yield base
    shutil.rmtree(root, ignore_errors=True)


def test_a_batch_of_1000_passes_nginx_and_an_oversized_one_gets_the_apis_413(web: str) -> None:
    body = {"jobs": [{"task": "simulate", "params": {"seconds": 0, "mode": "sleep"}}] * 1000}
    # ~60 KiB: more than nginx keeps in memory, so it is buffered to a file on the way
    r = httpx.post(f"{web}/dispatch/batch", json=body, timeout=60)
    assert r.status_code == 202, r.text
    assert len(r.json()["items"]) == 1000

    padded = json.dumps({"jobs": body["jobs"][:1], "pad": " " * (1536 * 1024)})
    r = httpx.post(
        f"{web}/dispatch/batch",
        content=padded,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert r.status_code == 413
    assert r.json() == {
        "error": {
            "code": "payload_too_large",
            "message": "The request body is over 1 MiB.",
            "details": {"limit": 1024 * 1024},
        }
    }


def test_lockfiles_over_nginxs_default_limit_pass_and_over_the_upload_limit_get_a_413(
    web: str,
) -> None:
    # 1000 pinned packages with --hash and "# via" lines, as pip-compile writes them:
    # about 2.6 MiB, over the 2 MiB that nginx lets through for the JSON routes
    lines = [
        f"pkg{i}==1.0.{i} \\\n    --hash=sha256:{i:064x} \\\n    --hash=sha256:{i + 1:064x}\n"
        + "    # via -r requirements.in\n" * 90
        for i in range(1000)
    ]
    data = "".join(lines).encode()
    assert 2 * 1024 * 1024 < len(data) < UPLOAD_MAX
    r = httpx.post(
        f"{web}/analyze/lockfile", files={"file": ("requirements.txt", data)}, timeout=120
    )
    assert r.status_code == 202, r.text
    assert len(r.json()["items"]) == 1000
    assert r.json()["skipped"] == []

    too_big = data + data[: 1024 * 1024]  # over the upload limit, under nginx's (+1 MiB)
    r = httpx.post(
        f"{web}/analyze/lockfile", files={"file": ("requirements.txt", too_big)}, timeout=120
    )
    assert r.status_code == 413
    error = r.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["message"].startswith("The request body is over")  # the api's words
    assert error["details"] == {"limit": UPLOAD_MAX + 64 * 1024}


def test_a_batch_whose_push_failed_is_recovered_and_run_by_a_real_worker(
    start_role: Callable[..., Role], settings: Any, r: redis.Redis
) -> None:
    good_url = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens: the push after commit fails
    broker.redis_client.cache_clear()
    jobs = [{"task": "simulate", "params": {"seconds": 0, "mode": "sleep"}}] * 20
    response = Client().post(
        "/dispatch/batch", data=json.dumps({"jobs": jobs}), content_type="application/json"
    )
    assert response.status_code == 202
    ids = [item["id"] for item in response.json()["items"]]
    settings.REDIS_URL = good_url
    broker.redis_client.cache_clear()
    assert broker.queue_length(client=r) == 0  # committed rows, no messages

    start_role("worker", "--name", "batch-recoverer", **FAST)
    wait_until(
        lambda: Job.objects.filter(id__in=ids, status="completed").count() == 20,
        60,
        "every job of the batch completed",
    )
    # each ran once: recovery re-pushed each lost message once, and a claim is conditional
    assert sorted(Job.objects.filter(id__in=ids).values_list("attempts", flat=True)) == [1] * 20
