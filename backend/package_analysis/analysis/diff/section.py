"""The report's `diff` object: the changed files and their hunks, the endpoints and
encoded blobs on added lines, bounded in size."""

from __future__ import annotations

import re
from typing import Any

from .compare import HUNKS_MAX, SHOWN_LINES_MAX, Comparison, _lines
from .evidence import _entry_changes, _hook_changes, new_dependencies
from .tree import _read

ITEMS_MAX = 100  # endpoints, blobs, binaries


_URL = re.compile(r"\b(?:https?|wss?|ftp)://[^\s'\"<>`)\]}\\]{3,200}")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_BLOB = re.compile(r"[A-Za-z0-9+/]{160,}={0,2}|(?<![0-9A-Za-z])[0-9a-fA-F]{160,}")


# --- the report's `diff` object -----------------------------------------------------------


def _items(comparison: Comparison) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Network endpoints and encoded blobs on added lines."""
    endpoints: list[dict[str, Any]] = []
    blobs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for change in comparison.changes.values():
        if change.status == "removed" or change.binary or not change.added:
            continue
        if not change.runs_at:
            continue  # docs, tests and data files: listed, not mined
        text = _lines(_read(comparison.new.root / change.file))
        for n in change.added:  # ascending
            if n > len(text) or (len(endpoints) >= ITEMS_MAX and len(blobs) >= ITEMS_MAX):
                break
            line = text[n - 1]
            when = "install" if change.runs_at == "install" else ""
            when = when or ("import" if n in change.import_lines else "")
            for m in [*_URL.finditer(line), *_IPV4.finditer(line)]:
                value = m.group(0).rstrip(".,;")
                if value not in seen and len(endpoints) < ITEMS_MAX and _endpoint(value):
                    seen.add(value)
                    endpoints.append(
                        {"value": value, "file": change.file, "line": n, "runs_at": when}
                    )
            for m in _BLOB.finditer(line):
                if len(blobs) < ITEMS_MAX:
                    blobs.append(
                        {
                            "file": change.file,
                            "line": n,
                            "length": len(m.group(0)),
                            "preview": m.group(0)[:60],
                            "runs_at": when,
                        }
                    )
    return endpoints, blobs


def _endpoint(value: str) -> bool:
    if "://" in value:
        return True
    octets = [int(p) for p in value.split(".")]
    return all(o <= 255 for o in octets) and octets[0] not in (0, 127) and sum(octets) > 4


def section(
    comparison: Comparison,
    *,
    baseline: dict[str, Any],
    provenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report's `diff` object for one artifact pair (JSON, bounded in size)."""
    changes = sorted(
        comparison.changes.values(),
        key=lambda c: (
            not any(h.runs_at for h in c.hunks),
            {"install": 0, "import": 1, "": 2}[c.runs_at],
            c.status != "added",
            c.file or c.old_file,
        ),
    )
    files = []
    shown = hunks = 0
    for c in changes:
        entry: dict[str, Any] = {
            "file": c.file,
            "old_file": c.old_file,
            "status": c.status,
            "runs_at": c.runs_at,
            "binary": c.binary,
            "lines_added": c.lines_added,
            "lines_removed": c.lines_removed,
            "hunks": [],
            "hunks_total": len(c.hunks),
        }
        ordered = sorted(c.hunks, key=lambda h: (not h.runs_at, h.start))
        for h in ordered:
            if shown >= SHOWN_LINES_MAX or hunks >= HUNKS_MAX:
                break
            if c.status == "changed" or h.runs_at:
                entry["hunks"].append(h.as_dict())
                shown += len(h.lines)
                hunks += 1
        files.append(entry)
    new, old = comparison.new.facts, comparison.old.facts
    endpoints, blobs = _items(comparison)
    return {
        "baseline": baseline,
        "summary": {
            "added": sum(c.status == "added" for c in changes),
            "removed": sum(c.status == "removed" for c in changes),
            "changed": sum(c.status == "changed" for c in changes),
            "unchanged": comparison.unchanged,
            "load_time_hunks": sum(1 for c in changes for h in c.hunks if h.runs_at),
        },
        "files": files,
        "install_hooks": [
            {"hook": h, "before": b, "after": a} for h, b, a in _hook_changes(new, old)
        ],
        "entry_points": [
            {"name": n, "before": b, "after": a} for n, b, a in _entry_changes(new, old)
        ],
        "dependencies": new_dependencies(comparison),
        "import_names": sorted(new.import_names - old.import_names),
        "endpoints": endpoints,
        "blobs": blobs,
        "binaries": [c.file for c in changes if c.status == "added" and c.binary][:ITEMS_MAX],
        "provenance": {k: v for k, v in (provenance or {}).items() if k != "findings"},
    }
