"""What every rule module shares: where a file's code runs, and the sink findings go to."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import SNIPPET_MAX, Ecosystem, Finding, Reachability, Severity
from .catalog import RULES

# A file contributes at most this many findings per rule, a package at most MAX_FINDINGS:
# a report stays readable and a hostile package cannot grow it without bound.
PER_RULE_PER_FILE = 5
MAX_FINDINGS = 500


@dataclass(frozen=True)
class FileCtx:
    """One file being scanned: `path` is what findings show, `reach` where its code runs.

    `origin` is set when the text was decoded from a literal (the chain, e.g. "base64 → zlib",
    and the line of the literal in `path`); findings then point at that literal."""

    path: str
    reach: Reachability
    ecosystem: Ecosystem
    origin: tuple[str, int] | None = None


@dataclass
class Sink:
    artifact: str
    findings: list[Finding] = field(default_factory=list)
    _seen: set[tuple[str, str, int | None]] = field(default_factory=set)
    _per_file: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(
        self,
        rule_id: str,
        ctx: FileCtx,
        line: int | None,
        snippet: str,
        *,
        detail: str = "",
        reach: Reachability | None = None,
        severity: Severity | None = None,
    ) -> None:
        """Record one finding (deduplicated per rule, file and line; capped per file)."""
        rule = RULES[rule_id]
        if ctx.origin is not None:
            chain, origin_line = ctx.origin
            detail = (
                f"Found in a payload decoded statically ({chain}) from the literal on line "
                f"{origin_line}{f', decoded line {line}' if line else ''}. {detail}"
            ).strip()
            line = origin_line
        key = (rule_id, ctx.path, line)
        count_key = (rule_id, ctx.path)
        if key in self._seen or len(self.findings) >= MAX_FINDINGS:
            return
        if self._per_file.get(count_key, 0) >= PER_RULE_PER_FILE:
            return
        self._seen.add(key)
        self._per_file[count_key] = self._per_file.get(count_key, 0) + 1
        explanation = f"{detail} {rule.explanation}".strip() if detail else rule.explanation
        self.findings.append(
            Finding(
                rule=rule.id,
                title=rule.title,
                category=rule.category,
                severity=severity or rule.severity,
                file=ctx.path,
                line=line,
                snippet=clean_snippet(snippet),
                reachability=reach or ctx.reach,
                explanation=explanation,
                artifact=self.artifact,
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


def text_line(text: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = text.splitlines()
    return lines[lineno - 1] if 0 < lineno <= len(lines) else ""
