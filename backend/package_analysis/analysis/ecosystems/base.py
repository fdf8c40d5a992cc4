"""The shapes every ecosystem adapter hands out: a package's releases (`Project`,
`Release`) and what an unpacked package declares (`TreeFacts`), plus the adapter interface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from ..fetch import RemoteFile
from ..model import AnalysisError, Ecosystem, PackageRef
from ..purl import purl_build

PreviousBy = Literal["order", "time"]


@dataclass(frozen=True)
class Release:
    """One published version as the registry's document describes it."""

    version: str
    uploaded: datetime | None  # the earliest upload time of its files, when served
    files: tuple[RemoteFile, ...]
    prerelease: bool = False
    skip: str = ""  # why it is never "the previous release": "yanked: …" / "deprecated: …"
    attested: bool = False  # the registry serves provenance for it (npm attestations, PEP 740)
    provenance_url: str = ""  # where that provenance is, when it is a separate document
    publisher: str = ""  # who published it, when the registry says (npm `_npmUser`)
    maintainers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    """A package's registry document, parsed once: its releases in version order."""

    ecosystem: Ecosystem
    name: str
    registry: str  # the registry URL without credentials
    releases: tuple[Release, ...]  # ascending version order
    version_key: Callable[[str], Any] = field(compare=False, repr=False)  # the adapter's
    latest_tag: str | None = None  # npm's dist-tags.latest

    def release(self, version: str) -> Release | None:
        """The release of `version` (compared as versions: "1.0" finds "1.0.0" on PyPI);
        raises ValueError for a string that is not a version."""
        key = self.version_key(version)
        return next(
            (
                r
                for r in self.releases
                if r.version == version or self.version_key(r.version) == key
            ),
            None,
        )

    def ref(self, release: Release) -> PackageRef:
        return PackageRef(
            ecosystem=self.ecosystem,
            name=self.name,
            version=release.version,
            purl=purl_build(ecosystem=self.ecosystem, name=self.name, version=release.version),
        )


@dataclass
class TreeFacts:
    """What an unpacked package declares about itself (the layout hints), for comparing
    two versions: every map is name → a short text a reviewer can read."""

    prefix: str = ""  # the folder holding the manifest ("" at the root), with its "/"
    install_files: set[str] = field(default_factory=set)  # run at install (relative to prefix)
    install_hooks: dict[str, str] = field(default_factory=dict)  # hook → command/file
    entry_points: dict[str, str] = field(default_factory=dict)  # name → target
    dependencies: dict[str, str] = field(default_factory=dict)  # name → specifier
    import_names: set[str] = field(default_factory=set)  # top-level names it ships
    manifest: str = ""  # the manifest file (relative to the tree root), for findings


class Adapter(Protocol):
    """The module interface every ecosystem adapter provides."""

    ECOSYSTEM: Ecosystem
    MANIFESTS: tuple[str, ...]

    def normalize(self, name: str) -> str: ...
    def version_key(self, version: str) -> Any: ...
    def project(self, name: str, *, deadline: float, full: bool = ...) -> Project: ...
    def pick(self, release: Release) -> list[RemoteFile]: ...
    def facts(self, root: Path, files: list[str]) -> TreeFacts: ...
    def publisher(self, release: Release, *, deadline: float) -> str: ...
    def known_hook(self, hook: str, value: str) -> bool: ...


def check_answer(status: int, purl: str, source: str) -> None:
    """Raise unless a registry answered a package document with 200 (404: no such package)."""
    if status == 404:
        raise AnalysisError(f"No such package: {purl}")
    if status != 200:
        raise AnalysisError(f"Registry answered HTTP {status} for {purl} ({source})")
