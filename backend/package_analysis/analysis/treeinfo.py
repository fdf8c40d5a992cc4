"""What an unpacked tree is (npm or PyPI, which name and version it claims), and a local
folder copied into scratch under the archive limits (the scan role's `DIR` target)."""

from __future__ import annotations

import email.parser
import hashlib
import json
import os
import re
import shutil
import stat
from pathlib import Path

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from .model import AnalysisError, Ecosystem, PackageRef
from .purl import purl_build, pypi_normalize
from .stages import METADATA_MAX_BYTES, Run

_VCS_DIRS = {".git", ".hg", ".svn"}


def copy_tree(src: Path, dest: Path, run: Run) -> tuple[str, int, list[dict[str, str]]]:
    """(sha256 of the tree, bytes copied, what was skipped) for `src` copied to `dest`."""
    limits = run.limits
    entries: list[tuple[str, str]] = []
    skipped: list[dict[str, str]] = []
    total = count = 0
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        run.check()
        here = Path(dirpath)
        rel_dir = here.relative_to(src)
        (dest / rel_dir).mkdir(parents=True, exist_ok=True)
        for d in sorted(dirnames):
            if d in _VCS_DIRS or (here / d).is_symlink():
                skipped.append({"name": (rel_dir / d).as_posix(), "reason": "not followed"})
                dirnames.remove(d)
        for f in sorted(filenames):
            rel = (rel_dir / f).as_posix()
            st = (here / f).lstat()
            if not stat.S_ISREG(st.st_mode):
                skipped.append({"name": rel, "reason": "not a regular file"})
                continue
            count += 1
            total += st.st_size
            if count > limits.max_files:
                raise AnalysisError(f"Folder exceeds ANALYSIS_MAX_FILES ({limits.max_files})")
            if total > limits.max_unpacked_bytes:
                raise AnalysisError(
                    f"Folder exceeds ANALYSIS_MAX_UNPACKED_BYTES ({limits.max_unpacked_bytes})"
                )
            try:
                shutil.copyfile(here / f, dest / rel, follow_symlinks=False)
                with (dest / rel).open("rb") as fh:
                    entries.append((rel, hashlib.file_digest(fh, "sha256").hexdigest()))
            except OSError as exc:
                raise AnalysisError(f"Cannot read {rel}: {exc.strerror or exc}") from None
    digest = hashlib.sha256()
    for rel, sha in sorted(entries):
        digest.update(f"{rel}\0{sha}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest(), total, skipped


# --- what an unpacked tree is -------------------------------------------------------------


def _top_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir())


def detect_ecosystem(root: Path, filename: str) -> Ecosystem:
    """npm or PyPI from the layout: the top two levels first, then the whole tree."""
    tops = _top_dirs(root)
    npm = (root / "package.json").is_file() or any((d / "package.json").is_file() for d in tops)
    pypi = any(d.name.endswith((".dist-info", ".egg-info")) for d in tops) or any(
        (d / name).is_file()
        for d in [root, *tops]
        for name in ("PKG-INFO", "setup.py", "setup.cfg", "pyproject.toml")
    )
    if npm == pypi and not npm:  # e.g. a bdist zip rooted at "Program Files/..."
        npm, pypi = _markers_anywhere(root)
    if npm != pypi:
        return "npm" if npm else "pypi"
    raise AnalysisError(
        f"Cannot tell whether {filename} is a PyPI or an npm package; name the ecosystem"
        " (--ecosystem pypi|npm, or the upload's ecosystem field)"
    )


def _markers_anywhere(root: Path) -> tuple[bool, bool]:
    """(has package.json, has Python packaging files or modules) anywhere in the tree."""
    npm = pypi = False
    for _dirpath, dirnames, filenames in os.walk(root):
        npm |= "package.json" in filenames
        pypi |= any(d.endswith((".dist-info", ".egg-info")) for d in dirnames) or any(
            f == "PKG-INFO" or f.endswith(".py") for f in filenames
        )
    return npm, pypi


def _read_small(path: Path) -> bytes | None:
    try:
        with path.open("rb") as fh:
            return fh.read(METADATA_MAX_BYTES)
    except OSError:
        return None


def _name_version_from_tree(root: Path, ecosystem: Ecosystem) -> tuple[str, str] | None:
    tops = _top_dirs(root)
    if ecosystem == "npm":
        for candidate in [root / "package.json", *(d / "package.json" for d in tops)]:
            raw = _read_small(candidate) if candidate.is_file() else None
            try:
                doc = json.loads(raw) if raw else None
            except ValueError:
                doc = None
            if isinstance(doc, dict) and isinstance(doc.get("name"), str):
                version = doc.get("version")
                return doc["name"], version if isinstance(version, str) else ""
        return None
    for candidate in _python_metadata_files(root):
        raw = _read_small(candidate)
        if raw:
            text = raw.decode("utf-8", "replace")
            headers = email.parser.HeaderParser().parsestr(text, headersonly=True)
            if headers.get("Name"):
                return str(headers["Name"]), str(headers.get("Version") or "")
    return None


def _python_metadata_files(root: Path) -> list[Path]:
    """`*.dist-info/METADATA` and `PKG-INFO` files, the shallowest first."""
    found = []
    for dirpath, _dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here.name.endswith(".dist-info") and "METADATA" in filenames:
            found.append(here / "METADATA")
        if "PKG-INFO" in filenames:
            found.append(here / "PKG-INFO")
    return sorted(found, key=lambda p: (len(p.relative_to(root).parts), str(p)))


def _name_version_from_filename(filename: str, ecosystem: Ecosystem) -> tuple[str, str]:
    if filename.endswith(".whl"):
        try:
            parsed = parse_wheel_filename(filename)
            return str(parsed[0]), str(parsed[1])
        except InvalidWheelFilename:
            pass
    stem = re.sub(r"(\.tar\.gz|\.tgz|\.tar\.bz2|\.tar\.xz|\.tar|\.zip|\.whl)$", "", filename)
    name, sep, version = stem.rpartition("-")
    return (name, version) if sep and re.match(r"^\d", version) else (stem, "")


_PRINTABLE = re.compile(r"^[^\x00-\x20\x7f/]+$")


def _package_ref(ecosystem: Ecosystem, name: str, version: str) -> PackageRef | None:
    """A reference to what the archive *claims* to be: names a registry would refuse (say,
    with a look-alike Cyrillic letter) are kept as evidence, percent-encoded in the purl."""
    name, version = name.strip()[:214], version.strip()[:64]
    bare = name[1:].partition("/")[2] if ecosystem == "npm" and name.startswith("@") else name
    if not bare or not _PRINTABLE.match(bare) or (version and not _PRINTABLE.match(version)):
        return None
    if ecosystem == "pypi":
        name = pypi_normalize(name)
    try:
        purl = purl_build(ecosystem=ecosystem, name=name, version=version or None)
    except ValueError:
        return None
    return PackageRef(ecosystem=ecosystem, name=name, version=version or None, purl=purl)


def package_from_tree(root: Path, ecosystem: Ecosystem, filename: str) -> PackageRef:
    """Name and version from the archive's metadata (falling back to the file name)."""
    candidates = [
        _name_version_from_tree(root, ecosystem),
        _name_version_from_filename(filename, ecosystem),
    ]
    for found in candidates:
        ref = _package_ref(ecosystem, *found) if found else None
        if ref is not None:
            return ref
    return PackageRef(
        ecosystem=ecosystem,
        name="unknown",
        version=None,
        purl=purl_build(ecosystem=ecosystem, name="unknown", version=None),
    )
