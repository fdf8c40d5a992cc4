"""Which release an analysed one is compared with: what the caller asked ("previous", a
version, a local archive) and the baseline's file of the same kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .. import ecosystems, fetch
from ..ecosystems import Project, Release
from ..model import AnalysisError, Artifact, PackageRef

BaselineKind = Literal["previous", "version", "path", "copy"]


@dataclass
class Request:
    """What the caller asked: "previous", "none", a version, or a local archive's path;
    "copies" compares only a copy of a popular distribution with its original."""

    value: str  # "previous" | "none" | "copies" | a version | a path (kind "path")
    kind: Literal["previous", "version", "path", "none", "copies"]
    copies: bool = True  # look for a copy's original even when nothing else is asked

    @classmethod
    def parse(cls, value: str | None, *, default: str = "previous") -> Request:
        text = (value or default).strip()
        if text in ("previous", "none", "copies"):
            return cls(text, text)  # type: ignore[arg-type]
        if "/" in text or text.endswith((".whl", ".tgz", ".tar.gz", ".zip")):
            return cls(text, "path")
        return cls(text, "version")


@dataclass
class Chosen:
    """The baseline picked for one analysis."""

    kind: BaselineKind
    ref: PackageRef | None  # None for a local archive
    files: list[fetch.RemoteFile] = field(default_factory=list)
    path: Path | None = None
    release: Release | None = None
    project: Project | None = None
    reason: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "purl": self.ref.purl if self.ref else "",
            "version": (self.ref.version or "") if self.ref else "",
            "file": self.path.name if self.path else "",
            "reason": self.reason,
        }


def choose(
    request: Request, project: Project | None, release: Release | None, package: PackageRef
) -> Chosen | None:
    """The registry baseline for a request (copies are found later, from the tree)."""
    if request.kind in ("none", "copies"):
        return None
    if request.kind == "path":
        path = Path(request.value)
        if not path.is_file():
            raise AnalysisError(f"No such baseline file: {request.value}")
        return Chosen("path", None, path=path, reason="the archive given as baseline")
    if project is None or release is None:
        return None
    if request.kind == "previous":
        before = ecosystems.previous(project, release.version)
        if before is None:
            return None  # the first release: nothing to compare with
        reason = "the release before it (version order; yanked and deprecated skipped)"
        return _registry(project, before, "previous", reason)
    wanted = project.release(request.value) if _is_version(project, request.value) else None
    if wanted is None:
        raise AnalysisError(f"No such baseline version: {package.name} {request.value}")
    return _registry(project, wanted, "version", "the version asked for")


def _is_version(project: Project, value: str) -> bool:
    try:
        ecosystems.adapter(project.ecosystem).version_key(value)
    except ValueError:
        return False
    return True


def _registry(project: Project, release: Release, kind: BaselineKind, reason: str) -> Chosen:
    files = ecosystems.adapter(project.ecosystem).pick(release)
    return Chosen(kind, project.ref(release), files, None, release, project, reason)


def _kind(filename: str) -> str:
    return "wheel" if filename.endswith(".whl") else "sdist"


def pick_pair(chosen: Chosen, artifact: Artifact) -> fetch.RemoteFile | None:
    """The baseline's file of the same kind (sdist ↔ sdist, wheel ↔ wheel), else any."""
    same = [f for f in chosen.files if _kind(f.filename) == _kind(artifact.filename)]
    candidates = same or chosen.files
    return candidates[0] if candidates else None
