"""PLACEHOLDER — owned by the rules helper, who replaces this file wholesale.

A stand-in mapping so the pipeline produces a verdict before the real scoring lands.
"""

from __future__ import annotations

from .model import Finding, Verdict

_WEIGHT = {"critical": 10.0, "high": 6.0, "medium": 3.0, "low": 1.0}


def verdict(findings: list[Finding]) -> tuple[Verdict, float]:
    """(verdict, score 0-10) from the strongest finding."""
    score = max((_WEIGHT[f.severity] for f in findings), default=0.0)
    if score >= 10.0:
        return "malicious", score
    if score >= 3.0:
        return "suspicious", score
    return "clean", score
