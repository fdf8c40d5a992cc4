"""The shapes the analysis stages hand each other (the contract between them).

fetch/upload → `Artifact` (a local archive with its verified sha256)
unpack       → a directory tree (child process, resource limits)
rules        → `engine.scan_tree(root, ...)` → list[`Finding`]
scoring      → `scoring.verdict(findings)` → (verdict, score 0-10)
report       → `Report` → JSON (docs/design.md "Package analysis") and SARIF 2.1.0
"""

from __future__ import annotations

import hashlib
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
SKIPPED_LISTED = 200
DECODED_MAX = 2000  # decoded payload text kept beside its literal
ChainRole = Literal["source", "transform", "sink"]
CHAIN_ROLES: tuple[ChainRole, ...] = ("source", "transform", "sink")


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
class ChainStep:
    """One step of a data flow a finding rests on: where the data comes from (`source`),
    what it passes through (`transform`, e.g. a decoder) and where it ends (`sink`)."""

    role: ChainRole
    file: str
    line: int | None
    text: str  # the step's code, ≤ SNIPPET_MAX chars

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "file": self.file, "line": self.line, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChainStep:
        role = data.get("role")
        if role not in CHAIN_ROLES:
            raise ValueError(f"chain step role {role!r} is not one of {CHAIN_ROLES}")
        line = data.get("line")
        return cls(
            role=role,
            file=str(data.get("file", "")),
            line=int(line) if line is not None else None,
            text=str(data.get("text", "")),
        )


@dataclass(frozen=True)
class Finding:
    """Evidence a reviewer can check in seconds. `file` is the path inside the archive
    (as the archive names it, top folder included); `line` is 1-based or None; `end_line`
    is the last line of a multi-line construct (None: the snippet is one line)."""

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
    end_line: int | None = None
    chain: tuple[ChainStep, ...] = ()  # source → transform → sink, in flow order
    decoded: str = ""  # the decoded payload (≤ DECODED_MAX chars) of the literal at `line`
    count: int = 1  # identical findings grouped into this one
    # against a baseline (`diff`): "new" (added since) or "unchanged"; "" when not compared
    baseline: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["chain"] = [step.as_dict() for step in self.chain]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        chain = fields.get("chain") or ()
        fields["chain"] = tuple(
            step if isinstance(step, ChainStep) else ChainStep.from_dict(step) for step in chain
        )
        if fields.get("decoded") is None:
            fields["decoded"] = ""
        if fields.get("count") is None:
            fields["count"] = 1
        return cls(**fields)


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


def finding_fingerprint(f: Finding) -> str:
    """The finding's identity across runs (SARIF `partialFingerprints`, suppressions): rule,
    artifact sha256, file, line and snippet, so any change to the code makes a new one."""
    key = "\x1f".join([f.rule, f.artifact, f.file, str(f.line or 0), f.snippet])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Suppressed:
    """A finding a suppression accepted: kept in the report with the reason, not counted."""

    finding: Finding
    reason: str
    source: str  # which entry, e.g. "packamal.toml [[suppress]] #2" or "suppression 7"
    by: str | None = None
    expires: str | None = None  # ISO date

    def as_dict(self) -> dict[str, Any]:
        suppression = {"reason": self.reason, "source": self.source, "by": self.by}
        suppression["expires"] = self.expires
        return {**self.finding.as_dict(), "suppression": suppression}


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
    suppressed: list[Suppressed] = field(default_factory=list)  # not in `findings`
    notes: list[str] = field(default_factory=list)  # suppressions that stopped applying, and why
    # files not (fully) scanned, each {"artifact", "file", "reason"}: unpacking refused them,
    # or the engine read them in part; listed so a clean verdict never hides a gap
    skipped: list[dict[str, str]] = field(default_factory=list)
    diff: dict[str, Any] | None = None  # the comparison with a baseline (`analysis.diff`)

    def by_severity(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        out = self._summary()
        if self.diff is not None:
            out["baseline"] = self.baseline_summary()
        return out

    def baseline_summary(self) -> dict[str, Any]:
        """The small part of the diff that rides `Job.result`."""
        assert self.diff is not None
        base = self.diff.get("baseline") or {}
        return {
            "purl": base.get("purl", ""),
            "kind": base.get("kind", ""),
            "new_findings": sum(1 for f in self.findings if f.baseline == "new"),
            "load_time_hunks": (self.diff.get("summary") or {}).get("load_time_hunks", 0),
            "plain_score": self.diff.get("plain_score", self.score),
        }

    def _summary(self) -> dict[str, Any]:
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
            "skipped": self.skipped[:SKIPPED_LISTED],
            "suppressed": len(self.suppressed),
            "notes": self.notes,
        }

    def as_dict(self) -> dict[str, Any]:
        """The summary, every finding (with its fingerprint), the suppressed ones and why."""
        return {
            **self.summary(),
            "findings": [
                {**f.as_dict(), "fingerprint": finding_fingerprint(f)} for f in self.findings
            ],
            "suppressed": [
                {**s.as_dict(), "fingerprint": finding_fingerprint(s.finding)}
                for s in self.suppressed
            ],
            "notes": self.notes,
            **({"diff": self.diff} if self.diff is not None else {}),
        }
