"""PyPI: PEP 503 names, the simple index (PEP 691 JSON with PEP 700 upload times and PEP 740
provenance; the PEP 503 HTML form as a fallback for mirrors); a Python package's layout
(`facts`) is read by `pypi_tree`."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from .. import fetch
from ..fetch import RemoteFile
from ..model import AnalysisError, Ecosystem
from ..purl import purl_build
from .base import Project, Release, check_answer

# The adapter's tree half (the `Adapter` protocol's MANIFESTS and facts), kept in pypi_tree.
from .pypi_tree import MANIFESTS as MANIFESTS
from .pypi_tree import facts as facts

ECOSYSTEM: Ecosystem = "pypi"
PEP691_JSON = "application/vnd.pypi.simple.v1+json"
SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")
# Build backends published as their own, widely used distributions: code that runs at
# install, but not the package's own code.
KNOWN_BACKENDS = {
    "setuptools.build_meta",
    "setuptools.build_meta:__legacy__",
    "hatchling.build",
    "flit_core.buildapi",
    "poetry.core.masonry.api",
    "pdm.backend",
    "pdm.pep517.api",
    "maturin",
    "scikit_build_core.build",
    "mesonpy",
    "uv_build",
    "sipbuild.api",
    "whey",
}


def normalize(name: str) -> str:
    """PEP 503: runs of `-_.` become `-`, lower case."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _purl(name: str) -> str:
    return purl_build(ecosystem="pypi", name=name, version=None)


def version_key(version: str) -> Version:
    return Version(version)


# --- the index ----------------------------------------------------------------------------


class _SimpleHTML(HTMLParser):
    """PEP 503 project page: one anchor per file, its sha256 in the URL fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []
        self._href: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append(("".join(self._text).strip(), self._href))
            self._href = None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _yank(value: Any) -> str:
    if not value:
        return ""
    return f"yanked: {value}" if isinstance(value, str) else "yanked"


def index_files(body: bytes, content_type: str, base: str) -> list[dict[str, Any]]:
    """Every file the project page lists: filename, url, sha256, size, yank reason,
    upload time and PEP 740 provenance URL (the last two only in the JSON form)."""
    if content_type.split(";")[0].strip() == PEP691_JSON:
        data = json.loads(body)
        out = []
        for f in data.get("files", []):
            hashes = f.get("hashes") or {}
            size = f.get("size")
            provenance = f.get("provenance")
            out.append(
                {
                    "filename": f["filename"],
                    "url": urljoin(base, f["url"]),
                    "sha256": hashes.get("sha256"),
                    "size": size if isinstance(size, int) else None,
                    "skip": _yank(f.get("yanked")),
                    "uploaded": _time(f.get("upload-time")),
                    "provenance": urljoin(base, provenance) if isinstance(provenance, str) else "",
                }
            )
        return out
    parser = _SimpleHTML()
    parser.feed(body.decode("utf-8", "replace"))
    out = []
    for text, attrs in parser.links:
        href = attrs.get("href") or ""
        url, _, fragment = urljoin(base, href).partition("#")
        algo, _, digest = fragment.partition("=")
        yanked = attrs.get("data-yanked")
        out.append(
            {
                "filename": text or unquote(PurePosixPath(urlsplit(url).path).name),
                "url": url,
                "sha256": digest if algo == "sha256" else None,
                "size": None,
                "skip": _yank(yanked if yanked else "data-yanked" in attrs),
                "uploaded": None,
                "provenance": "",
            }
        )
    return out


def file_version(filename: str) -> tuple[str, Version] | None:
    """("sdist"|"wheel", version) from a distribution filename; None for other files."""
    try:
        if filename.endswith(".whl"):
            return "wheel", parse_wheel_filename(filename)[1]
        for suffix in SDIST_SUFFIXES:
            if filename.endswith(suffix):
                return "sdist", Version(filename[: -len(suffix)].rpartition("-")[2])
    except (InvalidWheelFilename, InvalidVersion):
        return None
    return None


def project(name: str, *, deadline: float, full: bool = False) -> Project:
    """The project page of `name`: every release with its files (one request)."""
    registry = fetch.pypi_registry()
    url = urljoin(registry.url, quote(name) + "/")
    status, ctype, body, final = fetch.get_document(
        registry, url, accept=f"{PEP691_JSON}, text/html;q=0.1", deadline=deadline
    )
    check_answer(status, _purl(name), registry.source)
    try:
        files = index_files(body, ctype, final)
    except (ValueError, KeyError, TypeError) as exc:
        raise AnalysisError(f"Unreadable index page for {_purl(name)}: {exc}") from None
    by_version: dict[Version, list[dict[str, Any]]] = {}
    for f in files:
        parsed = file_version(f["filename"])
        if parsed:
            by_version.setdefault(parsed[1], []).append(f)
    if not by_version:
        raise AnalysisError(f"No such package: {_purl(name)} (the index lists no release files)")
    releases = tuple(_release(v, by_version[v]) for v in sorted(by_version))
    return Project("pypi", name, fetch.redact(registry.url), releases, version_key)


def _release(version: Version, files: list[dict[str, Any]]) -> Release:
    live = [f for f in files if not f["skip"]]
    times = [f["uploaded"] for f in files if f["uploaded"] is not None]
    remote = tuple(
        RemoteFile("pypi", f["filename"], f["url"], sha256=f["sha256"], size=f["size"])
        for f in (live or files)
    )
    provenance = next((f["provenance"] for f in live if f["provenance"]), "")
    return Release(
        version=str(version),
        uploaded=min(times) if times else None,
        files=remote,
        prerelease=version.is_prerelease,
        skip="" if live else files[0]["skip"],
        attested=bool(provenance),
        provenance_url=provenance,
    )


def _wheel_rank(filename: str) -> tuple[int, int] | None:
    """Higher is better: pure-Python wheels, then manylinux x86_64 (newest CPython)."""
    tags = parse_wheel_filename(filename)[3]
    if any(t.abi == "none" and t.platform == "any" for t in tags):
        return (2, 0)
    linux = [
        t for t in tags if t.platform.startswith("manylinux") and t.platform.endswith("x86_64")
    ]
    if linux:
        digits = [int(m.group(1)) for t in linux if (m := re.match(r"cp3(\d+)", t.interpreter))]
        return (1, max(digits, default=0))
    return None


def pick(release: Release) -> list[RemoteFile]:
    """The sdist and one wheel (pure-Python, else manylinux x86_64), when they exist."""
    files = list(release.files)
    sdists = sorted(
        (f for f in files if file_version(f.filename) and f.filename.endswith(SDIST_SUFFIXES)),
        key=lambda f: (not f.filename.endswith(".tar.gz"), f.filename),
    )
    wheels = [f for f in files if f.filename.endswith(".whl")]
    ranked = sorted(
        ((rank, f) for f in wheels if (rank := _wheel_rank(f.filename)) is not None),
        key=lambda item: item[0],
        reverse=True,
    )
    picked = sdists[:1]
    if ranked:
        picked.append(ranked[0][1])
    elif wheels and not sdists:
        picked.append(wheels[0])  # only exotic wheels: analyse one rather than none
    return picked


def known_hook(hook: str, value: str) -> bool:
    """A hook whose code is not the package's own: a mainstream build backend."""
    return hook == "build-backend" and value in KNOWN_BACKENDS


def publisher(release: Release, *, deadline: float) -> str:
    """The trusted publisher named by the release's PEP 740 provenance ("" when none):
    e.g. "GitHub owner/repo release.yml"."""
    if not release.provenance_url:
        return ""
    registry = fetch.pypi_registry()
    status, _ctype, body, _final = fetch.get_document(
        registry, release.provenance_url, accept="application/json", deadline=deadline
    )
    if status != 200:
        return ""
    try:
        doc = json.loads(body)
        bundles = doc.get("attestation_bundles") or []
        who = bundles[0].get("publisher") or {} if bundles else {}
    except (ValueError, AttributeError, IndexError):
        return ""
    if not isinstance(who, dict):
        return ""
    parts = [who.get("kind"), who.get("repository") or who.get("project"), who.get("workflow")]
    return " ".join(str(p) for p in parts if isinstance(p, str) and p)
