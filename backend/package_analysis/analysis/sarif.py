"""Report → SARIF 2.1.0, for code-scanning tools and CI.

One run per report: the driver's rules are the rules that fired (id, title, default level,
category), each result points at the file and line inside the archive with the snippet, and
its properties carry what SARIF has no field for (reachability, category, severity, the
artifact's sha256 and kind, the decoded payload). A multi-line construct has its `endLine`;
grouped repeats their `occurrenceCount`. The data flow a finding rests on (source →
transform → sink) is in `relatedLocations` (one per step, the message names its role) and,
in order, in a `codeFlows` thread flow. `partialFingerprints` carries two keys: one with the
line (this exact finding) and one without (the same finding after lines moved).
The run's properties carry the verdict, score and package; results are strongest first.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .model import ChainStep, Finding, Report, Suppressed, finding_fingerprint
from .present import artifact_kind

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "Pack-A-Mal"

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning ranks security results by this 0-10 rule property.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _rules(findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One reportingDescriptor per rule id, at the most severe level it fired with."""
    worst: dict[str, Finding] = {}
    for f in findings:
        if f.rule not in worst or _RANK[f.severity] < _RANK[worst[f.rule].severity]:
            worst[f.rule] = f
    rules = []
    index = {}
    for i, rule_id in enumerate(sorted(worst)):
        f = worst[rule_id]
        index[rule_id] = i
        rules.append(
            {
                "id": rule_id,
                "name": rule_id,
                "shortDescription": {"text": f.title},
                "defaultConfiguration": {"level": LEVEL[f.severity]},
                "properties": {
                    "category": f.category,
                    "tags": ["security", f.category],
                    "security-severity": SECURITY_SEVERITY[f.severity],
                },
            }
        )
    return rules, index


def _fingerprint(f: Finding, *, with_line: bool = True) -> str:
    line = str(f.line or 0) if with_line else ""
    key = "\x1f".join([f.rule, f.artifact, f.file, line, f.snippet])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _region(line: int | None, text: str, end_line: int | None = None) -> dict[str, Any] | None:
    if line is None or line < 1:
        return None
    region: dict[str, Any] = {"startLine": line, "snippet": {"text": text}}
    if end_line is not None and end_line > line:
        region["endLine"] = end_line
    return region


def _step_location(step: ChainStep, index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(step.file, safe="/")}}
    region = _region(step.line, step.text)
    if region is not None:
        physical["region"] = region
    return {
        "id": index,
        "physicalLocation": physical,
        "message": {"text": f"{step.role}: {step.text}"[:500]},
        "properties": {"role": step.role},
    }


def _result(f: Finding, rule_index: int, kinds: dict[str, str]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(f.file, safe="/")}}
    properties: dict[str, Any] = {
        "severity": f.severity,
        "category": f.category,
        "reachability": f.reachability,
        "artifact": f.artifact,
    }
    if f.artifact in kinds:
        properties["artifactKind"] = kinds[f.artifact]
    region = _region(f.line, f.snippet, f.end_line)
    if region is not None:
        physical["region"] = region
    else:  # a region needs a line; the evidence still travels
        properties["snippet"] = f.snippet
    if f.decoded:
        properties["decoded"] = f.decoded
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.title}. {f.explanation}".strip()},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {
            "packamalFinding/v1": finding_fingerprint(f),
            "packamalFindingNoLine/v1": _fingerprint(f, with_line=False),
        },
        "properties": properties,
    }
    if f.count > 1:
        result["occurrenceCount"] = f.count
    if f.chain:
        steps = [_step_location(step, i) for i, step in enumerate(f.chain, 1)]
        result["relatedLocations"] = steps
        result["codeFlows"] = [
            {
                "message": {"text": " → ".join(step.role for step in f.chain)},
                "threadFlows": [
                    {
                        "locations": [
                            {
                                "location": {k: v for k, v in loc.items() if k != "id"},
                                "kinds": [step.role],
                                "executionOrder": i,
                            }
                            for i, (loc, step) in enumerate(zip(steps, f.chain, strict=True), 1)
                        ]
                    }
                ],
            }
        ]
    if f.baseline in ("new", "unchanged"):  # compared with a baseline release (diff.md)
        result["baselineState"] = f.baseline
    return result


def _suppressed_result(s: Suppressed, rule_index: int, kinds: dict[str, str]) -> dict[str, Any]:
    """A finding a suppression accepted stays in the log, marked as such (code scanning
    shows it as dismissed), with the reason as the justification."""
    result = _result(s.finding, rule_index, kinds)
    result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": s.reason}]
    result["properties"]["suppressedBy"] = s.source
    return result


def report_run(report: Report) -> dict[str, Any]:
    """One SARIF run object for one report."""
    rules, index = _rules(report.findings + [s.finding for s in report.suppressed])
    kinds = {a.sha256: artifact_kind(a.filename) for a in report.artifacts}
    return {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": report.rules_version,
                "rules": rules,
            }
        },
        "artifacts": [
            {
                "location": {"uri": quote(a.filename, safe="")},
                "length": a.size,
                "hashes": {"sha-256": a.sha256},
                "roles": ["analysisTarget"],
            }
            for a in report.artifacts
        ],
        "results": [_result(f, index[f.rule], kinds) for f in report.findings]
        + [_suppressed_result(s, index[s.finding.rule], kinds) for s in report.suppressed],
        "properties": {
            "verdict": report.verdict,
            "score": report.score,
            "package": report.summary()["package"],
            "rulesVersion": report.rules_version,
            "cached": report.cached,
            "provenance": report.provenance.as_dict(),
            **({"baseline": report.baseline_summary()} if report.diff is not None else {}),
        },
    }


def to_sarif(reports: Report | list[Report]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run per report."""
    items = reports if isinstance(reports, list) else [reports]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [report_run(r) for r in items]}


# --- one log for CI: every package in one run, within GitHub's upload limits ---------------

# GitHub code scanning refuses larger uploads: 10 MB of gzip, 25,000 results per run, and it
# stopped merging several runs of one tool and category; so the command line writes one run.
GITHUB_MAX_GZIP_BYTES = 10 * 1000 * 1000
GITHUB_MAX_RESULTS = 25_000


def _ci_location(f: Finding, report: Report) -> tuple[str, str]:
    """(uri, where inside the package): the repository file that brought the package in
    (its lockfile, or the folder scanned) when there is one, else the file in the archive."""
    inside = f"{f.file}:{f.line}" if f.line else f.file
    lockfile = report.extra.get("lockfile")
    if lockfile:
        return str(lockfile), inside
    if report.extra.get("source") == "directory" and report.extra.get("target"):
        parent = PurePosixPath(str(report.extra["target"]).rstrip("/")).parent
        top, _, rest = f.file.partition("/")
        return (parent / (rest or top)).as_posix().removeprefix("./"), inside
    return f.file, inside


def to_sarif_ci(reports: list[Report], *, max_results: int = GITHUB_MAX_RESULTS) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run holding every report's findings (the command line's
    `--format sarif`): within GitHub's limits, and saying so when it had to cut."""
    findings: list[tuple[Finding, Report, Suppressed | None]] = [
        (f, r, None) for r in reports for f in r.findings
    ]
    findings += [(s.finding, r, s) for r in reports for s in r.suppressed]
    rules, index = _rules([f for f, _r, _s in findings])
    kinds = {a.sha256: artifact_kind(a.filename) for r in reports for a in r.artifacts}
    results = []
    for f, report, suppressed in findings:
        if suppressed is None:
            result = _result(f, index[f.rule], kinds)
        else:
            result = _suppressed_result(suppressed, index[f.rule], kinds)
        uri, inside = _ci_location(f, report)
        if uri != f.file:  # the evidence's place inside the package goes in the message
            physical: dict[str, Any] = {"artifactLocation": {"uri": quote(uri, safe="/")}}
            result["locations"] = [{"physicalLocation": physical}]
            result["message"]["text"] = (
                f"{report.package.purl}: {inside}: " + (result["message"]["text"])
            )
            result["properties"]["file"] = f.file
            if f.line is not None:
                result["properties"]["line"] = f.line
            result["properties"]["snippet"] = f.snippet
        result["properties"]["package"] = report.package.purl
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": reports[0].rules_version if reports else "",
                "rules": rules,
            }
        },
        "automationDetails": {"id": "packamal/"},
        "results": results,
        "properties": {
            "packages": [
                {
                    "purl": r.package.purl,
                    "verdict": r.verdict,
                    "score": r.score,
                    "findings": len(r.findings),
                    "suppressed": len(r.suppressed),
                    "artifacts": [a.as_dict() for a in r.artifacts],
                }
                for r in reports
            ],
        },
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return _fit(log, max_results=max_results)


def _gzip_size(log: dict[str, Any]) -> int:
    return len(gzip.compress(json.dumps(log, ensure_ascii=False).encode(), compresslevel=6))


def _fit(log: dict[str, Any], *, max_results: int) -> dict[str, Any]:
    """Cut to GitHub's limits, most severe results first, with a notification saying so."""
    run = log["runs"][0]
    results = run["results"]
    total = len(results)
    if total > max_results or _gzip_size(log) > GITHUB_MAX_GZIP_BYTES:
        results.sort(  # open findings first, the most severe first
            key=lambda r: (
                "suppressions" in r,
                -float(SECURITY_SEVERITY[r["properties"]["severity"]]),
            )
        )
        del results[max_results:]
    while len(results) > 1 and _gzip_size(log) > GITHUB_MAX_GZIP_BYTES:
        del results[len(results) // 2 :]
    if len(results) < total:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {
                            "text": f"{total - len(results)} of {total} results left out to stay"
                            " within code scanning's upload limits; the JSON report has them all"
                        },
                    }
                ],
            }
        ]
    return log
