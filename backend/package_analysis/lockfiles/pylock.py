"""poetry.lock, uv.lock and pylock.toml (PEP 751) (TOML, read with tomllib)."""

from __future__ import annotations

import tomllib
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .model import (
    LOCAL,
    PATH_REQUIREMENT,
    UNSUPPORTED,
    URL_REQUIREMENT,
    VCS,
    WORKSPACE,
    LockfileError,
    Package,
    Parsed,
    as_mapping,
)


def _toml_load(text: str, what: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"The {what} is not valid TOML: {exc}.") from exc


def _toml_packages(doc: dict[str, Any], what: str) -> list[dict[str, Any]]:
    packages = doc.get("package", [])
    if not isinstance(packages, list) or not all(isinstance(p, dict) for p in packages):
        raise LockfileError(f"The {what} has no [[package]] tables.")
    return packages


def poetry_parse(text: str) -> Parsed:
    out = Parsed("poetry.lock")
    doc = _toml_load(text, "poetry.lock")
    if not isinstance(doc.get("metadata"), dict):
        raise LockfileError("This is not a poetry.lock: it has no [metadata] table.")
    for pkg in _toml_packages(doc, "poetry.lock"):
        name, version = pkg.get("name"), pkg.get("version")
        label = f"{name} {version}"
        source = as_mapping(pkg.get("source"))
        kind = source.get("type")
        if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
            out.skip(label, f"{UNSUPPORTED}: a [[package]] without name and version")
        elif kind == "git":
            out.skip(f"{label} (git {source.get('url', '')})", VCS)
        elif kind in ("directory", "file"):
            out.skip(f"{label} ({kind} {source.get('url', '')})", PATH_REQUIREMENT)
        elif kind == "url":
            out.skip(f"{label} (url {source.get('url', '')})", URL_REQUIREMENT)
        elif kind not in (None, "legacy"):
            out.skip(label, f"{UNSUPPORTED}: source type {kind!r}")
        else:  # the default index, or a named package index ("legacy")
            _add_pypi(out, name, version, label)
    return out


def uv_parse(text: str) -> Parsed:
    out = Parsed("uv.lock")
    doc = _toml_load(text, "uv.lock")
    if "version" not in doc:
        raise LockfileError("This is not a uv.lock: it has no top-level version.")
    for pkg in _toml_packages(doc, "uv.lock"):
        name, version = pkg.get("name"), pkg.get("version")
        source = as_mapping(pkg.get("source"))
        label = f"{name} {version}" if version else str(name)
        if not isinstance(name, str) or not name:
            out.skip(label, f"{UNSUPPORTED}: a [[package]] without a name")
        elif "editable" in source or "virtual" in source:
            where = source.get("editable", source.get("virtual"))
            out.skip(label, LOCAL if where == "." else WORKSPACE)
        elif "git" in source:
            out.skip(f"{label} (git {source['git']})", VCS)
        elif "path" in source or "directory" in source:
            out.skip(f"{label} ({source.get('path') or source.get('directory')})", PATH_REQUIREMENT)
        elif "url" in source:
            out.skip(f"{label} (url {source['url']})", URL_REQUIREMENT)
        elif "registry" not in source:
            out.skip(label, f"{UNSUPPORTED}: source {source!r}")
        elif not isinstance(version, str) or not version:
            out.skip(label, f"{UNSUPPORTED}: no version recorded")
        else:
            _add_pypi(out, name, version, label)
    return out


def pylock_parse(text: str) -> Parsed:
    """PEP 751 `pylock.toml`: `[[packages]]` with a name and a version, from an index (their
    `wheels`/`sdist` list files of the registry); VCS, directory and archive packages are
    not registry releases."""
    out = Parsed("pylock.toml")
    doc = _toml_load(text, "pylock.toml")
    if "lock-version" not in doc:
        raise LockfileError("This is not a pylock.toml: it has no lock-version.")
    packages = doc.get("packages", [])
    if not isinstance(packages, list) or not all(isinstance(p, dict) for p in packages):
        raise LockfileError("The pylock.toml has no [[packages]] tables.")
    for pkg in packages:
        name, version = pkg.get("name"), pkg.get("version")
        label = f"{name} {version}" if version else str(name)
        if not isinstance(name, str) or not name:
            out.skip(label, f"{UNSUPPORTED}: a [[packages]] table without a name")
        elif "vcs" in pkg:
            out.skip(f"{label} (vcs {as_mapping(pkg['vcs']).get('url', '')})", VCS)
        elif "directory" in pkg:
            out.skip(f"{label} ({as_mapping(pkg['directory']).get('path', '')})", LOCAL)
        elif "archive" in pkg:
            archive = as_mapping(pkg["archive"])
            where = archive.get("url") or archive.get("path") or ""
            out.skip(f"{label} (archive {where})", URL_REQUIREMENT)
        elif not isinstance(version, str) or not version:
            out.skip(label, f"{UNSUPPORTED}: no version recorded")
        else:
            _add_pypi(out, name, version, label)
    return out


def _add_pypi(out: Parsed, name: str, version: str, label: str) -> None:
    try:
        normalised = str(Version(version))
    except InvalidVersion:
        out.skip(label, f"{UNSUPPORTED}: {version!r} is not a valid version")
        return
    out.add(Package("pypi", canonicalize_name(name), normalised))
