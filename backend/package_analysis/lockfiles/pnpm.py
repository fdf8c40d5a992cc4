"""pnpm-lock.yaml, lockfileVersion 5, 6 and 9 (PyYAML's safe loader)."""

from __future__ import annotations

from typing import Any

import yaml

from .model import (
    PATH_REQUIREMENT,
    UNSUPPORTED,
    URL_REQUIREMENT,
    VCS,
    WORKSPACE,
    LockfileError,
    Package,
    Parsed,
    as_mapping,
    as_text,
)
from .npm import NPM_NAME, SEMVER, is_registry_tarball

# safe_load's loader (plain data only, no tags that build objects), libyaml's when present.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def pnpm_parse(text: str) -> Parsed:
    out = Parsed("pnpm-lock.yaml")
    try:
        doc = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (CSafeLoader or SafeLoader)
    except yaml.YAMLError as exc:
        raise LockfileError(f"The pnpm-lock.yaml is not valid YAML: {exc}.") from exc
    if not isinstance(doc, dict) or "lockfileVersion" not in doc:
        raise LockfileError("This is not a pnpm-lock.yaml: it has no lockfileVersion.")
    try:
        major = int(float(str(doc["lockfileVersion"])))
    except ValueError as exc:
        raise LockfileError(f"pnpm lockfileVersion {doc['lockfileVersion']!r} is unknown.") from exc
    if major not in (5, 6, 7, 8, 9):
        raise LockfileError(f"pnpm lockfileVersion {doc['lockfileVersion']!r} is not supported.")
    _pnpm_links(out, doc)
    packages = doc.get("packages") or {}
    if not isinstance(packages, dict):
        raise LockfileError("The pnpm-lock.yaml's packages is not a mapping.")
    for key, entry in packages.items():
        _pnpm_entry(out, str(key), entry if isinstance(entry, dict) else {}, major)
    return out


def _pnpm_links(out: Parsed, doc: dict[str, Any]) -> None:
    """Workspace links (`link:../pkg`) live in the importers, not in `packages`."""
    importers = doc.get("importers")
    roots = list(importers.items()) if isinstance(importers, dict) else [(".", doc)]
    for importer, deps_root in roots:
        if not isinstance(deps_root, dict):
            continue
        for group in ("dependencies", "devDependencies", "optionalDependencies"):
            deps = deps_root.get(group)
            if not isinstance(deps, dict):
                continue
            for name, ref in deps.items():
                version = ref.get("version") if isinstance(ref, dict) else ref
                if isinstance(version, str) and version.startswith("link:"):
                    out.skip(f"{importer}: {name} {version}", WORKSPACE)


def _pnpm_key(key: str, major: int) -> tuple[str, str]:
    """(name, version) from a packages key: `/name/1.0.0_peer` (v5), `/name@1.0.0(peer)` (v6),
    `name@1.0.0` (v9); scoped names keep their `@scope/`."""
    key = key.removeprefix("/")
    key = key.split("(", 1)[0]
    if major < 6:
        name, _, version = key.rpartition("/")
        return name, version.split("_", 1)[0]
    at = key.find("@", 1)  # the first @ after a scope's leading @
    if at < 0:
        return key, ""
    return key[:at], key[at + 1 :]


def _pnpm_entry(out: Parsed, key: str, entry: dict[str, Any], major: int) -> None:
    resolution = as_mapping(entry.get("resolution"))
    tarball = str(resolution.get("tarball") or "")
    name, version = _pnpm_key(key, major)
    name = as_text(entry.get("name")) or name
    version = as_text(entry.get("version")) or version
    if resolution.get("type") == "git" or "repo" in resolution:
        out.skip(key, VCS)
    elif (
        "directory" in resolution
        or resolution.get("type") == "directory"
        or version.startswith(("file:", "link:"))
        or key.startswith(("file:", "link:"))
        or tarball.startswith("file:")
    ):
        out.skip(key, PATH_REQUIREMENT)
    elif tarball and (
        "integrity" not in resolution or not is_registry_tarball(tarball, name, version)
    ):
        out.skip(key, URL_REQUIREMENT)
    elif not NPM_NAME.match(name):
        out.skip(key, f"{UNSUPPORTED}: {name!r} is not an npm package name")
    elif not SEMVER.match(version):
        out.skip(key, f"{UNSUPPORTED}: {version!r} is not an exact version")
    else:
        out.add(Package("npm", name, version))
