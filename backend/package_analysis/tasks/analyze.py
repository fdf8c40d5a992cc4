"""`analyze`: is this package version malicious, and where is the evidence?

The analysis itself (fetch → unpack → rules → verdict) is `analysis.pipeline`, shared with
the `scan` role; this module adds what the platform keeps: uploads read from the store,
the per-artifact cache, and the report rows written inside the fenced completion.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..analysis.model import AnalysisError, Finding, Provenance, Report
from ..analysis.purl import purl_parse
from .base import TaskContext, TaskFailed, TaskResult, TaskSpec

if TYPE_CHECKING:  # the engine (YARA-X, tree-sitter) loads in workers only, not in the api
    from ..analysis.pipeline import CacheFn, Limits, ProgressFn


class AnalyzeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purl: str | None = Field(
        None,
        max_length=512,
        description="Package URL, e.g. `pkg:pypi/requests@2.32.3` or "
        "`pkg:npm/%40scope/name@1.0.0`; no version means the latest",
        examples=["pkg:pypi/idna@3.7"],
    )
    upload: uuid.UUID | None = Field(
        None,
        description="An archive stored by `POST /analyze/upload` (set by that route)",
        json_schema_extra={"readOnly": True},
    )
    force: bool = Field(
        False, description="Analyse again even when a report for the same artifact exists"
    )

    @field_validator("purl")
    @classmethod
    def _purl_parses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            purl_parse(value)
        except AnalysisError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    @model_validator(mode="after")
    def _one_target(self) -> AnalyzeParams:
        if (self.purl is None) == (self.upload is None):
            raise ValueError("give exactly one of `purl` or `upload`")
        return self


class PackageOut(BaseModel):
    ecosystem: Literal["pypi", "npm"]
    name: str
    version: str | None
    purl: str


class ArtifactOut(BaseModel):
    filename: str
    sha256: str
    size: int


class ProvenanceOut(BaseModel):
    """Where the analysed bytes came from (docs/security.md "Provenance")."""

    source: Literal["registry", "upload"] = Field(
        description="`registry`: fetched through the configured index and hash-verified against "
        "it; `upload`: sent to POST /analyze/upload, so the package name and version are only "
        "what the archive claims"
    )
    registry: str | None = Field(description="The index or registry the bytes came through")
    verified: bool = Field(description="Every artifact's hash matched the registry's")
    claimed: bool = Field(description="The package name and version were read from the archive")
    filename: str | None = Field(description="The uploaded file's name")


class SeverityCounts(BaseModel):
    critical: int
    high: int
    medium: int
    low: int


class AnalyzeResult(BaseModel):
    """`Job.result` of a finished analysis: small, it rides every event and job list."""

    verdict: Literal["malicious", "suspicious", "clean"]
    score: float = Field(ge=0, le=10)
    package: PackageOut
    artifacts: list[ArtifactOut]
    findings: int
    by_severity: SeverityCounts
    rules_version: str
    cached: bool
    provenance: ProvenanceOut
    seconds: float
    report: str = Field(description="Where the full report is: `/jobs/{id}/report`")


def analyze(params: AnalyzeParams, ctx: TaskContext) -> TaskResult:
    from .. import reports  # Django models: imported when a job runs, not by the schema
    from ..analysis.pipeline import Limits, analyze_purl
    from ..models import Source

    limits = Limits.from_env()
    source = Source.UPLOAD if params.upload is not None else Source.REGISTRY
    # Each source answers only from its own scans: an upload never answers for the registry.
    cache = None if params.force else functools.partial(reports.findings_cached, source=source)

    def on_progress(stage: str, fraction: float) -> None:
        ctx.report(min(0.99, fraction))

    try:
        if params.upload is not None:
            report = _analyze_upload(params.upload, limits, on_progress, ctx, cache)
        else:
            assert params.purl is not None
            report = analyze_purl(
                params.purl, limits=limits, on_progress=on_progress, check=ctx.check, cache=cache
            )
    except AnalysisError as exc:
        raise TaskFailed(str(exc)) from None
    summary = AnalyzeResult.model_validate(
        {**report.summary(), "report": f"/jobs/{ctx.job_id}/report"}
    )
    return TaskResult(
        summary, save=lambda job_id: reports.report_save(job_id=job_id, report=report)
    )


def _analyze_upload(
    upload_id: uuid.UUID,
    limits: Limits,
    on_progress: ProgressFn,
    ctx: TaskContext,
    cache: CacheFn | None,
) -> Report:
    from .. import uploads
    from ..analysis.pipeline import analyze_file

    upload, path = uploads.upload_get(upload_id=upload_id)
    report = analyze_file(  # read in place from the upload store; scratch is the pipeline's
        path,
        ecosystem=upload.ecosystem,  # type: ignore[arg-type]
        filename=upload.filename,
        limits=limits,
        on_progress=on_progress,
        check=ctx.check,
        cache=cache,
    )
    provenance = Provenance("upload", claimed=True, filename=upload.filename)
    return dataclasses.replace(report, provenance=provenance)


def _timeout(params: AnalyzeParams) -> float:
    from ..analysis.pipeline import Limits

    return float(Limits.from_env().timeout_seconds)


SPEC = TaskSpec(
    name="analyze",
    description="Static analysis of a PyPI or npm package version: verdict and evidence",
    params=AnalyzeParams,
    result=AnalyzeResult,
    run=analyze,
    timeout=_timeout,
)

__all__ = ["SPEC", "AnalyzeParams", "AnalyzeResult", "Finding"]
