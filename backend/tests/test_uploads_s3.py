"""Uploads kept in an S3-compatible object store (ANALYSIS_UPLOAD_STORAGE=s3), the shape of a
cluster whose api and workers run on several nodes (docs/deployment.md, DOKS + Spaces).

The store is a real S3 API server in its own process (moto's standalone server, speaking
HTTP on a spare port); the api runs as a real process behind nginx, and a worker analyses
from the bucket. What holds on the volume holds here: the bytes never sit in the api's memory
(a multipart upload read from the spool), the worker streams them down within
ANALYSIS_MAX_ARTIFACT_BYTES, the retention purge and the sweep of objects no row owns delete
them, `force` after the purge says "upload it again", and the quota and the store cap hold."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from harness import run_role
from harness.s3 import S3Server
from package_analysis import upload_storage, uploads
from package_analysis.broker import redis_client
from package_analysis.models import Job, Upload
from package_analysis.recovery import recover

from . import test_security_web as web
from .conftest import free_port, role_env
from .test_security_web import Stack, assert_json_error, rss_mib
from .test_uploads import MiB, gz_noise, post, run_worker, sdist

pytestmark = [pytest.mark.django_db(transaction=True)]

stack_factory = web.stack_factory


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    """A standalone S3 API server process for this module."""
    with S3Server() as server:
        yield server


@pytest.fixture
def s3(s3_server: S3Server, settings: Any) -> Iterator[S3]:
    """This test's own bucket, named in the settings (in-process: the worker and the sweep)
    and in `env` (the api and worker processes)."""
    bucket = f"packamal-{uuid.uuid4().hex[:12]}"
    env = s3_server.env(bucket)
    for name, value in env.items():
        setattr(settings, name, value)
    client: Any = s3_server.client()
    client.create_bucket(Bucket=bucket)
    yield S3(client, bucket, env)


class S3:
    def __init__(self, client: Any, bucket: str, env: dict[str, str]):
        self.client, self.bucket, self.env = client, bucket, env

    def keys(self) -> list[str]:
        found = self.client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return sorted(item["Key"] for item in found)

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def head(self, key: str) -> dict[str, Any]:
        return dict(self.client.head_object(Bucket=self.bucket, Key=key))


def volume_files() -> list[str]:
    """What the api left in ANALYSIS_UPLOAD_DIR (only its spool lives there with S3)."""
    folder = Path(django_settings.ANALYSIS_UPLOAD_DIR)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_an_upload_goes_to_the_bucket_is_analysed_purged_and_must_be_sent_again(
    stack_factory: Callable[..., Stack], s3: S3, settings: Any, tmp_path: Path
) -> None:
    data = sdist({"demo-upload-1.0/setup.py": b"from setuptools import setup\nsetup()\n"})
    s = stack_factory(api_env=s3.env)
    sent = post(f"{s.web}/api", data, name="demo.tar.gz")
    assert sent.status_code == 202, sent.text
    (upload,) = Upload.objects.all()
    assert s3.keys() == [f"uploads/{upload.id}"]
    assert s3.read(f"uploads/{upload.id}") == data
    assert (upload.sha256, upload.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert volume_files() == []  # nothing on the api's disk once the object is stored

    # A worker process of its own (another node, in a cluster: no volume shared with the api).
    worker_dir = tmp_path / "worker-node"
    env = role_env(**s3.env, ANALYSIS_UPLOAD_DIR=str(worker_dir / "uploads"))
    env["ANALYSIS_SCRATCH_DIR"] = str(worker_dir / "scratch")
    done = run_role("worker", "--burst", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    job = Job.objects.get(id=sent.json()["id"])
    assert job.status == "completed", job.error
    assert list((worker_dir / "scratch").iterdir()) == []  # its copy went with the analysis
    assert not (worker_dir / "uploads").exists()
    report = httpx.get(f"{s.web}/api/jobs/{job.id}/report", timeout=10).json()
    assert (report["package"]["name"], report["package"]["version"]) == ("demo-upload", "1.0")
    assert report["provenance"]["source"] == "upload"
    assert report["artifacts"][0]["sha256"] == hashlib.sha256(data).hexdigest()

    # Past the retention: the analysed upload's object goes; so does an object no row owns
    # (a crash between storing and the row); what is not ours stays.
    orphan = f"uploads/{uuid.uuid4()}"
    s3.client.put_object(Bucket=s3.bucket, Key=orphan, Body=b"x")
    s3.client.put_object(Bucket=s3.bucket, Key="uploads/notes.txt", Body=b"x")
    Upload.objects.update(created_at=timezone.now() - timedelta(hours=25))
    settings.ANALYSIS_UPLOAD_RETENTION_HOURS = 1 / 3600  # the orphan, seconds old, is past it
    time.sleep(1.5)
    # The worker's own sweep listed the bucket before the orphan was put there:
    # the next listing would wait ORPHANS_EVERY_SECONDS.
    assert redis_client().ttl(uploads.orphans_sweep_key()) > 0
    redis_client().delete(uploads.orphans_sweep_key())
    assert recover(client=redis_client())["uploads_purged"] == 1
    assert s3.keys() == ["uploads/notes.txt"]
    assert Upload.objects.get(id=upload.id).purged_at is not None
    later = f"uploads/{uuid.uuid4()}"  # one listing per ORPHANS_EVERY_SECONDS across workers
    s3.client.put_object(Bucket=s3.bucket, Key=later, Body=b"x")
    time.sleep(1.5)
    assert recover(client=redis_client())["uploads_purged"] == 0
    assert s3.keys() == [later, "uploads/notes.txt"]

    settings.ANALYSIS_UPLOAD_RETENTION_HOURS = 24
    again = Client().post(
        "/dispatch",
        data=json.dumps({"task": "analyze", "params": {"upload": str(upload.id), "force": True}}),
        content_type="application/json",
    )
    assert again.status_code == 202, again.content
    run_worker()
    failed = Job.objects.get(id=again.json()["id"])
    assert failed.status == "failed"
    assert failed.error == (
        f"The uploaded archive {upload.id} was deleted (uploads are kept 24 h); upload it again"
    )


def test_an_object_deleted_behind_the_rows_back_says_upload_it_again(
    client: Client, s3: S3
) -> None:
    sent = client.post(
        "/analyze/upload", {"file": _named(sdist(), "a.tar.gz"), "ecosystem": "pypi"}
    )
    assert sent.status_code == 202, sent.content
    (key,) = s3.keys()
    s3.client.delete_object(Bucket=s3.bucket, Key=key)
    run_worker()
    job = Job.objects.get(id=sent.json()["id"])
    assert job.status == "failed" and job.error.endswith("upload it again"), job.error


def test_a_big_upload_is_sent_in_parts_and_fetched_within_the_artifact_limit(
    stack_factory: Callable[..., Stack],
    s3: S3,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = gz_noise(30 * MiB)
    s = stack_factory(api_env=s3.env)
    pid = s.api_role.proc.pid
    before = peak = rss_mib(pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        sent = post(f"{s.web}/api", body)
    finally:
        done.set()
        sampler.join()
    assert sent.status_code == 202, sent.text
    # The api sent the spooled file part by part (8 MiB parts: 4 of them), never whole.
    assert peak - before < 40, (before, peak)
    (upload,) = Upload.objects.all()
    head = s3.head(f"uploads/{upload.id}")
    assert head["ContentLength"] == len(body)
    assert head["ETag"].strip('"').endswith("-4")  # an S3 multipart upload's ETag
    assert hashlib.sha256(s3.read(f"uploads/{upload.id}")).hexdigest() == upload.sha256

    # The worker refuses what passes ANALYSIS_MAX_ARTIFACT_BYTES, and leaves no scratch behind.
    scratch = tmp_path / "scratch"
    monkeypatch.setenv("ANALYSIS_SCRATCH_DIR", str(scratch))
    monkeypatch.setenv("ANALYSIS_MAX_ARTIFACT_BYTES", str(10 * MiB))
    run_worker()
    job = Job.objects.get(id=sent.json()["id"])
    assert job.status == "failed"
    assert job.error == (
        "Artifact too large: a.tar.gz is 30.0 MiB, more than ANALYSIS_MAX_ARTIFACT_BYTES (10.0 MiB)"
    )
    assert list(scratch.iterdir()) == []


def test_on_s3_each_client_has_an_hourly_upload_quota(
    stack_factory: Callable[..., Stack], s3: S3
) -> None:
    first, second = sdist({"demo-upload-1.0/a.py": b"x = 1\n"}), sdist()
    s = stack_factory(api_env={**s3.env, "ANALYSIS_UPLOAD_QUOTA_BYTES": str(len(first) + 10)})
    assert post(f"{s.web}/api", first).status_code == 202
    over = post(f"{s.web}/api", second)
    assert_json_error(over, 429, "upload_quota_exceeded")
    assert over.json()["error"]["details"]["used"] == len(first)
    assert Upload.objects.count() == 1 and len(s3.keys()) == 1
    assert volume_files() == []


def test_on_s3_the_store_has_a_cap(stack_factory: Callable[..., Stack], s3: S3) -> None:
    data = sdist()
    s = stack_factory(api_env={**s3.env, "ANALYSIS_UPLOAD_STORE_MAX_BYTES": str(len(data) * 2 - 1)})
    assert post(f"{s.web}/api", data).status_code == 202
    full = post(f"{s.web}/api", data, name="b.tar.gz")
    assert_json_error(full, 503, "upload_store_full")
    assert full.headers["retry-after"] == "60"
    assert len(s3.keys()) == 1 and volume_files() == []
    # Purged bytes leave the cap: the next upload fits again.
    Upload.objects.update(created_at=timezone.now() - timedelta(hours=25))
    Job.objects.update(status="completed")
    assert recover(client=redis_client())["uploads_purged"] == 1
    assert s3.keys() == []
    assert post(f"{s.web}/api", data, name="c.tar.gz").status_code == 202


def test_an_unreachable_store_answers_503_and_keeps_nothing(
    client: Client, s3: S3, settings: Any
) -> None:
    settings.ANALYSIS_UPLOAD_S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    sent = client.post(
        "/analyze/upload", {"file": _named(sdist(), "a.tar.gz"), "ecosystem": "pypi"}
    )
    assert sent.status_code == 503 and sent.json()["error"]["code"] == "upload_store_unavailable"
    assert sent["Retry-After"] == "30"
    assert Upload.objects.count() == 0 and Job.objects.count() == 0
    assert volume_files() == []


def test_the_s3_store_lists_only_its_prefix(s3: S3) -> None:
    s3.client.put_object(Bucket=s3.bucket, Key="uploads/a", Body=b"1")
    s3.client.put_object(Bucket=s3.bucket, Key="uploads/deeper/b", Body=b"2")
    s3.client.put_object(Bucket=s3.bucket, Key="elsewhere/c", Body=b"3")
    names = [name for name, _ in upload_storage.storage().listing()]
    assert names == ["a"]


def _named(data: bytes, name: str) -> Any:
    import io

    f = io.BytesIO(data)
    f.name = name
    return f


def test_s3_without_a_bucket_stops_the_process() -> None:
    env = {**os.environ, "ANALYSIS_UPLOAD_STORAGE": "s3", "ANALYSIS_UPLOAD_S3_BUCKET": ""}
    env.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
    code = "import django; django.setup()"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "packamal.settings"},
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 78, done.stderr
    assert "ANALYSIS_UPLOAD_STORAGE=s3 needs ANALYSIS_UPLOAD_S3_BUCKET" in done.stderr


def test_a_store_that_cannot_be_read_fails_the_job_without_naming_it(
    client: Client, s3: S3, settings: Any
) -> None:
    sent = client.post(
        "/analyze/upload", {"file": _named(sdist(), "a.tar.gz"), "ecosystem": "pypi"}
    )
    assert sent.status_code == 202, sent.content
    upload_id = Upload.objects.get().id
    hidden = f"http://127.0.0.1:{free_port()}"  # the store went away
    settings.ANALYSIS_UPLOAD_S3_ENDPOINT_URL = hidden
    run_worker()
    job = Job.objects.get(id=sent.json()["id"])
    assert job.status == "failed"
    assert job.error == (
        f"The uploaded archive {upload_id} cannot be read from the upload store now;"
        " dispatch its analysis again later"
    )
    # The sweep leaves the bytes it cannot delete for the next one, and keeps going.
    Upload.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert recover(client=redis_client())["uploads_purged"] == 0
    assert Upload.objects.get().purged_at is None
    settings.ANALYSIS_UPLOAD_S3_ENDPOINT_URL = s3.env["ANALYSIS_UPLOAD_S3_ENDPOINT_URL"]
    assert recover(client=redis_client())["uploads_purged"] == 1
    assert s3.keys() == []
