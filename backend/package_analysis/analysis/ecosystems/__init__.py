"""Ecosystem adapters: what differs between registries, one module per registry.

Each adapter (`pypi`, `npm`) owns the registry's rules: how names are normalised, how its
package document lists versions (with upload times, yanked or deprecated ones, integrity
and provenance data) and which files of a version are analysed, plus the layout hints of
an unpacked package (its manifest files, install hooks, entry points, dependencies and the
import names it ships). `fetch` keeps HTTP, download and verification; a third ecosystem
is one more module here, registered in `ADAPTERS`.

The shared logic lives here: picking the latest release, "the previous release" (by
version order or by upload time, yanked and deprecated releases skipped) and the closest
release to a version of another package (for copies).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..fetch import Resolved
from ..model import AnalysisError, PackageRef
from . import npm, pypi
from .base import Adapter, PreviousBy, Project, Release, TreeFacts

__all__ = [
    "Adapter",
    "PreviousBy",
    "Project",
    "Release",
    "TreeFacts",
    "adapter",
    "closest",
    "earlier",
    "latest",
    "previous",
    "resolve",
    "resolved",
]


def adapter(ecosystem: str) -> Adapter:
    """The adapter module of an ecosystem."""
    modules: dict[str, ModuleType] = {"pypi": pypi, "npm": npm}
    try:
        return modules[ecosystem]
    except KeyError:
        raise AnalysisError(f"Unsupported ecosystem {ecosystem!r}: only pypi and npm") from None


def _live(project: Project, pre: bool) -> list[Release]:
    return [r for r in project.releases if not r.skip and r.files and (pre or not r.prerelease)]


def latest(project: Project) -> Release:
    """npm's `latest` tag when set, else the highest stable live release (PyPI's rule)."""
    if project.latest_tag:
        tagged = project.release(project.latest_tag)
        if tagged is not None:
            return tagged
    candidates = _live(project, pre=False) or _live(project, pre=True) or list(project.releases)
    if not candidates:
        raise AnalysisError(f"No such package: pkg:{project.ecosystem}/{project.name}")
    return candidates[-1]


def previous(project: Project, version: str, *, by: PreviousBy = "order") -> Release | None:
    """The release before `version`: the highest lower version ("order"), or the last one
    uploaded before it ("time"); yanked and deprecated releases are skipped, and
    pre-releases unless `version` is one."""
    current = project.release(version)
    if current is None:
        return None
    candidates = [r for r in _live(project, pre=current.prerelease) if r is not current]
    if by == "time":
        if current.uploaded is None:
            return None
        before = [
            (r.uploaded, i, r)
            for i, r in enumerate(candidates)
            if r.uploaded is not None and r.uploaded < current.uploaded
        ]
        return max(before, key=lambda item: (item[0], item[1]))[2] if before else None
    key: Callable[[str], Any] = project.version_key
    lower = [r for r in candidates if key(r.version) < key(current.version)]
    return lower[-1] if lower else None


def closest(project: Project, version: str | None) -> Release:
    """The release of `project` nearest to `version` (of another package): the same
    version when it exists, else the highest lower one, else the lowest higher one."""
    live = _live(project, pre=True) or list(project.releases)
    if not live:
        raise AnalysisError(f"No release of {project.name} to compare with")
    if not version:
        return latest(project)
    key: Callable[[str], Any] = project.version_key
    try:
        wanted = key(version)
    except ValueError:
        return latest(project)
    same = [r for r in live if key(r.version) == wanted]
    if same:
        return same[0]
    lower = [r for r in live if key(r.version) < wanted]
    return lower[-1] if lower else live[0]


def earlier(project: Project, version: str, count: int) -> list[Release]:
    """Up to `count` live releases before `version` in version order, the nearest first."""
    key: Callable[[str], Any] = project.version_key
    wanted = key(version)
    lower = [r for r in _live(project, pre=True) if key(r.version) < wanted]
    return list(reversed(lower[-count:]))


def resolved(project: Project, version: str | None, *, purl: str) -> Resolved:
    """The files to analyse of `version` (the latest when None); `purl` words the errors."""
    try:
        found = latest(project) if version is None else project.release(version)
    except ValueError:  # not a version at all
        found = None
    if found is None:
        raise AnalysisError(f"No such version: {purl}")
    release = found
    picked = adapter(project.ecosystem).pick(release)
    if not picked:
        what = "sdist or wheel" if project.ecosystem == "pypi" else "tarball"
        raise AnalysisError(f"No {what} to analyse for {project.ref(release).purl}")
    return Resolved(package=project.ref(release), files=picked, registry=project.registry)


def resolve(ref: PackageRef, *, deadline: float) -> Resolved:
    """The package version (latest resolved when `ref.version` is None) and its files,
    before anything is downloaded."""
    project = adapter(ref.ecosystem).project(ref.name, deadline=deadline)
    return resolved(project, ref.version, purl=ref.purl)
