"""Report → SARIF 2.1.0, for code-scanning tools and CI.

One run per report: the driver's rules are the rules that fired (id, title, default level,
category), each result points at the file and line inside the archive with the snippet, and
its properties carry what SARIF has no field for (reachability, category, severity, the
artifact's sha256). The run's properties carry the verdict, score and package.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from .model import Finding, Report

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


def _fingerprint(f: Finding) -> str:
    key = "\x1f".join([f.rule, f.artifact, f.file, str(f.line or 0), f.snippet])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(f.file, safe="/")}}
    properties = {
        "severity": f.severity,
        "category": f.category,
        "reachability": f.reachability,
        "artifact": f.artifact,
    }
    if f.line is not None and f.line >= 1:
        physical["region"] = {"startLine": f.line, "snippet": {"text": f.snippet}}
    else:  # a region needs a line; the evidence still travels
        properties["snippet"] = f.snippet
    return {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.title}. {f.explanation}".strip()},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"packamalFinding/v1": _fingerprint(f)},
        "properties": properties,
    }


def report_run(report: Report) -> dict[str, Any]:
    """One SARIF run object for one report."""
    rules, index = _rules(report.findings)
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
        "results": [_result(f, index[f.rule]) for f in report.findings],
        "properties": {
            "verdict": report.verdict,
            "score": report.score,
            "package": report.summary()["package"],
            "rulesVersion": report.rules_version,
            "cached": report.cached,
            "provenance": report.provenance.as_dict(),
        },
    }


def to_sarif(reports: Report | list[Report]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run per report."""
    items = reports if isinstance(reports, list) else [reports]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [report_run(r) for r in items]}
