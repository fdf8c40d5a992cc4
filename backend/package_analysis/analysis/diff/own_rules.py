"""The diff's own rules: what a change between two releases can show by itself (an install
hook added, a dependency from a URL, provenance lost...)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import SNIPPET_MAX, Finding, Reachability, Severity

# --- the diff's own rules -------------------------------------------------------------


@dataclass(frozen=True)
class DiffRule:
    id: str
    title: str
    category: str
    severity: Severity
    reach: Reachability
    explanation: str


_RULES = [
    DiffRule(
        "DIFF-INSTALL-HOOK",
        "Install hook added or changed since the baseline",
        "install-hook",
        "high",
        "install",
        "Code that runs when the package is installed appeared or changed in this release."
        " Taken-over accounts add exactly this; read the hook and the files it runs.",
    ),
    DiffRule(
        "DIFF-ENTRY-POINT",
        "Entry point added or changed since the baseline",
        "entry-point",
        "low",
        "metadata",
        "What runs when the package is imported or its command is started now points"
        " elsewhere; check the new target.",
    ),
    DiffRule(
        "DIFF-DEP-TYPOSQUAT",
        "New dependency one edit away from a popular name",
        "typosquat",
        "high",
        "install",
        "The release added a dependency whose name imitates a popular package: installing"
        " this release installs the look-alike too.",
    ),
    DiffRule(
        "DIFF-DEP-URL",
        "New dependency fetched from a URL",
        "dependency",
        "high",
        "install",
        "The release added a dependency that is not resolved from the registry but fetched"
        " from a URL or repository, which nobody reviews and which can change at any time.",
    ),
    DiffRule(
        "DIFF-BINARY-ADDED",
        "Binary file added since the baseline",
        "binary",
        "medium",
        "runtime",
        "A compiled file appeared in this release; its behaviour cannot be read from source."
        " Compare it with the project's build outputs.",
    ),
    DiffRule(
        "DIFF-PROVENANCE-LOST",
        "Release published without the provenance earlier releases had",
        "provenance",
        "high",
        "metadata",
        "Earlier releases were published from a build pipeline with a signed provenance"
        " statement; this one was not, as when a stolen token is used from a laptop.",
    ),
    DiffRule(
        "DIFF-PUBLISHER-CHANGED",
        "Published by someone else than the baseline",
        "publisher",
        "medium",
        "metadata",
        "The registry names a different publisher or maintainer set than for the baseline."
        " Legitimate hand-overs happen; so do account take-overs.",
    ),
    DiffRule(
        "DIFF-COPY-OF-POPULAR",
        "Copies a popular package under a look-alike name",
        "copy",
        "medium",
        "metadata",
        "Most of its files are the popular package's, byte for byte, under a name one edit"
        " away: a trojanized copy waits for a typo. The diff against the original shows what"
        " the copy changed.",
    ),
    DiffRule(
        "DIFF-SHADOWS-POPULAR",
        "Ships the import name of a popular package under another name",
        "copy",
        "medium",
        "metadata",
        "Installing this package replaces or shadows the popular package's module. The diff"
        " against the original shows what the copy changed.",
    ),
]
RULES: dict[str, DiffRule] = {r.id: r for r in _RULES}


def diff_finding(rule_id: str, file: str, line: int | None, snippet: str, detail: str) -> Finding:
    """A finding of the diff's own rules (always `new`: it is about what changed)."""
    rule = RULES[rule_id]
    return Finding(
        rule=rule.id,
        title=rule.title,
        category=rule.category,
        severity=rule.severity,
        file=file,
        line=line,
        snippet=" ".join(snippet.split())[:SNIPPET_MAX],
        reachability=rule.reach,
        explanation=f"{detail} {rule.explanation}".strip(),
        baseline="new",
    )
