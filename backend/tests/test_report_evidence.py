"""A finding's evidence fields (end line, source → sink chain, decoded payload, repeat count)
survive every way a report is stored and read back: the rows in PostgreSQL, the artifact
cache, the rebuilt `Report` behind SARIF, and the JSON report route."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from package_analysis import reports
from package_analysis.analysis.model import Artifact, ChainStep, Finding, PackageRef, Report
from package_analysis.analysis.pipeline import CacheKey
from package_analysis.models import Job

pytestmark = pytest.mark.django_db(transaction=True)

SHA = "ab" * 32

CHAINED = Finding(
    rule="PY-DECODE-EXEC",
    title="Executes a decoded payload",
    category="obfuscation",
    severity="critical",
    file="demo-1.0/setup.py",
    line=7,
    snippet='exec(\n    base64.b64decode("cHJpbnQoJ2hpJyk=")\n)',
    reachability="install",
    explanation="Runs code hidden in a literal.",
    artifact=SHA,
    end_line=9,
    chain=(
        ChainStep("source", "demo-1.0/setup.py", 8, 'base64.b64decode("cHJpbnQoJ2hpJyk=")'),
        ChainStep("transform", "demo-1.0/setup.py", 8, "base64.b64decode"),
        ChainStep("sink", "demo-1.0/setup.py", 7, "exec("),
    ),
    decoded="print('hi')",
    count=1,
)
REPEATED = Finding(
    rule="CNT-URL",
    title="Contacts a host",
    category="network",
    severity="low",
    file="demo-1.0/pkg/__init__.py",
    line=None,
    snippet="https://example.invalid/a",
    reachability="import",
    explanation="A URL in code.",
    artifact=SHA,
    count=3,
)


def _report() -> Report:
    return Report(
        verdict="malicious",
        score=9.0,
        package=PackageRef("pypi", "demo", "1.0", "pkg:pypi/demo@1.0"),
        artifacts=[Artifact("demo-1.0.tar.gz", SHA, 123)],
        findings=[CHAINED, REPEATED],
        rules_version="test-rules",
    )


def test_a_finding_round_trips_through_its_dict_form() -> None:
    for finding in (CHAINED, REPEATED):
        data = finding.as_dict()
        assert data["chain"] == [step.as_dict() for step in finding.chain]
        assert Finding.from_dict(data) == finding
    # A row written before these fields existed reads back with their defaults.
    old = {
        k: v
        for k, v in CHAINED.as_dict().items()
        if k not in {"end_line", "chain", "decoded", "count"}
    }
    plain = Finding.from_dict(old)
    assert (plain.end_line, plain.chain, plain.decoded, plain.count) == (None, (), "", 1)


def test_a_chain_step_with_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        ChainStep.from_dict({"role": "exfil", "file": "x", "line": 1, "text": "y"})


def test_stored_findings_keep_their_evidence(client: Client) -> None:
    report = _report()
    job = Job.objects.create(task="analyze", params={}, enqueued_at=timezone.now())
    with transaction.atomic():
        reports.report_save(job_id=str(job.id), report=report)
    Job.objects.filter(id=job.id).update(status="completed", result=report.summary())
    job.refresh_from_db()

    key = CacheKey(SHA, "pypi", "pkg:pypi/demo@1.0", "test-rules")
    # A report of no registry's bytes is kept as a claim: it answers uploads, never the registry.
    assert reports.findings_cached(key, source="upload") == [CHAINED, REPEATED]
    assert reports.findings_cached(key, source="registry") is None
    assert reports.report_object(job=job).findings == [CHAINED, REPEATED]

    body = client.get(f"/jobs/{job.id}/report").json()
    assert body["findings"] == [CHAINED.as_dict(), REPEATED.as_dict()]
