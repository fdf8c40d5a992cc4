"""Fetch: list a package version's files through the configured registry, then download
and verify them.

The registry is whatever the machine's own clients are configured for — pip's index
(`pip config list`, `PIP_INDEX_URL`, pip.conf `index-url`; pip's built-in default only by
asking pip) and npm's registry (`npm config`) — with their proxy and CA settings, so a
machine behind a mirror just works. No registry host is written here.

What a registry's documents mean (versions, files, hashes, provenance) is the business of
the ecosystem adapters (`ecosystems/pypi.py`, `ecosystems/npm.py`); this package fetches
them (`get_document`). `ecosystems.resolve()` lists a version's files before anything is
downloaded, so a caller with a cached report for a published sha256 can skip the download.
Never `pip download`: pip would run an sdist's build hooks, i.e. the package's code.
"""

from __future__ import annotations

from .artifact import artifact_too_large, download, file_digests, verify
from .hosts import FetchPolicy, FetchRefused, fetch_allowed, fetch_policy, registry_origins
from .listing import RemoteFile, Resolved
from .registries import (
    Registry,
    _npm_settings,
    npm_registry,
    pypi_registry,
    redact,
    registry_for,
)
from .transport import DeadlineExceeded, _clients, get_document

__all__ = [
    "DeadlineExceeded",
    "FetchPolicy",
    "FetchRefused",
    "Registry",
    "RemoteFile",
    "Resolved",
    "_clients",
    "_npm_settings",
    "artifact_too_large",
    "download",
    "fetch_allowed",
    "fetch_policy",
    "file_digests",
    "get_document",
    "npm_registry",
    "pypi_registry",
    "redact",
    "registry_for",
    "registry_origins",
    "verify",
]
