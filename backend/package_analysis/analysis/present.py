"""How a report's findings are put before an analyst: strongest first, repeats grouped.

`arrange(findings)` is the order of every rendering (JSON, text, SARIF, the job page):
findings sorted by severity x reachability (`scoring.weight`), then by severity, by where
the code runs, then a finding that carries its data flow or decoded payload before one
that does not (the payload line before a weaker line of the same weight), then file and
line. Findings that say the same thing about the same code (same rule, artifact, file,
snippet, decoded text, severity and reach) are one finding with a `count`; its line is
the first of them. Grouping changes no score: a rule counts once anyway (scoring.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .model import Artifact, Finding
from .scoring import weight

_SEVERITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_REACH = {"install": 0, "import": 1, "metadata": 2, "runtime": 3, "test": 4, "docs": 5}


def sort_key(f: Finding) -> tuple[float, int, int, int, str, int]:
    return (
        -weight(f),
        _SEVERITY.get(f.severity, 4),
        _REACH.get(f.reachability, 6),
        0 if (f.chain or f.decoded) else 1,
        f.file,
        f.line or 0,
    )


def arrange(findings: Iterable[Finding]) -> list[Finding]:
    """The findings grouped (identical repeats → one with a count) and sorted, strongest first."""
    groups: dict[tuple[str, ...], Finding] = {}
    for f in findings:
        key = (f.rule, f.artifact, f.file, f.severity, f.reachability, f.snippet, f.decoded)
        head = groups.get(key)
        if head is None:
            groups[key] = f
            continue
        first = head if (head.line or 0) <= (f.line or 0) else f
        groups[key] = dataclasses.replace(
            first, count=head.count + f.count, chain=first.chain or head.chain or f.chain
        )
    return sorted(groups.values(), key=sort_key)


def artifact_kind(filename: str) -> str:
    """ "wheel", "npm tarball", "sdist" or "directory" (a folder given to `scan`, named with a
    trailing slash), from an artifact's file name."""
    name = filename.lower()
    if name.endswith("/"):
        return "directory"
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith(".tgz") and not name.endswith(".tar.tgz"):
        return "npm tarball"
    if name.endswith(".egg"):
        return "egg"
    return "sdist"


def artifact_label(artifacts: Iterable[Artifact], sha256: str) -> str:
    """ "wheel demo-1.0-py3-none-any.whl" for the artifact a finding is in ("" if unknown)."""
    for a in artifacts:
        if a.sha256 == sha256:
            return f"{artifact_kind(a.filename)} {a.filename}"
    return ""
