"""From findings to a verdict and a score 0-10 (docs/detection.md explains it with examples).

Each finding weighs `SEVERITY_WEIGHT[severity] * REACH_WEIGHT[reachability]`: evidence in
code that runs on install or import counts fully, evidence in tests and docs counts less
but is never ignored. A rule counts once (its heaviest finding), so one pattern repeated in
many files does not add up. Different rules combine like independent signals,
score = 10 * (1 - prod(1 - w_i)), with two limits that ask for evidence of intent:

- low-severity findings are context, not evidence: together they count as one signal
  (the heaviest of them), however many rules they come from;
- so are findings in tests, docs and repository tooling (code no installer runs, nothing
  installed imports): together one signal of at most `ASIDE_CAP`, so a test suite's many
  shell-outs, a reverse-shell string in a security test or a README's install line never
  make a verdict on their own; beside evidence where code runs they still add to it;
- a `malicious` verdict (score ≥ 7.0) needs intent where code really runs: a finding of a
  rule declared `strong` (or one carrying a source → sink chain) in installed code
  (reachability install, import, metadata or runtime; not test or docs). Without one the
  score stays below 7.0, so unrelated weak findings can make a package `suspicious` (worth
  a look), never `malicious`. A rule declared `strong_at_load` shows intent only in code
  that runs by itself on install or import (a hidden download-and-run, persistence);
- a critical finding that shows intent in an installed module that runs when called
  (reachability runtime: a trojan function that posts the key it is given, a dropper
  behind an API) weighs `RUNTIME_INTENT` instead of the runtime weight when its category
  is harm done (`HARM`: exfiltration, download-and-run, droppers, evasion, reverse shells,
  wallet hijacking, propagation) or it carries its source → sink chain (data decoded in
  place and executed): what it does is not in doubt, only when.

Verdict: `malicious` from 7.0, `suspicious` from 4.0. The package's name or popularity
never lowers anything: only findings move the score.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Finding, Verdict
from .rules.catalog import rules

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
WITHOUT_INTENT_CAP = 6.9
# where code runs once installed: install and import time, and installed modules (runtime);
# not tests, docs or tooling
RUNS = {"install", "import", "metadata", "runtime"}
LOAD = {"install", "import"}
RUNTIME_INTENT = 0.8
# the most that findings only in tests, docs and tooling weigh together (a score of 2.0:
# context, never a verdict by themselves)
ASIDE_CAP = 0.2
# what code does to the machine it runs on (not how it hides: obfuscation alone, such as a
# code object rebuilt for a traceback, keeps the runtime weight)
HARM = {
    "exfiltration", "download-exec", "dropper", "evasion", "reverse-shell", "wallet-hijack",
    "propagation",
}  # fmt: skip


def weight(finding: Finding) -> float:
    reach = REACH_WEIGHT.get(finding.reachability, 0.6)
    if (
        finding.reachability == "runtime"
        and finding.severity == "critical"
        and (finding.category in HARM or bool(getattr(finding, "chain", None)))
        and intent(finding)
    ):
        reach = RUNTIME_INTENT
    return SEVERITY_WEIGHT.get(finding.severity, 0.0) * reach


def intent(finding: Finding) -> bool:
    """Evidence of intent on its own: a strong rule (or a source → sink chain) in code an
    installer ships and runs (install, import, an installed module), not in tests or docs."""
    if finding.reachability not in RUNS:
        return False
    rule = rules().get(finding.rule)
    chained = bool(getattr(finding, "chain", None))
    if chained:
        return True
    if rule is None or finding.severity not in {"critical", "high"}:
        return False
    if rule.strong_critical_only and finding.severity != "critical":
        return False
    return rule.strong or (rule.strong_at_load and finding.reachability in LOAD)


def score(findings: Iterable[Finding]) -> float:
    strongest: dict[str, float] = {}
    elsewhere: dict[str, float] = {}  # per rule, its heaviest finding in tests/docs/tooling
    low = 0.0
    shown_intent = False
    for f in findings:
        shown_intent = shown_intent or intent(f)
        if f.severity == "low":
            low = max(low, weight(f))
            continue
        side = strongest if f.reachability in RUNS else elsewhere
        side[f.rule] = max(side.get(f.rule, 0.0), weight(f))
    # a rule that also fires where code runs counts there, once, at what it weighs there
    aside = max((w for rule, w in elsewhere.items() if rule not in strongest), default=0.0)
    remaining = 1.0
    for w in [*strongest.values(), low, min(aside, ASIDE_CAP)]:
        remaining *= 1.0 - min(w, 0.99)
    value = round(10.0 * (1.0 - remaining), 1)
    return value if shown_intent else min(value, WITHOUT_INTENT_CAP)


def verdict(findings: Iterable[Finding]) -> tuple[Verdict, float]:
    """(`malicious` | `suspicious` | `clean`, score 0-10)."""
    value = score(list(findings))
    if value >= MALICIOUS_FROM:
        return "malicious", value
    if value >= SUSPICIOUS_FROM:
        return "suspicious", value
    return "clean", value
