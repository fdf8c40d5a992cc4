"""Content rules: `content.yar`, compiled once per process with YARA-X."""

from __future__ import annotations

import threading
from pathlib import Path

import yara_x

from .base import FileCtx, Sink, line_of, snippet_at
from .catalog import RULES

SOURCE = Path(__file__).with_name("content.yar")
SCAN_TIMEOUT_SECONDS = 10
_lock = threading.Lock()
_compiled: yara_x.Rules | None = None


def compiled() -> yara_x.Rules:
    """The compiled rule set (compiled on first use, then shared by the whole process)."""
    global _compiled
    with _lock:
        if _compiled is None:
            rules = yara_x.compile(SOURCE.read_text(encoding="utf-8"))
            for rule in rules.scan(b"").matching_rules:  # pragma: no cover - a rule bug
                raise ValueError(f"content rule {rule.identifier} matches empty input")
            _compiled = rules
        return _compiled


def rule_ids() -> set[str]:
    """Catalog ids the YARA source declares (each rule's `meta: id`)."""
    import re

    return set(re.findall(r'meta:\s*id\s*=\s*"([A-Z0-9-]+)"', SOURCE.read_text(encoding="utf-8")))


def new_scanner() -> yara_x.Scanner:
    scanner = yara_x.Scanner(compiled())
    scanner.set_timeout(SCAN_TIMEOUT_SECONDS)
    scanner.max_matches_per_pattern(20)
    return scanner


def scan(
    scanner: yara_x.Scanner,
    data: bytes,
    ctx: FileCtx,
    sink: Sink,
    prose: set[int] | None = None,
    load_calls: set[int] | None = None,
) -> list[str]:
    """Run the content rules over `data`; add one finding per matching rule. Returns the ids.
    A match on a `prose` line (docstring, comment) weighs as documentation."""
    try:
        results = scanner.scan(data)
    except (yara_x.TimeoutError, yara_x.ScanError):
        return []
    hits: list[str] = []
    for match in results.matching_rules:
        meta = dict(match.metadata)
        rule_id = str(meta.get("id", ""))
        if rule_id not in RULES:
            continue
        first = _first_match(match)
        if first is None:
            continue
        offset, length = first
        line = line_of(data, offset)
        sink.add(
            rule_id,
            ctx,
            line,
            snippet_at(data, offset, length),
            detail=f"Matched content rule '{match.identifier}'.",
            reach="docs"
            if prose and line in prose
            else "import"
            if load_calls and line in load_calls and ctx.reach == "runtime"
            else None,
        )
        hits.append(rule_id)
    return hits


def _first_match(match: yara_x.Rule) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    for pattern in match.patterns:
        if pattern.identifier.startswith("$x_"):  # exclusion patterns are not evidence
            continue
        for m in pattern.matches:
            if best is None or m.offset < best[0]:
                best = (m.offset, m.length)
    return best
