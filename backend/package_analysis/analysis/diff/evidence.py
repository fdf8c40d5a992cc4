"""The diff's own findings: install hooks and entry points changed, new dependencies
(look-alike names, URLs), binaries added, provenance and publisher against earlier releases."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from .. import ecosystems
from ..ecosystems import Release, TreeFacts
from ..model import Ecosystem, Finding
from .compare import Comparison, _lines
from .own_rules import diff_finding
from .tree import Tree, _read

EARLIER_ATTESTED = 5  # releases looked at for "provenance lost"


# --- the diff's own findings -----------------------------------------------------------------


def _hook_changes(new: TreeFacts, old: TreeFacts) -> list[tuple[str, str, str]]:
    return [
        (hook, old.install_hooks.get(hook, ""), value)
        for hook, value in sorted(new.install_hooks.items())
        if old.install_hooks.get(hook) != value
    ]


def _entry_changes(new: TreeFacts, old: TreeFacts) -> list[tuple[str, str, str]]:
    names = sorted(set(new.entry_points) | set(old.entry_points))
    return [
        (n, old.entry_points.get(n, ""), new.entry_points.get(n, ""))
        for n in names
        if old.entry_points.get(n) != new.entry_points.get(n)
    ]


def url_dependency(ecosystem: Ecosystem, spec: str) -> bool:
    """A requirement fetched from a URL or repository instead of the registry."""
    if ecosystem == "pypi":
        return bool(re.search(r"@\s*(https?|git\+\w+|file)://|^\s*(https?|git\+\w+)://", spec))
    return bool(
        re.match(r"^\s*((https?|git(\+\w+)?|file)://|git@|github:|gitlab:|bitbucket:|file:)", spec)
        or re.match(r"^\s*[\w.-]+/[\w.-]+(#.*)?$", spec)  # GitHub shorthand user/repo
    )


def typosquat(name: str, ecosystem: Ecosystem) -> str | None:
    from ..rules import metadata  # the popular lists and the one-edit test live with the rules

    try:
        return metadata.typosquat_target(name, ecosystem)
    except (AttributeError, OSError):
        return None


def new_dependencies(comparison: Comparison) -> list[dict[str, Any]]:
    new, old = comparison.new.facts, comparison.old.facts
    out = []
    for name, spec in sorted(new.dependencies.items()):
        if name in old.dependencies:
            continue
        out.append(
            {
                "name": name,
                "spec": spec,
                "typosquat_of": typosquat(name, comparison.new.ecosystem) or "",
                "url": url_dependency(comparison.new.ecosystem, spec),
            }
        )
    return out


def findings(
    comparison: Comparison,
    *,
    provenance: dict[str, Any] | None = None,
) -> list[Finding]:
    """The diff's own evidence, each `baseline="new"`."""
    new, old = comparison.new.facts, comparison.old.facts
    manifest = new.manifest or (new.prefix + next(iter(ecosystems_manifest(comparison)), ""))
    out: list[Finding] = []
    adapter = ecosystems.adapter(comparison.new.ecosystem)
    for hook, before, after in _hook_changes(new, old):
        if adapter.known_hook(hook, after):
            continue  # e.g. a move between mainstream build backends: listed, not a finding
        what = f"was {before!r}" if before else "is new"
        file = new.prefix + hook if hook.endswith((".py", ".pth")) else manifest
        line = _line_of(comparison.new, file, hook.rpartition(".")[2])
        snippet = f"{hook}: {after}"
        out.append(diff_finding("DIFF-INSTALL-HOOK", file, line, snippet, f"{hook} {what}."))
    for name, before, after in _entry_changes(new, old):
        if after and before:
            out.append(
                diff_finding(
                    "DIFF-ENTRY-POINT",
                    manifest,
                    None,
                    f"{name}: {after}",
                    f"{name} was {before!r}.",
                )
            )
    for dep in new_dependencies(comparison):
        snippet = f"{dep['name']} {dep['spec']}"
        if dep["typosquat_of"]:
            detail = f"{dep['name']!r} is one edit from {dep['typosquat_of']!r}."
            out.append(diff_finding("DIFF-DEP-TYPOSQUAT", manifest, None, snippet, detail))
        if dep["url"]:
            out.append(diff_finding("DIFF-DEP-URL", manifest, None, snippet, f"{dep['spec']}"))
    for change in comparison.changes.values():
        if change.status == "added" and change.binary:
            out.append(
                diff_finding(
                    "DIFF-BINARY-ADDED",
                    change.file,
                    None,
                    PurePosixPath(change.file).name,
                    "A compiled file that the baseline did not have.",
                )
            )
    for item in (provenance or {}).get("findings", []):
        out.append(diff_finding(item["rule"], "", None, item["snippet"], item["detail"]))
    return out


def _line_of(tree: Tree, file: str, key: str) -> int | None:
    """The line of a manifest that names `key` (an npm script, `cmdclass`), when found."""
    if not file or file not in tree.files or key in ("py", "pth"):
        return None
    needle = f'"{key}"' if file.endswith(".json") else key
    if file.endswith("setup.py"):
        needle = "cmdclass"
    for n, line in enumerate(_lines(_read(tree.root / file)), 1):
        if needle in line:
            return n
    return None


def ecosystems_manifest(comparison: Comparison) -> tuple[str, ...]:
    return ecosystems.adapter(comparison.new.ecosystem).MANIFESTS


def provenance_check(
    project: ecosystems.Project,
    new: Release,
    old: Release | None,
    *,
    deadline: float,
) -> dict[str, Any]:
    """Provenance and publisher of the new release against the baseline and the releases
    before it, as far as the registry says: the report's `provenance` object."""
    earlier = ecosystems.earlier(project, new.version, EARLIER_ATTESTED)
    attested_before = [r.version for r in earlier if r.attested]
    out: dict[str, Any] = {
        "attested": new.attested,
        "baseline_attested": bool(old and old.attested),
        "earlier_attested": attested_before,
        "publisher": new.publisher,
        "baseline_publisher": old.publisher if old else "",
        "findings": [],
    }
    if not new.attested and attested_before:
        out["findings"].append(
            {
                "rule": "DIFF-PROVENANCE-LOST",
                "snippet": f"{project.name} {new.version}: no provenance",
                "detail": f"Provenance was served for {', '.join(attested_before)}.",
            }
        )
    if old is not None and new.attested and old.attested and project.ecosystem == "pypi":
        adapter = ecosystems.adapter(project.ecosystem)
        out["publisher"] = adapter.publisher(new, deadline=deadline)
        out["baseline_publisher"] = adapter.publisher(old, deadline=deadline)
    if (
        old is not None
        and out["publisher"]
        and out["baseline_publisher"]
        and out["publisher"] != out["baseline_publisher"]
    ):
        out["findings"].append(
            {
                "rule": "DIFF-PUBLISHER-CHANGED",
                "snippet": f"{out['baseline_publisher']} → {out['publisher']}",
                "detail": f"{old.version} was published by {out['baseline_publisher']!r},"
                f" {new.version} by {out['publisher']!r}.",
            }
        )
    if old is not None and old.maintainers and new.maintainers:
        gained = sorted(set(new.maintainers) - set(old.maintainers))
        if gained and not set(new.maintainers) & set(old.maintainers):
            out["findings"].append(
                {
                    "rule": "DIFF-PUBLISHER-CHANGED",
                    "snippet": f"maintainers {', '.join(old.maintainers)} → {', '.join(gained)}",
                    "detail": "None of the baseline's maintainers is a maintainer any more.",
                }
            )
    return out
