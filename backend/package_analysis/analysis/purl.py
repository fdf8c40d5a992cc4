"""Package URLs (purl) in, `PackageRef` out: pypi and npm only, names normalised.

`pkg:pypi/Foo_Bar@1.0` → name `foo-bar` (PEP 503); `pkg:npm/%40scope/name@1.0.0` →
name `@scope/name`. Every refusal is an `AnalysisError` whose text a user can act on.
"""

from __future__ import annotations

import re

from packageurl import PackageURL

from .model import AnalysisError, Ecosystem, PackageRef

ECOSYSTEMS: tuple[Ecosystem, ...] = ("pypi", "npm")

# The names each registry accepts; anything else could smuggle path segments into a URL.
_PYPI_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_NPM_PART = re.compile(r"^[A-Za-z0-9~-][A-Za-z0-9._~-]*$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+!_-]*$")


def pypi_normalize(name: str) -> str:
    """PEP 503 normalised project name: runs of `-_.` become `-`, lower case."""
    return re.sub(r"[-_.]+", "-", name).lower()


def purl_build(*, ecosystem: Ecosystem, name: str, version: str | None) -> str:
    """The canonical purl string for a package name (npm scopes percent-encoded)."""
    namespace, _, bare = name.rpartition("/") if ecosystem == "npm" else ("", "", name)
    return PackageURL(
        type=ecosystem, namespace=namespace or None, name=bare, version=version
    ).to_string()


def purl_parse(purl: str) -> PackageRef:
    """Parse and validate a purl; `version` is None when the purl names no version."""
    text = purl.strip()
    try:
        parsed = PackageURL.from_string(text)
    except ValueError as exc:
        raise AnalysisError(
            f"Not a package URL: {text!r} ({exc}; expected e.g. pkg:pypi/requests@2.32.3)"
        ) from None
    kind = parsed.type.lower()
    if kind not in ECOSYSTEMS:
        raise AnalysisError(
            f"Unsupported ecosystem {kind!r} in {text}: only pypi and npm packages are analysed"
        )
    ecosystem: Ecosystem = "pypi" if kind == "pypi" else "npm"
    name = _name(ecosystem, parsed.namespace, parsed.name, text)
    version = parsed.version or None
    if version is not None and not _VERSION.match(version):
        raise AnalysisError(f"Not a valid version in {text}: {version!r}")
    return PackageRef(
        ecosystem=ecosystem,
        name=name,
        version=version,
        purl=purl_build(ecosystem=ecosystem, name=name, version=version),
    )


def _name(ecosystem: Ecosystem, namespace: str | None, name: str, text: str) -> str:
    if ecosystem == "pypi":
        if namespace or not _PYPI_NAME.match(name):
            raise AnalysisError(f"Not a valid PyPI project name in {text}: {name!r}")
        return pypi_normalize(name)
    if namespace and not (namespace.startswith("@") and _NPM_PART.match(namespace[1:])):
        raise AnalysisError(f"Not a valid npm scope in {text}: {namespace!r} (expected @scope)")
    if not _NPM_PART.match(name) or name.startswith((".", "_")):
        raise AnalysisError(f"Not a valid npm package name in {text}: {name!r}")
    return f"{namespace}/{name}" if namespace else name
