"""Response shapes of the comparison with a baseline (`analysis.diff`): the `baseline`
summary in `Job.result` and the report's `diff` object (the OpenAPI document's source, so
the dashboard's types are generated from them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

RunsAt = Literal["install", "import", ""]


class BaselineSummaryOut(BaseModel):
    """What a finished analysis was compared with, in brief (it rides every event)."""

    purl: str = Field(description="The baseline release; empty for a local archive")
    kind: Literal["previous", "version", "path", "copy", ""]
    new_findings: int = Field(description="Findings in code the baseline did not have")
    load_time_hunks: int = Field(description="Added hunks that run at install or import")
    plain_score: float = Field(description="The score without weighing new code more")


class BaselineOut(BaseModel):
    kind: Literal["previous", "version", "path", "copy"]
    purl: str
    version: str
    file: str
    reason: str


class HunkOut(BaseModel):
    start: int
    end: int
    runs_at: RunsAt = Field(description="Whether any added line runs at install or import")
    lines: list[str] = Field(description="The added lines (the first 40 of the hunk)")
    removed: int


class FileChangeOut(BaseModel):
    file: str = Field(description="Path in the analysed archive; empty when removed")
    old_file: str = Field(description="Path in the baseline; empty when added")
    status: Literal["added", "removed", "changed"]
    runs_at: RunsAt
    binary: bool
    lines_added: int
    lines_removed: int
    hunks: list[HunkOut]
    hunks_total: int


class DiffSummaryOut(BaseModel):
    added: int
    removed: int
    changed: int
    unchanged: int
    load_time_hunks: int


class HookChangeOut(BaseModel):
    hook: str
    before: str
    after: str


class EntryPointChangeOut(BaseModel):
    name: str
    before: str
    after: str


class DependencyOut(BaseModel):
    name: str
    spec: str
    typosquat_of: str
    url: bool


class EndpointOut(BaseModel):
    value: str
    file: str
    line: int
    runs_at: RunsAt


class BlobOut(BaseModel):
    file: str
    line: int
    length: int
    preview: str
    runs_at: RunsAt


class ProvenanceOut(BaseModel):
    attested: bool = False
    baseline_attested: bool = False
    earlier_attested: list[str] = Field(default_factory=list)
    publisher: str = ""
    baseline_publisher: str = ""


class DiffOut(BaseModel):
    """The comparison with the baseline: install/import-time hunks first."""

    baseline: BaselineOut
    summary: DiffSummaryOut
    files: list[FileChangeOut]
    install_hooks: list[HookChangeOut]
    entry_points: list[EntryPointChangeOut]
    dependencies: list[DependencyOut]
    import_names: list[str]
    endpoints: list[EndpointOut]
    blobs: list[BlobOut]
    binaries: list[str]
    provenance: ProvenanceOut
    plain_score: float
    raised_rules: list[str] = Field(
        description="Rules whose new install/import-time findings were weighed more"
    )
    new_verdict: Literal["malicious", "suspicious", "clean"] = Field(
        description="The verdict of the new findings alone (what `scan --fail-on` judges)"
    )
    new_score: float
    artifacts: int = 1
