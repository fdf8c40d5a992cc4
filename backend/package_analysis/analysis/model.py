"""The shapes the analysis stages hand each other (the contract between them).

fetch/upload → `Artifact` (a local archive with its verified sha256)
unpack       → a directory tree (child process, resource limits)
rules        → `engine.scan_tree(root, ...)` → list[`Finding`]
scoring      → `scoring.verdict(findings)` → (verdict, score 0-10)
report       → `Report` → JSON (docs/design.md "Package analysis") and SARIF 2.1.0
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
Reachability = Literal["install", "import", "runtime", "test", "docs", "metadata"]
Verdict = Literal["malicious", "suspicious", "clean"]
Ecosystem = Literal["pypi", "npm"]
# Where a report's bytes came from: fetched through the configured registry (hash verified
# against what it publishes), sent to POST /analyze/upload, or a local file (the scan role).
Source = Literal["registry", "upload", "file"]

SNIPPET_MAX = 400


class AnalysisError(Exception):
    """A package that cannot be analysed; `str(exc)` is the sentence the job's `error` shows
    (e.g. "No such package: pkg:pypi/nope", "Archive exceeds ANALYSIS_MAX_FILES (20000)")."""


@dataclass(frozen=True)
class PackageRef:
    ecosystem: Ecosystem
    name: str
    version: str | None  # None only before "latest" is resolved
    purl: str


@dataclass(frozen=True)
class Artifact:
    """One downloaded or uploaded archive; `path` is local and never leaves the process."""

    filename: str
    sha256: str
    size: int
    path: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"filename": self.filename, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class Finding:
    """Evidence a reviewer can check in seconds. `file` is the path inside the archive
    (as the archive names it, top folder included); `line` is 1-based or None."""

    rule: str  # stable id, e.g. "PY-INSTALL-CMD-OVERRIDE"
    title: str  # one line
    category: str  # e.g. exfiltration, credentials, reverse-shell, miner, download-exec, ...
    severity: Severity
    file: str
    line: int | None
    snippet: str  # ≤ SNIPPET_MAX chars, plain text
    reachability: Reachability
    explanation: str  # why it matters, what to check
    artifact: str = ""  # sha256 of the artifact it was found in

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Provenance:
    """Where the analysed bytes came from, and how much of the package identity is vouched for.

    `registry`: every artifact came from `registry` and matched the hash it publishes, so the
    package name and version are the registry's. `upload` / `file`: the name and version are
    what the archive itself claims (`claimed` is True); nothing vouches for them."""

    source: Source
    registry: str | None = None  # the index or registry URL, without credentials
    verified: bool = False  # every artifact's hash matched the registry's
    claimed: bool = True  # the package name/version were read from the archive
    filename: str | None = None  # the uploaded or local file's name

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """A finished analysis. `summary()` is the small `Job.result`; `as_dict()` adds findings."""

    verdict: Verdict
    score: float
    package: PackageRef
    artifacts: list[Artifact]
    findings: list[Finding]
    rules_version: str
    cached: bool = False
    seconds: float = 0.0
    provenance: Provenance = field(default_factory=lambda: Provenance("file"))
    extra: dict[str, Any] = field(default_factory=dict)

    def by_severity(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "score": self.score,
            "package": asdict(self.package),
            "artifacts": [a.as_dict() for a in self.artifacts],
            "findings": len(self.findings),
            "by_severity": self.by_severity(),
            "rules_version": self.rules_version,
            "cached": self.cached,
            "provenance": self.provenance.as_dict(),
            "seconds": round(self.seconds, 3),
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.summary(), "findings": [f.as_dict() for f in self.findings]}
