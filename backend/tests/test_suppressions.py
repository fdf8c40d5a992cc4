"""Suppressions in the service: rows edited in the Django admin (validated, audited) and
applied by the worker to every analysis, cached or not; suppressed findings stay in the
report (JSON and SARIF) with their reason and stop counting for the verdict."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.test import Client

from package_analysis.models import Finding, Suppression

from .test_analyze import PKG_INFO, SETUP_PY, job, run_worker, sdist, upload

pytestmark = pytest.mark.django_db(transaction=True)

ADD = "/admin/package_analysis/suppression/add/"


@pytest.fixture
def admin_client() -> Client:
    User.objects.create_superuser("reviewer", "reviewer@example.com", "pw-for-tests-only")
    client = Client()
    assert client.login(username="reviewer", password="pw-for-tests-only")
    return client


def _form(**fields: str) -> dict[str, str]:
    base = {"rule": "", "sha256": "", "fingerprint": "", "package": "", "path": "",
            "reason": "", "expires": "", "by": ""}  # fmt: skip
    return {**base, **fields}


def test_the_admin_refuses_an_entry_without_a_reason_or_a_pin(admin_client: Client) -> None:
    no_reason = admin_client.post(ADD, _form(rule="PY-X", sha256="a" * 64))
    assert no_reason.status_code == 200 and b"This field is required" in no_reason.content
    no_pin = admin_client.post(ADD, _form(rule="PY-X", reason="fine"))
    assert no_pin.status_code == 200
    assert b"give `sha256` (the artifact&#x27;s) or `fingerprint`" in no_pin.content
    bad_hash = admin_client.post(ADD, _form(rule="PY-X", sha256="xyz", reason="fine"))
    assert b"must be 64 hexadecimal characters" in bad_hash.content
    assert Suppression.objects.count() == 0


def test_the_admin_records_who_added_and_changed_a_suppression(admin_client: Client) -> None:
    added = admin_client.post(ADD, _form(rule="PY-X", sha256="a" * 64, reason="reviewed"))
    assert added.status_code == 302, added.content
    row = Suppression.objects.get()
    assert (row.created_by, row.updated_by, row.reason) == ("reviewer", "reviewer", "reviewed")

    User.objects.create_superuser("second", "second@example.com", "pw-for-tests-only")
    other = Client()
    assert other.login(username="second", password="pw-for-tests-only")
    change = f"/admin/package_analysis/suppression/{row.id}/change/"
    changed = other.post(change, _form(rule="PY-X", sha256="a" * 64, reason="re-reviewed"))
    assert changed.status_code == 302, changed.content
    row.refresh_from_db()
    assert (row.created_by, row.updated_by, row.reason) == ("reviewer", "second", "re-reviewed")
    entries = LogEntry.objects.filter(object_id=str(row.id)).order_by("action_time")
    assert [(e.user.username, e.action_flag) for e in entries][-1] == ("second", CHANGE)
    assert "Reason" in entries.last().get_change_message()  # type: ignore[union-attr]
    history = other.get(f"{change.removesuffix('change/')}history/")
    assert history.status_code == 200 and b"second" in history.content


def _suppress_all(report: dict[str, Any], **extra: Any) -> None:
    sha = report["artifacts"][0]["sha256"]
    for rule in sorted({f["rule"] for f in report["findings"]}):
        Suppression.objects.create(rule=rule, sha256=sha, reason="our fixture", by="qa", **extra)


def _analyse(client: Client, data: bytes, **params: Any) -> dict[str, Any]:
    queued = upload(client, data, "t.tar.gz").json()
    run_worker()
    done = job(client, queued["id"])
    assert done["status"] == "completed", done["error"]
    return done


def test_the_worker_applies_suppressions_cached_or_not(client: Client) -> None:
    data = sdist({"setup.py": SETUP_PY, "PKG-INFO": PKG_INFO})
    first = _analyse(client, data)
    before = client.get(first["result"]["report"]).json()
    assert first["result"]["verdict"] == "malicious" and before["suppressed"] == []
    _suppress_all(before)

    second = _analyse(client, data)  # from the cache: the stored findings, suppressed now
    result = second["result"]
    assert (result["cached"], result["verdict"], result["score"]) == (True, "clean", 0.0)
    assert (result["findings"], result["suppressed"]) == (0, len(before["findings"]))
    report = client.get(result["report"]).json()
    assert report["findings"] == []
    assert {(s["rule"], s["file"], s["line"]) for s in report["suppressed"]} == {
        (f["rule"], f["file"], f["line"]) for f in before["findings"]
    }
    assert {s["suppression"]["reason"] for s in report["suppressed"]} == {"our fixture"}
    assert {s["suppression"]["by"] for s in report["suppressed"]} == {"qa"}
    assert Finding.objects.filter(job_id=second["id"]).count() == len(before["findings"])

    sarif = client.get(result["report"] + "?format=sarif").json()
    results = sarif["runs"][0]["results"]
    assert len(results) == len(before["findings"])
    assert all(r["suppressions"][0]["justification"] == "our fixture" for r in results)

    # The next analysis that no row covers is the cached one with the original verdict.
    Suppression.objects.all().delete()
    third = _analyse(client, data)
    assert (third["result"]["verdict"], third["result"]["suppressed"]) == ("malicious", 0)


def test_an_expired_or_stale_suppression_stops_applying_and_says_so(client: Client) -> None:
    data = sdist({"setup.py": SETUP_PY, "PKG-INFO": PKG_INFO})
    before = client.get(_analyse(client, data)["result"]["report"]).json()
    _suppress_all(before, expires=dt.date.today() - dt.timedelta(days=1))
    expired = _analyse(client, data)["result"]
    assert (expired["verdict"], expired["suppressed"]) == ("malicious", 0)
    assert expired["notes"] and all("expired on" in n for n in expired["notes"])

    Suppression.objects.all().delete()
    _suppress_all(before)
    changed = sdist({"setup.py": SETUP_PY + "\n# a new release\n", "PKG-INFO": PKG_INFO})
    stale = _analyse(client, changed)["result"]
    assert (stale["verdict"], stale["suppressed"]) == ("malicious", 0)
    assert stale["notes"] and all("no longer matches" in n for n in stale["notes"])
    assert all(n.startswith("suppression ") for n in stale["notes"])
