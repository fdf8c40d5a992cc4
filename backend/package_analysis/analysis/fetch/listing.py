"""What a registry lists for a package version: its files, before anything is downloaded."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Ecosystem, PackageRef


@dataclass(frozen=True)
class RemoteFile:
    """One file of a package version as the registry lists it (nothing downloaded yet)."""

    ecosystem: Ecosystem
    filename: str
    url: str
    sha256: str | None = None  # published by PyPI indexes; the report-cache key
    sha512: str | None = None  # npm `dist.integrity` (hex)
    sha1: str | None = None  # npm `dist.shasum`, for old packages without integrity
    size: int | None = None


@dataclass(frozen=True)
class Resolved:
    """A package version (latest resolved) and the files to analyse, sdist first."""

    package: PackageRef
    files: list[RemoteFile]
    registry: str  # the index URL without credentials, for the report's provenance
