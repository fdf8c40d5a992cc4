"""From findings to a verdict and a score 0-10 (docs/detection.md documents the mapping).

Each finding weighs `SEVERITY_WEIGHT[severity] * REACH_WEIGHT[reachability]`: evidence in
code that runs on install or import counts fully, evidence in tests and docs counts less
but is never ignored. A rule counts once (its heaviest finding), so one pattern repeated in
many files does not add up; different rules do combine, like independent signals:
score = 10 * (1 - prod(1 - w_i)). Verdict: `malicious` from 7.0, `suspicious` from 4.0.
The package's name or popularity never lowers anything: only findings move the score.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Finding, Verdict

SEVERITY_WEIGHT = {"critical": 0.9, "high": 0.6, "medium": 0.3, "low": 0.1}
REACH_WEIGHT = {
    "install": 1.0,
    "import": 1.0,
    "metadata": 1.0,
    "runtime": 0.6,
    "test": 0.5,
    "docs": 0.3,
}
MALICIOUS_FROM = 7.0
SUSPICIOUS_FROM = 4.0


def weight(finding: Finding) -> float:
    return SEVERITY_WEIGHT.get(finding.severity, 0.0) * REACH_WEIGHT.get(finding.reachability, 0.6)


def score(findings: Iterable[Finding]) -> float:
    strongest: dict[str, float] = {}
    for f in findings:
        strongest[f.rule] = max(strongest.get(f.rule, 0.0), weight(f))
    remaining = 1.0
    for w in strongest.values():
        remaining *= 1.0 - min(w, 0.99)
    return round(10.0 * (1.0 - remaining), 1)


def verdict(findings: Iterable[Finding]) -> tuple[Verdict, float]:
    """(`malicious` | `suspicious` | `clean`, score 0-10)."""
    value = score(findings)
    if value >= MALICIOUS_FROM:
        return "malicious", value
    if value >= SUSPICIOUS_FROM:
        return "suspicious", value
    return "clean", value
