"""`analyze`: is this package version malicious, and where is the evidence?

The declaration (params and result); `analyze_run` executes it in the worker.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..analysis.model import AnalysisError, Finding
from ..analysis.purl import purl_parse
from ..diff_schemas import BaselineSummaryOut
from .base import TaskSpec


class AnalyzeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purl: str | None = Field(
        None,
        max_length=512,
        description="Package URL, e.g. `pkg:pypi/requests@2.32.3` or "
        "`pkg:npm/%40scope/name@1.0.0`; no version means the latest. Kept canonical (the "
        "name normalised, qualifiers dropped)",
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
    baseline: str | None = Field(
        None,
        max_length=128,
        pattern=r"^(previous|none|[A-Za-z0-9][A-Za-z0-9.+!_-]*)$",
        description="What to compare with: `previous` (the release before, the default for a"
        " purl; for an upload, the published release it claims to be), a version of the same"
        " package, or `none`. A copy of a popular package is compared with the original"
        " unless `none` is asked for (uploads: only then, by default).",
        examples=["previous", "3.6", "none"],
    )

    @field_validator("purl")
    @classmethod
    def _purl_parses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ref = purl_parse(value)
        except AnalysisError as exc:
            raise ValueError(str(exc)) from None
        return ref.purl  # canonical, so a failed analysis is found by purl (reports.py)

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


class SkippedFileOut(BaseModel):
    artifact: str
    file: str
    reason: str


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
    skipped: list[SkippedFileOut] = Field(
        default_factory=list,
        description="Files not (fully) scanned, with the reason (first 200)",
    )
    suppressed: int = Field(0, description="Findings a suppression accepted (not counted)")
    notes: list[str] = Field(
        default_factory=list,
        description="Suppressions that stopped applying (expired, or the code changed), and why",
    )
    report: str = Field(description="Where the full report is: `/jobs/{id}/report`")
    baseline: BaselineSummaryOut | None = Field(
        None, description="What the analysis was compared with, when it was"
    )


SPEC = TaskSpec(
    name="analyze",
    description="Static analysis of a PyPI or npm package version: verdict and evidence",
    params=AnalyzeParams,
    result=AnalyzeResult,
    runner="package_analysis.tasks.analyze_run",
)

__all__ = ["SPEC", "AnalyzeParams", "AnalyzeResult", "Finding"]
