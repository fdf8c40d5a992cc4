"""npm: package names, the registry's package document (versions with their publish times,
`deprecated`, `dist.integrity`, `dist.attestations`, `_npmUser`, `maintainers`) and an npm
package's layout: lifecycle scripts run at install, `main`/`exports`/`bin` are entry points."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .. import fetch
from ..fetch import RemoteFile
from ..install_files import script_files
from ..model import AnalysisError, Ecosystem
from ..purl import purl_build
from .base import Project, Release, TreeFacts, check_answer

ECOSYSTEM: Ecosystem = "npm"
MANIFESTS = ("package.json",)
NPM_ABBREVIATED = "application/vnd.npm.install-v1+json"
# Scripts npm runs on `npm install` of a registry package (`prepare` runs only for git
# dependencies and the package's own checkout, so it is not one of them).
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")
DEPENDENCY_KEYS = ("dependencies", "optionalDependencies", "peerDependencies")
MANIFEST_MAX = 1024 * 1024
_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def normalize(name: str) -> str:
    """npm names are compared as published (lower case since 2017); only trim."""
    return name.strip()


def _purl(name: str) -> str:
    return purl_build(ecosystem="npm", name=name, version=None)


def version_key(version: str) -> tuple[Any, ...]:
    """SemVer 2.0 precedence: a pre-release sorts before its release, numeric identifiers
    numerically. Raises ValueError for a string that is not a version."""
    match = _SEMVER.match(version.strip())
    if not match:
        raise ValueError(f"not a semantic version: {version!r}")
    major, minor, patch, pre = match.groups()
    if not pre:
        return (int(major), int(minor), int(patch), 1, ())
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, ids)


def integrity_sha512(integrity: Any) -> str | None:
    """The sha512 of an SRI string ("sha512-<base64>", maybe several, space-separated)."""
    if not isinstance(integrity, str):
        return None
    for item in integrity.split():
        algo, _, b64 = item.partition("-")
        if algo == "sha512":
            try:
                return base64.b64decode(b64, validate=True).hex()
            except ValueError:
                return None
    return None


def project(name: str, *, deadline: float, full: bool = False) -> Project:
    """The package document of `name`: the abbreviated one (install metadata), or with
    `full` the whole one, which adds publish times, publishers and maintainers."""
    registry = fetch.registry_for("npm", name)
    url = registry.url + quote(name, safe="@")
    abbreviated = f"{NPM_ABBREVIATED}; q=1.0, application/json; q=0.8"
    try:
        status, _ctype, body, _final = fetch.get_document(
            registry, url, accept="application/json" if full else abbreviated, deadline=deadline
        )
    except fetch.DeadlineExceeded:
        raise
    except AnalysisError:
        if not full:
            raise
        # the whole document of a package with thousands of versions can pass the size cap:
        # the abbreviated one still orders versions and names their files
        status, _ctype, body, _final = fetch.get_document(
            registry, url, accept=abbreviated, deadline=deadline
        )
    check_answer(status, _purl(name), registry.source)
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise AnalysisError(f"Unreadable package document for {_purl(name)}: {exc}") from None
    return parse_document(name, doc, fetch.redact(registry.url))


def parse_document(name: str, doc: Any, registry: str) -> Project:
    """A package document (full or abbreviated) → `Project`; hostile shapes are ignored
    entry by entry, never trusted."""
    if not isinstance(doc, dict):
        raise AnalysisError(f"Unreadable package document for {_purl(name)}: not an object")
    versions = doc.get("versions")
    if not isinstance(versions, dict) or not versions:
        raise AnalysisError(f"No such package: {_purl(name)} (no published versions)")
    raw_times = doc.get("time")
    times: dict[str, Any] = raw_times if isinstance(raw_times, dict) else {}
    releases = []
    for version, entry in versions.items():
        if not isinstance(entry, dict) or not isinstance(version, str):
            continue
        try:
            version_key(version)
        except ValueError:
            continue
        releases.append(_release(version, entry, times.get(version)))
    releases.sort(key=lambda r: version_key(r.version))
    tags = doc.get("dist-tags")
    latest = tags.get("latest") if isinstance(tags, dict) else None
    tag = latest if isinstance(latest, str) else None
    return Project("npm", name, registry, tuple(releases), version_key, tag)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _names(people: Any) -> tuple[str, ...]:
    if not isinstance(people, list):
        return ()
    out = []
    for p in people:
        who = p.get("name") if isinstance(p, dict) else p
        if isinstance(who, str) and who:
            out.append(who)
    return tuple(sorted(set(out)))


def _release(version: str, entry: dict[str, Any], uploaded: Any) -> Release:
    raw_dist = entry.get("dist")
    dist: dict[str, Any] = raw_dist if isinstance(raw_dist, dict) else {}
    tarball = dist.get("tarball")
    files: tuple[RemoteFile, ...] = ()
    if isinstance(tarball, str) and urlsplit(tarball).scheme in ("http", "https"):
        shasum = dist.get("shasum")
        files = (
            RemoteFile(
                "npm",
                filename=unquote(PurePosixPath(urlsplit(tarball).path).name) or "package.tgz",
                url=tarball,
                sha512=integrity_sha512(dist.get("integrity")),
                sha1=shasum if isinstance(shasum, str) else None,
            ),
        )
    deprecated = entry.get("deprecated")
    attestations = dist.get("attestations")
    attested = isinstance(attestations, dict) and bool(attestations.get("provenance"))
    user = entry.get("_npmUser")
    publisher = user.get("name") if isinstance(user, dict) else None
    return Release(
        version=version,
        uploaded=_time(uploaded),
        files=files,
        prerelease="-" in version.split("+")[0],
        skip=_deprecation(deprecated),
        attested=attested,
        provenance_url=_attestation_url(attestations),
        publisher=publisher if isinstance(publisher, str) else "",
        maintainers=_names(entry.get("maintainers")),
    )


def _deprecation(message: Any) -> str:
    return f"deprecated: {message}"[:300] if isinstance(message, str) and message else ""


def _attestation_url(attestations: Any) -> str:
    url = attestations.get("url") if isinstance(attestations, dict) else None
    return url if isinstance(url, str) else ""


def pick(release: Release) -> list[RemoteFile]:
    return list(release.files)


def known_hook(hook: str, value: str) -> bool:
    return False  # every lifecycle script is the package's own code


def publisher(release: Release, *, deadline: float) -> str:
    return release.publisher  # served in the document itself


# --- the unpacked tree --------------------------------------------------------------------


def _manifest(root: Path, files: list[str]) -> tuple[str, dict[str, Any]]:
    candidates = [f for f in files if PurePosixPath(f).name == "package.json"]
    if not candidates:
        return "", {}
    best = min(candidates, key=lambda f: (f.count("/"), f))
    try:
        with (root / best).open("rb") as fh:
            doc = json.loads(fh.read(MANIFEST_MAX).decode("utf-8", "replace"))
    except (OSError, ValueError, RecursionError):
        doc = None
    return best, doc if isinstance(doc, dict) else {}


def _flatten(value: Any, path: str, out: dict[str, str], budget: list[int]) -> None:
    """`exports`/`bin` maps flattened to "exports:./sub:require" → "./lib/x.js"."""
    if budget[0] <= 0:
        return
    if isinstance(value, str):
        budget[0] -= 1
        out[path] = value[:300]
    elif isinstance(value, dict):
        for key, sub in value.items():
            _flatten(sub, f"{path}:{key}", out, budget)


def facts(root: Path, files: list[str]) -> TreeFacts:
    """The layout hints of an unpacked npm tarball."""
    manifest, doc = _manifest(root, files)
    parent = PurePosixPath(manifest).parent.as_posix() if manifest else "."
    out = TreeFacts(prefix="" if parent == "." else parent + "/", manifest=manifest)
    scripts = doc.get("scripts")
    if isinstance(scripts, dict):
        for hook in INSTALL_SCRIPTS:
            cmd = scripts.get(hook)
            if isinstance(cmd, str) and cmd.strip():
                out.install_hooks[f"scripts.{hook}"] = cmd[:300]
                out.install_files |= script_files(cmd)
    if f"{out.prefix}binding.gyp" in files and "scripts.install" not in out.install_hooks:
        out.install_hooks["binding.gyp"] = "node-gyp rebuild (npm's default install script)"
    budget = [200]
    for key in ("main", "module", "browser", "bin", "exports"):
        value = doc.get(key)
        if key == "bin" and isinstance(value, str):
            value = {str(doc.get("name") or "bin"): value}
        _flatten(value, key, out.entry_points, budget)
    for key in DEPENDENCY_KEYS:
        deps = doc.get(key)
        if isinstance(deps, dict):
            for name, spec in deps.items():
                out.dependencies.setdefault(str(name)[:214], str(spec)[:300])
    name = doc.get("name")
    if isinstance(name, str) and name:
        out.import_names = {name}
    return out
