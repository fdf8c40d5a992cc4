"""One `diff` object for the artifacts of a release (sdist and wheel), and the diff's own
findings listed once."""

from __future__ import annotations

from typing import Any

from .. import diff
from ..model import Finding


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.file, f.line, f.snippet)
        if f.rule.startswith("DIFF-") and key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def merge(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """One `diff` object for the artifacts of a release (sdist and wheel): files listed
    once (by the path they keep across versions), the first artifact's copy first."""
    first = sections[0]
    out: dict[str, Any] = {**first, "files": []}
    seen: set[str] = set()
    for s in sections:
        for entry in s["files"]:
            key = diff.file_key(entry["file"] or entry["old_file"], _top(entry))
            if key in seen:
                continue
            seen.add(key)
            out["files"].append(entry)
    for name in ("endpoints", "blobs", "dependencies", "install_hooks", "entry_points"):
        merged: list[Any] = []
        for s in sections:
            merged += [x for x in s[name] if x not in merged]
        out[name] = merged[: diff.ITEMS_MAX]
    out["binaries"] = sorted({b for s in sections for b in s["binaries"]})[: diff.ITEMS_MAX]
    out["import_names"] = sorted({n for s in sections for n in s["import_names"]})
    files = out["files"]
    out["summary"] = {
        "added": sum(f["status"] == "added" for f in files),
        "removed": sum(f["status"] == "removed" for f in files),
        "changed": sum(f["status"] == "changed" for f in files),
        "unchanged": max(s["summary"]["unchanged"] for s in sections),
        "load_time_hunks": sum(1 for f in files for h in f["hunks"] if h["runs_at"]),
    }
    out["artifacts"] = len(sections)
    return out


def _top(entry: dict[str, Any]) -> str:
    """An sdist's top folder ("name-1.0/"), which the comparison key leaves out."""
    path = entry["file"] or entry["old_file"]
    head = path.split("/", 1)[0]
    return head + "/" if "/" in path and "-" in head and not head.endswith("-info") else ""
