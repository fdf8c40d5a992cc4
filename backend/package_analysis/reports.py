"""Analysis data: the report rows of finished analyses, the per-artifact cache.

Writes happen in `report_save` only (inside the worker's fenced completion transaction);
uploads are uploads.py's."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models.fields.json import KT

from .analysis.model import (
    Artifact,
    Finding,
    PackageRef,
    Provenance,
    Report,
    Suppressed,
)
from .analysis.present import arrange
from .analysis.purl import purl_parse
from .analysis.suppress import Suppression, SuppressionError, suppression_parse
from .models import AnalysisReport, ArtifactScan, Job, JobStatus, Source
from .models import Finding as FindingRow
from .models import Suppression as SuppressionRow
from .uploads import upload_fetch  # the task store's way to an upload (its row and bytes)

if TYPE_CHECKING:
    from .analysis.pipeline import CacheKey

_FINDING_FIELDS = tuple(Finding.__dataclass_fields__)
log = logging.getLogger("packamal.reports")


def findings_cached(key: CacheKey, *, source: str) -> list[Finding] | None:
    """The findings a scan with this exact key stored, from analyses of that source only
    (an upload never answers for the registry), or None."""
    scan = ArtifactScan.objects.filter(
        sha256=key.sha256,
        ecosystem=key.ecosystem,
        package=key.package,
        rules_version=key.rules_version,
        source=source,
    ).first()
    if scan is None:
        return None
    rows = FindingRow.objects.filter(job_id=scan.job_id, artifact=key.sha256)
    # "new"/"unchanged" belonged to that job's baseline, not to the artifact
    return [
        dataclasses.replace(Finding.from_dict(row), baseline="")
        for row in rows.values(*_FINDING_FIELDS)
    ]


def report_save(*, job_id: str, report: Report) -> None:
    """Write the report's rows; called inside the fenced completion's transaction."""
    assert transaction.get_connection().in_atomic_block, "report rows need the completion's txn"
    package = report.package
    # Only a registry analysis answers as the registry; anything else is someone's claim.
    registry = report.provenance.source == Source.REGISTRY
    source = Source.REGISTRY if registry else Source.UPLOAD
    AnalysisReport.objects.create(
        job_id=job_id,
        source=source,
        ecosystem=package.ecosystem,
        name=package.name,
        version=package.version or "",
        purl=package.purl,
        verdict=report.verdict,
        score=report.score,
        rules_version=report.rules_version,
        diff=report.diff,
    )
    rows = [FindingRow(job_id=job_id, **f.as_dict()) for f in report.findings]
    rows += [
        FindingRow(job_id=job_id, **s.finding.as_dict(), suppression=s.as_dict()["suppression"])
        for s in report.suppressed
    ]
    FindingRow.objects.bulk_create(rows, batch_size=1000)
    if report.cached:
        return  # every artifact came from the cache: the rows that answered stay as they are
    key = ("sha256", "ecosystem", "package", "rules_version", "source")
    ArtifactScan.objects.bulk_create(
        [
            ArtifactScan(
                sha256=a.sha256,
                ecosystem=package.ecosystem,
                package=package.purl,
                rules_version=report.rules_version,
                source=source,
                job_id=job_id,
            )
            for a in report.artifacts
        ],
        # The newest scan answers: a forced re-analysis replaces whatever was cached.
        update_conflicts=True,
        unique_fields=key,
        update_fields=("job",),
    )


def report_of(*, job: Job) -> dict[str, Any]:
    """The full report of a completed analysis: the summary, every finding (grouped,
    strongest first), and the findings a suppression accepted, with it."""
    rows = list(FindingRow.objects.filter(job=job).values(*_FINDING_FIELDS, "suppression"))
    findings = arrange(Finding.from_dict(r) for r in rows if r["suppression"] is None)
    suppressed = [
        {**Finding.from_dict(r).as_dict(), "suppression": r["suppression"]}
        for r in rows
        if r["suppression"] is not None
    ]
    result = job.result or {}
    head = AnalysisReport.objects.filter(job=job).only("diff").first()
    return {
        **result,
        "notes": result.get("notes", []),
        "job": str(job.id),
        "findings": [f.as_dict() for f in findings],
        "suppressed": suppressed,
        "diff": head.diff if head is not None else None,
    }


def suppressions_active() -> list[Suppression]:
    """Every suppression row as the analysis applies it (suppress.py); a row the admin's
    validation would refuse (written around it) is left out and logged, never guessed at."""
    entries = []
    for row in SuppressionRow.objects.all():
        try:
            entries.append(suppression_parse(row.as_entry(), source=f"suppression {row.id}"))
        except SuppressionError as exc:
            log.warning("suppression %s ignored: %s", row.id, exc)
    return entries


def report_latest(*, purl: str, uploads: bool = False) -> Job | None:
    """The newest finished analysis of that package version (or of the package, when the
    purl names no version): a completed one with its report, or a failed one, which answers
    "could not analyse" (docs/security.md). Registry analyses only; with `uploads`, uploads
    that claim it count too (a failed upload claims nothing: its name was never read)."""
    ref = purl_parse(purl)
    rows = AnalysisReport.objects.select_related("job")
    if not uploads:
        rows = rows.filter(source=Source.REGISTRY)
    if ref.version is not None:
        rows = rows.filter(purl=ref.purl)
    else:
        rows = rows.filter(ecosystem=ref.ecosystem, name=ref.name)
    head = rows.order_by("-created_at").first()
    failed = analysis_failed_latest(purl=ref.purl, any_version=ref.version is None)
    if failed is not None and (head is None or _newer(failed, head.job)):
        return failed
    return head.job if head is not None else None


def analysis_failed_latest(*, purl: str, any_version: bool) -> Job | None:
    """The newest failed analysis of a canonical purl (dispatch stores it canonical), through
    the partial index job_failed_purl_idx; `any_version`: of every version of the package."""
    jobs = Job.objects.filter(task="analyze", status=JobStatus.FAILED).alias(
        purl_text=KT("params__purl")
    )
    found = [jobs.filter(purl_text=purl).order_by("-completed_at").first()]
    if any_version:  # apart, so that each one is an index range (an OR scans it whole)
        found.append(
            jobs.filter(purl_text__startswith=f"{purl}@").order_by("-completed_at").first()
        )
    failed = [j for j in found if j is not None]
    return max(failed, key=_finished) if failed else None


def _finished(job: Job) -> datetime:
    return job.completed_at or datetime.min.replace(tzinfo=UTC)


def _newer(a: Job, b: Job) -> bool:
    return _finished(a) > _finished(b)


__all__ = [
    "analysis_failed_latest",
    "findings_cached",
    "report_latest",
    "report_of",
    "report_save",
    "suppressions_active",
    "upload_fetch",
]


def report_object(*, job: Job) -> Report:
    """The analysis `Report` of a completed job, rebuilt from its rows (for SARIF)."""
    result = job.result or {}
    rows = list(FindingRow.objects.filter(job=job).values(*_FINDING_FIELDS, "suppression"))
    suppressed = [
        Suppressed(
            Finding.from_dict(r),
            str(r["suppression"].get("reason", "")),
            str(r["suppression"].get("source", "")),
            r["suppression"].get("by"),
            r["suppression"].get("expires"),
        )
        for r in rows
        if r["suppression"] is not None
    ]
    return Report(
        verdict=result["verdict"],
        score=result["score"],
        package=PackageRef(**result["package"]),
        artifacts=[Artifact(**a) for a in result.get("artifacts", [])],
        findings=arrange(Finding.from_dict(r) for r in rows if r["suppression"] is None),
        suppressed=suppressed,
        notes=list(result.get("notes") or []),
        rules_version=result.get("rules_version", ""),
        cached=bool(result.get("cached")),
        seconds=float(result.get("seconds", 0.0)),
        provenance=Provenance(**result["provenance"])
        if result.get("provenance")
        else Provenance("upload" if (job.params or {}).get("upload") else "registry"),
        skipped=list(result.get("skipped", [])),
        diff=AnalysisReport.objects.filter(job=job).values_list("diff", flat=True).first(),
    )
