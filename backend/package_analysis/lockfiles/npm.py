"""package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3 (json)."""

from __future__ import annotations

import json
import re
from typing import Any

from .model import (
    BUNDLED,
    LOCAL,
    PATH_REQUIREMENT,
    UNSUPPORTED,
    URL_REQUIREMENT,
    VCS,
    WORKSPACE,
    LockfileError,
    Package,
    Parsed,
)

SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
NPM_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9._~-][a-z0-9._~-]*$", re.IGNORECASE)
_NPM_VCS = ("git+", "git:", "github:", "gitlab:", "bitbucket:")


def npm_lock_parse(text: str) -> Parsed:
    out = Parsed("package-lock.json")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise LockfileError(f"The package-lock.json is not valid JSON: {exc}.") from exc
    if not isinstance(doc, dict) or "lockfileVersion" not in doc:
        raise LockfileError("This is not a package-lock.json: it has no lockfileVersion.")
    lock_version = doc["lockfileVersion"]
    if lock_version not in (1, 2, 3):
        raise LockfileError(f"package-lock.json lockfileVersion {lock_version!r} is not supported.")
    packages = doc.get("packages")
    if lock_version >= 2 and isinstance(packages, dict):
        for key, entry in packages.items():
            _npm_packages_entry(out, str(key), entry)
    else:
        _npm_v1_tree(out, doc.get("dependencies") or {}, bundled=False)
    return out


def _npm_packages_entry(out: Parsed, key: str, entry: Any) -> None:
    """One entry of v2/v3 `packages`, keyed by its install path."""
    if not isinstance(entry, dict):
        out.skip(key, f"{UNSUPPORTED}: not an object")
        return
    if key == "":
        out.skip(str(entry.get("name") or "(root)"), LOCAL)
        return
    marker = "node_modules/"
    if marker not in key:  # a workspace member's own folder, e.g. "packages/app"
        out.skip(key, WORKSPACE)
        return
    name = entry.get("name") or key.rsplit(marker, 1)[1]
    version = entry.get("version")
    label = f"{key} {version}" if version else key
    if entry.get("link"):
        out.skip(f"{key} -> {entry.get('resolved', '')}", WORKSPACE)
    elif entry.get("inBundle"):
        out.skip(label, BUNDLED)
    else:
        _npm_add(out, name, version, entry.get("resolved"), label)


def _npm_v1_tree(out: Parsed, deps: Any, *, bundled: bool, prefix: str = "") -> None:
    if not isinstance(deps, dict):
        return
    for name, entry in deps.items():
        if not isinstance(entry, dict):
            out.skip(f"{prefix}{name}", f"{UNSUPPORTED}: not an object")
            continue
        version = entry.get("version")
        label = f"{prefix}{name} {version}"
        inner_bundled = bundled or bool(entry.get("bundled"))
        if inner_bundled:
            out.skip(label, BUNDLED)
        elif isinstance(version, str) and version.startswith("npm:"):
            # an alias: "npm:real-name@1.2.3"
            real, _, real_version = version[4:].rpartition("@")
            _npm_add(out, real, real_version, entry.get("resolved"), label)
        else:
            _npm_add(out, str(name), version, entry.get("resolved"), label)
        _npm_v1_tree(
            out, entry.get("dependencies"), bundled=inner_bundled, prefix=f"{prefix}{name}>"
        )


def _npm_add(out: Parsed, name: Any, version: Any, resolved: Any, label: str) -> None:
    resolved = resolved if isinstance(resolved, str) else ""
    spec = version if isinstance(version, str) else ""
    sources = (resolved.lower(), spec.lower())
    if any(s.startswith(_NPM_VCS) for s in sources):
        out.skip(label, VCS)
    elif any(s.startswith(("file:", "link:")) for s in sources):
        out.skip(label, PATH_REQUIREMENT)
    elif not isinstance(name, str) or not NPM_NAME.match(name):
        out.skip(label, f"{UNSUPPORTED}: {name!r} is not an npm package name")
    elif not SEMVER.match(spec):
        out.skip(label, f"{UNSUPPORTED}: {spec!r} is not an exact version")
    elif resolved.startswith(("http:", "https:")) and not is_registry_tarball(resolved, name, spec):
        out.skip(label, URL_REQUIREMENT)
    else:
        out.add(Package("npm", name, spec))


def is_registry_tarball(url: str, name: str, version: str) -> bool:
    """A registry tarball is .../NAME/-/BARE-VERSION.tgz; anything else is a plain URL."""
    bare = name.rsplit("/", 1)[-1]
    path = url.split("?", 1)[0].split("#", 1)[0]
    return path.endswith(f"/-/{bare}-{version}.tgz")
