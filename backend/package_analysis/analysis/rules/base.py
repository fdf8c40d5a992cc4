"""What every rule shares: its declaration (`Rule`), where a file's code runs (`FileCtx`),
and the sink findings go to. A rule module declares `RULES` and may define check hooks
(see `catalog.HOOKS`); the engine calls each hook with the facts of one file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..facts.jsfold import UNRESOLVED
from ..model import (
    DECODED_MAX,
    SNIPPET_MAX,
    ChainStep,
    Ecosystem,
    Finding,
    Reachability,
    Severity,
)

# A file contributes at most this many findings per rule, a package at most MAX_FINDINGS:
# a report stays readable and a hostile package cannot grow it without bound.
PER_RULE_PER_FILE = 5
MAX_FINDINGS = 500


@dataclass(frozen=True)
class Variant:
    """A declared variation of a rule: same id, another severity, and when it applies."""

    severity: Severity
    when: str


@dataclass(frozen=True)
class Rule:
    """A rule's declaration. `variants` are the only severities it may report besides its
    own; `strong` marks evidence of intent on its own (scoring: a malicious verdict needs one),
    `strong_at_load` the same only in code that runs by itself on install or import, and
    `strong_critical_only` limits either to the rule's critical findings (a variant)."""

    id: str
    title: str
    category: str
    severity: Severity
    explanation: str  # why it matters and what a reviewer should check
    variants: Mapping[str, Variant] = field(default_factory=dict)
    strong: bool = False
    strong_at_load: bool = False
    strong_critical_only: bool = False


@dataclass(frozen=True)
class FileCtx:
    """One file being scanned: `path` is what findings show, `reach` where its code runs.

    `origin` is set when the text was decoded from a literal (the chain, e.g. "base64 → zlib",
    and the line of the literal in `path`); findings then point at that literal."""

    path: str
    reach: Reachability
    ecosystem: Ecosystem
    origin: tuple[str, int] | None = None
    decoded_text: str = ""  # the decoded payload (shown beside the finding)
    origin_snippet: str = ""  # the literal's line in `path` (the finding's snippet)
    line_map: tuple[int, ...] | None = None  # decoded line → file line (a UTF-7 module)

    def decoded_from(self, chain: str, line: int, snippet: str, text: str) -> FileCtx:
        """The context of a payload decoded from the literal on `line` of this file (or, when
        this is already a payload, from the literal the outer payload came from)."""
        if self.origin is not None:
            chain, line, snippet = (
                f"{self.origin[0]} → {chain}",
                self.origin[1],
                self.origin_snippet,
            )
        return FileCtx(
            self.path, self.reach, self.ecosystem, (chain, line), text[:2000], snippet,
            self.line_map,
        )  # fmt: skip

    def file_line(self, line: int | None) -> int | None:
        if not line or not self.line_map:
            return line
        return self.line_map[min(line, len(self.line_map)) - 1]


@dataclass
class Sink:
    artifact: str
    findings: list[Finding] = field(default_factory=list)
    _seen: set[tuple[str, str, int | None]] = field(default_factory=set)
    _per_file: dict[tuple[str, str], int] = field(default_factory=dict)
    # (file, rule module, exception type) of checks that raised: the file is partly scanned
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    def _admit(self, rule: str, path: str, line: int | None) -> bool:
        """The gate every finding passes: once per rule, file and line; at most
        PER_RULE_PER_FILE per rule and file, MAX_FINDINGS per run."""
        key, count_key = (rule, path, line), (rule, path)
        if key in self._seen or len(self.findings) >= MAX_FINDINGS:
            return False
        if self._per_file.get(count_key, 0) >= PER_RULE_PER_FILE:
            return False
        self._seen.add(key)
        self._per_file[count_key] = self._per_file.get(count_key, 0) + 1
        return True

    def take(self, finding: Finding) -> None:
        """A finding another sink built (a scanning process's), through this sink's gate."""
        if self._admit(finding.rule, finding.file, finding.line):
            self.findings.append(finding)

    def rule_failed(self, path: str, module: str, exc: BaseException) -> None:
        entry = (path, module, type(exc).__name__)
        if entry not in self.failures and len(self.failures) < 1000:
            self.failures.append(entry)

    def add(
        self,
        rule: Rule,
        ctx: FileCtx,
        line: int | None,
        snippet: str,
        *,
        detail: str = "",
        reach: Reachability | None = None,
        variant: str = "",
        chain: list[dict[str, Any]] | None = None,
        end_line: int | None = None,
    ) -> None:
        """Record one finding (deduplicated per rule, file and line; capped per file)."""
        decoded = ""
        if ctx.origin is not None:
            how, origin_line = ctx.origin
            detail = (
                f"Found in a payload decoded statically ({how}) from the literal on line "
                f"{origin_line}{f', decoded line {line}' if line else ''}. {detail}"
            ).strip()
            decoded = ctx.decoded_text
            # a folded command's piece known only at run time reads as its stand-in URL to
            # the rules; a person reads `${…}` (the decoded text shows the code it stands for)
            shown = snippet.replace(UNRESOLVED, "${…}")
            detail = f"{detail} Decoded line: {clean_snippet(shown, 160)!r}." if snippet else detail
            snippet = ctx.origin_snippet or snippet
            line, end_line = origin_line, None
        line, end_line = ctx.file_line(line), ctx.file_line(end_line)
        if not self._admit(rule.id, ctx.path, line):
            return
        severity = rule.variants[variant].severity if variant else rule.severity
        explanation = f"{detail} {rule.explanation}".strip() if detail else rule.explanation
        steps = tuple(ChainStep.from_dict(step) for step in chain or ())
        if end_line is None or line is None or end_line <= line:
            end_line = None
        self.findings.append(
            Finding(
                rule=rule.id,
                title=rule.title,
                category=rule.category,
                severity=severity,
                file=ctx.path,
                line=line,
                snippet=clean_snippet(snippet),
                reachability=reach or ctx.reach,
                explanation=explanation,
                artifact=self.artifact,
                end_line=end_line,
                chain=steps,
                decoded=clean_snippet(decoded, DECODED_MAX) if decoded else "",
            )
        )


def clean_snippet(text: str, limit: int = SNIPPET_MAX) -> str:
    """Plain, printable, single-spaced text of at most `limit` characters."""
    out = "".join(ch if ch.isprintable() else " " for ch in text[: limit * 4])
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def snippet_at(data: bytes, offset: int, length: int = 0, *, window: int = 160) -> str:
    """The source line around a byte offset; a window around the match on huge lines."""
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset + length)
    end = len(data) if end < 0 else end
    if end - start > SNIPPET_MAX:
        start = max(start, offset - window)
        end = min(end, offset + length + window)
    return data[start:end].decode("utf-8", "replace")
