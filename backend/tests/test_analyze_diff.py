"""`analyze` with a baseline through the platform: dispatch → worker → the report's `diff`,
each finding's `baseline` mark, the result's `baseline` summary and SARIF's
`baselineState`. Real PostgreSQL, Redis and registries; the injected payload is a harmless
stand-in built from a real release and only ever read as bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from package_analysis.models import AnalysisReport, Finding

from .analysis import injected
from .test_analyze import dispatch, job, run_worker, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_purl_is_compared_with_the_release_before_by_default(client: Client) -> None:
    queued = dispatch(client, {"purl": "pkg:pypi/idna@3.7"})
    assert queued["params"]["baseline"] is None
    run_worker()
    done = job(client, queued["id"])
    assert done["status"] == "completed", done["error"]
    assert done["result"]["baseline"] == {
        "purl": "pkg:pypi/idna@3.6", "kind": "previous", "new_findings": 0,
        "load_time_hunks": done["result"]["baseline"]["load_time_hunks"], "plain_score": 0.0,
    }  # fmt: skip
    report = client.get(done["result"]["report"]).json()
    diff = report["diff"]
    assert diff["baseline"]["version"] == "3.6"
    assert "idna-3.7/idna/core.py" in [f["file"] for f in diff["files"]]
    assert AnalysisReport.objects.get(job_id=queued["id"]).diff == diff

    none = dispatch(client, {"purl": "pkg:pypi/idna@3.7", "baseline": "none"})
    run_worker()
    result = job(client, none["id"])["result"]
    assert result["baseline"] is None and result["cached"] is True
    assert client.get(result["report"]).json()["diff"] is None


def test_an_uploaded_injected_release_marks_the_payload_new(client: Client, tmp_path: Path) -> None:
    inj = injected.inject_python("pkg:pypi/idna@3.7", tmp_path, "idna/core.py")
    response = upload(client, inj.archive.read_bytes(), inj.archive.name)
    assert response.status_code == 202, response.content
    # An upload is compared with the release it claims to be only when asked.
    params = {**response.json()["params"], "baseline": "previous"}
    queued = dispatch(client, params)
    run_worker()
    plain, compared = job(client, response.json()["id"]), job(client, queued["id"])
    assert plain["result"]["baseline"] is None
    result = compared["result"]
    assert result["verdict"] in ("suspicious", "malicious")
    assert result["baseline"]["purl"] == "pkg:pypi/idna@3.7"
    assert result["baseline"]["kind"] == "version"
    report: dict[str, Any] = client.get(result["report"]).json()
    new = [f for f in report["findings"] if f["baseline"] == "new"]
    assert new and {(f["file"], f["line"]) for f in new} == {(inj.file, inj.line)}
    assert {f["baseline"] for f in report["findings"]} <= {"new", "unchanged"}
    assert Finding.objects.filter(job_id=queued["id"], baseline="new").count() == len(new)
    sarif = client.get(result["report"] + "?format=sarif").json()
    states = [r.get("baselineState") for r in sarif["runs"][0]["results"]]
    assert states.count("new") == len(new)
    assert json.dumps(report["diff"]["files"][0]["hunks"][0]["lines"]) == json.dumps(
        injected.PY_PAYLOAD
    )


def test_a_bad_baseline_is_422(client: Client) -> None:
    response = client.post(
        "/dispatch",
        data=json.dumps(
            {"task": "analyze", "params": {"purl": "pkg:pypi/idna", "baseline": "../etc/passwd"}}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "baseline" in json.dumps(response.json())
