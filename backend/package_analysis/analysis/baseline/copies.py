"""A copy of a popular package: one that ships a popular distribution's import name under
another name, or whose name is one edit from a popular one; its original is the baseline."""

from __future__ import annotations

import functools

from .. import diff, ecosystems
from ..model import PackageRef
from .choose import Chosen, _registry

# Import names shipped by a popular distribution whose name says otherwise (the rest are
# the distribution's name with `-` as `_`). Where several popular distributions ship one
# name, the original is named here.
_IMPORT_NAMES = {
    "bs4": "beautifulsoup4",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "dateutil": "python-dateutil",
    "attr": "attrs",
    "jwt": "pyjwt",
    "Crypto": "pycryptodome",
    "cv2": "opencv-python",
    "dotenv": "python-dotenv",
    "magic": "python-magic",
    "OpenSSL": "pyopenssl",
    "serial": "pyserial",
    "git": "gitpython",
    "docx": "python-docx",
    "jose": "python-jose",
    "multipart": "python-multipart",
    "socks": "pysocks",
    "zmq": "pyzmq",
    "fitz": "pymupdf",
    "websocket": "websocket-client",
    "slugify": "python-slugify",
    "msgpack": "msgpack",
    "google": "",  # namespace packages: many distributions share them
    "azure": "",
    "backports": "",
    "jaraco": "",
    "sphinxcontrib": "",
    "zope": "",
    "ruamel": "",
    "mpl_toolkits": "",
    "_pytest": "pytest",
}


@functools.cache
def popular_imports() -> dict[str, str]:
    """Import name → the popular PyPI distribution that ships it."""
    from ..rules import metadata

    out = {name.replace("-", "_"): name for name in sorted(metadata.popular("pypi"))}
    out.update(_IMPORT_NAMES)
    return {k: v for k, v in out.items() if v}


def shadowed(package: PackageRef, import_names: set[str]) -> tuple[str, str] | None:
    """(import name, popular distribution) when `package` ships a popular distribution's
    import name under another name; popular distributions themselves shadow nothing."""
    if package.ecosystem != "pypi":
        return None
    from ..rules import metadata

    own = ecosystems.adapter("pypi").normalize(package.name)
    if own in metadata.popular("pypi"):
        return None
    imports = popular_imports()
    for name in sorted(import_names):
        original = imports.get(name)
        if original and original != own:
            return name, original
    return None


def copy_of(package: PackageRef, import_names: set[str], *, deadline: float) -> Chosen | None:
    """The original's closest release when `package` is a copy of a popular distribution."""
    found = shadowed(package, import_names)
    if found is None:
        return None
    name, original = found
    project = ecosystems.adapter("pypi").project(original, deadline=deadline)
    release = ecosystems.closest(project, package.version)
    reason = f"ships the import name {name!r} of the popular {original!r}"
    return _registry(project, release, "copy", reason)


def lookalike_of(package: PackageRef, *, deadline: float) -> Chosen | None:
    """The popular package whose name this one imitates (one edit away), as a candidate
    original: it is the baseline only if the trees show a copy (`COPY_SIMILARITY`)."""
    target = diff.typosquat(package.name, package.ecosystem)
    if not target:
        return None
    project = ecosystems.adapter(package.ecosystem).project(target, deadline=deadline)
    release = ecosystems.closest(project, package.version)
    reason = f"its name is one edit from the popular {target!r} and it ships that package's files"
    return _registry(project, release, "copy", reason)


COPY_SIMILARITY = 0.5  # share of the files identical to the original's
