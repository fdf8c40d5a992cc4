"""Uploads (second security review, H1, M2, L3, L4): streamed to the upload store through
nginx and the api, never into PostgreSQL; per-client quotas; a bounded number received at
once; the bytes purged after the retention by the recovery sweep that runs anyway; and an
upload's findings readable only by whoever sent it when reads need a key.

The archives are built here from harmless strings; big ones are random bytes behind a gzip
magic number (they pass the archive check and fail to unpack, which is all they are for)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import tarfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from package_analysis import uploads
from package_analysis.broker import redis_client
from package_analysis.models import Job, Upload
from package_analysis.recovery import recover
from package_analysis.worker import Worker

from . import test_security_web as web
from .conftest import wait_until
from .test_security_web import Stack, assert_json_error, rss_mib

pytestmark = [pytest.mark.django_db(transaction=True)]

stack_factory = web.stack_factory
stack = web.stack

MiB = 1024 * 1024
PKG_INFO = b"Metadata-Version: 2.1\nName: demo-upload\nVersion: 1.0\n"


def sdist(extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in {"demo-upload-1.0/PKG-INFO": PKG_INFO, **(extra or {})}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def gz_noise(size: int) -> bytes:
    return b"\x1f\x8b" + os.urandom(size - 2)


def run_worker() -> None:
    assert Worker(name="w-uploads", burst=True, handle_signals=False).work() == 0


def post(base: str, data: bytes, name: str = "a.tar.gz", **headers: str) -> httpx.Response:
    return httpx.post(
        f"{base}/analyze/upload",
        files={"file": (name, data)},
        data={"ecosystem": "pypi"},
        headers=headers,
        timeout=120,
    )


def store() -> Path:
    return Path(django_settings.ANALYSIS_UPLOAD_DIR)


def stored_files() -> list[str]:
    return sorted(p.name for p in store().iterdir() if p.is_file())


# ---------------------------------------------------------------- H1, M2: where the bytes go


@pytest.mark.slow
def test_concurrent_maximum_size_uploads_through_web_keep_the_api_flat(stack: Stack) -> None:
    bodies = [gz_noise(50 * MiB - 4096) for _ in range(2)]
    pid = stack.api_role.proc.pid
    before = rss_mib(pid)
    peak = before
    answers: list[httpx.Response] = []
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [
        threading.Thread(target=lambda b=b: answers.append(post(f"{stack.web}/api", b)))
        for b in bodies
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    sampler.join()
    assert sorted(r.status_code for r in answers) == [202, 202], [r.text for r in answers]
    # At cce126b one such upload added about 430 MiB; now the body never sits in memory.
    assert peak - before < 40, (before, peak)
    rows = list(Upload.objects.values_list("id", "sha256", "size"))
    assert sorted((sha, size) for _, sha, size in rows) == sorted(
        (hashlib.sha256(b).hexdigest(), len(b)) for b in bodies
    )
    assert stored_files() == sorted(str(i) for i, _, _ in rows)
    for upload_id, sha, _ in rows:
        data = (store() / str(upload_id)).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
    with connection.cursor() as cursor:  # nothing of the archives in PostgreSQL
        cursor.execute("SELECT pg_total_relation_size('package_analysis_upload')")
        assert cursor.fetchone()[0] < 1 * MiB
    assert list((store() / uploads.SPOOL).iterdir()) == []  # nothing left half-received


def test_an_upload_is_stored_on_disk_and_analysed_from_there(client: Client) -> None:
    data = sdist()
    response = client.post(
        "/analyze/upload", {"file": _named(data, "demo.tar.gz"), "ecosystem": "pypi"}
    )
    assert response.status_code == 202, response.content
    (upload,) = Upload.objects.all()
    assert (upload.sha256, upload.size, upload.filename) == (
        hashlib.sha256(data).hexdigest(),
        len(data),
        "demo.tar.gz",
    )
    assert upload.owner == "addr:127.0.0.1" and upload.purged_at is None
    assert (store() / str(upload.id)).read_bytes() == data
    run_worker()
    job = Job.objects.get(id=response.json()["id"])
    assert job.status == "completed", job.error
    assert job.result["package"]["name"] == "demo-upload"


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_refused_uploads_leave_nothing_in_the_store(client: Client) -> None:
    response = client.post(
        "/analyze/upload",
        {"file": _named(b"#!/bin/sh\necho hi\n", "x.tar.gz"), "ecosystem": "pypi"},
    )
    assert response.status_code == 422
    assert (Upload.objects.count(), stored_files()) == (0, [])
    assert list((store() / uploads.SPOOL).iterdir()) == []


# ---------------------------------------------------------------- quotas and concurrency


def test_each_client_has_an_hourly_upload_quota(
    stack_factory: Callable[..., Stack],
) -> None:
    first, second = sdist({"demo-upload-1.0/a.py": b"x = 1\n"}), sdist()
    s = stack_factory(api_env={"ANALYSIS_UPLOAD_QUOTA_BYTES": str(len(first) + 10)})
    assert post(f"{s.web}/api", first).status_code == 202
    over = post(f"{s.web}/api", second)
    assert_json_error(over, 429, "upload_quota_exceeded")
    details = over.json()["error"]["details"]
    assert details["used"] == len(first) and details["quota"] == len(first) + 10
    assert 3000 < int(over.headers["retry-after"]) <= 3601
    assert Upload.objects.count() == 1 and len(stored_files()) == 1


def test_the_store_has_a_cap(stack_factory: Callable[..., Stack]) -> None:
    data = sdist()
    s = stack_factory(api_env={"ANALYSIS_UPLOAD_STORE_MAX_BYTES": str(len(data) * 2 - 1)})
    assert post(f"{s.web}/api", data).status_code == 202
    full = post(f"{s.web}/api", data, name="b.tar.gz")
    assert_json_error(full, 503, "upload_store_full")
    assert full.headers["retry-after"] == "60"


def test_an_api_process_receives_a_bounded_number_of_uploads_at_once(
    stack_factory: Callable[..., Stack],
) -> None:
    s = stack_factory(api_env={"UPLOAD_CONCURRENCY": "1"})
    boundary = "b0undary"
    head = (
        f"POST /analyze/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {10 * MiB}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", s.api_port)) as slow:
        slow.sendall(head + b"--" + boundary.encode() + b"\r\n")  # and then nothing, for now
        time.sleep(0.5)
        busy = post(s.api, sdist())
        assert_json_error(busy, 503, "too_many_uploads")
        assert busy.headers["retry-after"] == "5"
    wait_until(lambda: post(s.api, sdist()).status_code == 202, 15, "the slot is free again")


# ---------------------------------------------------------------- M2: retention and purge


def test_the_recovery_sweep_purges_uploads_past_the_retention(
    client: Client, settings: Any
) -> None:
    data = sdist()
    done = client.post("/analyze/upload", {"file": _named(data, "a.tar.gz"), "ecosystem": "pypi"})
    assert done.status_code == 202
    run_worker()
    waiting = client.post(
        "/analyze/upload", {"file": _named(data, "b.tar.gz"), "ecosystem": "pypi"}
    )
    old = timezone.now() - timedelta(hours=25)
    Upload.objects.update(created_at=old)
    spool = store() / uploads.SPOOL
    abandoned, fresh = spool / "body-abandoned", spool / "body-arriving"
    abandoned.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(abandoned, (time.time() - 7200, time.time() - 7200))
    orphan = store() / "00000000-0000-4000-8000-000000000000"
    orphan.write_bytes(b"x")
    os.utime(orphan, (time.time() - 90000, time.time() - 90000))

    summary = recover(client=redis_client())
    assert summary["uploads_purged"] == 1  # the analysed one; the queued one waits for its job
    finished = Upload.objects.get(filename="a.tar.gz")
    queued = Upload.objects.get(filename="b.tar.gz")
    assert finished.purged_at is not None and queued.purged_at is None
    assert stored_files() == [str(queued.id)]
    assert sorted(p.name for p in spool.iterdir()) == ["body-arriving"]

    run_worker()
    assert Job.objects.get(id=waiting.json()["id"]).status == "completed"
    assert recover(client=redis_client())["uploads_purged"] == 1
    assert stored_files() == []

    again = client.post(
        "/dispatch",
        data=json.dumps({"task": "analyze", "params": {"upload": str(finished.id), "force": True}}),
        content_type="application/json",
    )
    run_worker()
    failed = Job.objects.get(id=again.json()["id"])
    assert failed.status == "failed"
    assert failed.error == (
        f"The uploaded archive {finished.id} was deleted (uploads are kept 24 h); upload it again"
    )


# ---------------------------------------------------------------- L3: the scratch folder


def test_the_first_upload_creates_the_scratch_folder(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "not" / "there" / "yet"
    monkeypatch.setenv("ANALYSIS_SCRATCH_DIR", str(scratch))
    response = client.post(
        "/analyze/upload", {"file": _named(sdist(), "a.tar.gz"), "ecosystem": "pypi"}
    )
    run_worker()
    job = Job.objects.get(id=response.json()["id"])
    assert job.status == "completed", job.error
    assert scratch.is_dir() and list(scratch.iterdir()) == []


def test_nginx_lets_one_client_send_two_upload_bodies_at_once(stack: Stack) -> None:
    head = (
        "POST /api/analyze/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=b0undary\r\n"
        f"Content-Length: {MiB}\r\n\r\n--b0undary\r\n"
    ).encode()
    slow = [socket.create_connection(("127.0.0.1", stack.web_port)) for _ in range(2)]
    try:
        for sock in slow:
            sock.sendall(head)  # both bodies still arriving
        time.sleep(0.5)
        third = post(f"{stack.web}/api", sdist())
        assert_json_error(third, 429, "rate_limited")
        assert httpx.get(f"{stack.web}/api/jobs?limit=1", timeout=10).status_code == 200
    finally:
        for sock in slow:
            sock.close()
    wait_until(lambda: post(f"{stack.web}/api", sdist()).status_code == 202, 15, "slots free")
    assert Upload.objects.count() == 1


# ---------------------------------------------------------------- L4, L5: who reads what

KEY_A, KEY_B, READER = "a" * 40, "b" * 40, "r" * 40


def test_with_read_keys_an_uploads_findings_are_its_senders_only(settings: Any) -> None:
    settings.DISPATCH_API_KEYS = [KEY_A, KEY_B]
    settings.API_READ_KEYS = [READER]
    sender = Client(HTTP_X_API_KEY=KEY_A)
    body = {"file": _named(sdist({"demo-upload-1.0/x.py": b"x = 1\n"}), "a.tar.gz")}
    job_id = sender.post("/analyze/upload", {**body, "ecosystem": "pypi"}).json()["id"]
    run_worker()
    assert sender.get(f"/jobs/{job_id}/report").status_code == 200
    purl = "/reports?purl=pkg:pypi/demo-upload@1.0&uploads=true"
    assert sender.get(purl).json()["job"] == job_id
    for other in (Client(HTTP_X_API_KEY=KEY_B), Client(HTTP_X_API_KEY=READER)):
        denied = other.get(f"/jobs/{job_id}/report")
        assert denied.status_code == 404 and denied.json()["error"]["code"] == "not_found"
        assert other.get(purl).status_code == 404
    assert Client().get(f"/jobs/{job_id}/report").status_code == 401


def test_without_read_keys_reports_are_open_as_documented(client: Client) -> None:
    body = {"file": _named(sdist(), "a.tar.gz"), "ecosystem": "pypi"}
    job_id = client.post("/analyze/upload", body).json()["id"]
    run_worker()
    assert Client(REMOTE_ADDR="192.0.2.9").get(f"/jobs/{job_id}/report").status_code == 200


def test_in_open_mode_idempotency_keys_are_each_clients_own() -> None:
    def dispatch(address: str, seconds: int) -> Any:
        return Client(REMOTE_ADDR=address).post(
            "/dispatch",
            data=json.dumps({"params": {"seconds": seconds, "mode": "sleep"}}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="ci-build-42",
        )

    victim = dispatch("192.0.2.1", 0)
    assert victim.status_code == 202
    # Another client with the same guessable key: its own request, not the victim's answer.
    other = dispatch("192.0.2.2", 0)
    assert other.status_code == 202 and other.json()["id"] != victim.json()["id"]
    assert dispatch("192.0.2.3", 1).status_code == 202  # and no 422 for a third client
    again = dispatch("192.0.2.1", 0)
    assert again.status_code == 200 and again.json()["id"] == victim.json()["id"]
    assert dispatch("192.0.2.1", 5).json()["error"]["code"] == "idempotency_key_reused"
