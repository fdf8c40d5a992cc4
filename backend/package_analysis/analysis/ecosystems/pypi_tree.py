"""A Python package's layout, read from its unpacked sdist or wheel: the manifest folder,
what runs at install (setup.py, an in-tree build backend, `.pth` files), entry points,
Requires-Dist and the top-level import names."""

from __future__ import annotations

import configparser
import email.parser
import re
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.utils import canonicalize_name

from ..install_files import backend_files
from ..treewalk import manifest_prefix
from .base import TreeFacts

MANIFESTS = ("setup.py", "pyproject.toml", "PKG-INFO")


METADATA_MAX = 1024 * 1024


_NOT_MODULES = {"setup", "conftest", "noxfile", "fabfile", "tasks", "versioneer", "test", "tests"}


def _read(path: Path, limit: int = METADATA_MAX) -> str:
    try:
        with path.open("rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def facts(root: Path, files: list[str]) -> TreeFacts:
    """The layout hints of an unpacked sdist or wheel."""
    out = TreeFacts(prefix=manifest_prefix(files, MANIFESTS))
    inner = {f[len(out.prefix) :] for f in files if f.startswith(out.prefix)}
    pyproject: dict[str, Any] = {}
    if "pyproject.toml" in inner:
        try:
            pyproject = tomllib.loads(_read(root / out.prefix / "pyproject.toml"))
        except (tomllib.TOMLDecodeError, RecursionError):
            pyproject = {}
    system = pyproject.get("build-system")
    if isinstance(system, dict) and isinstance(system.get("build-backend"), str):
        in_tree = backend_files(system)
        suffix = " (in the sdist: backend-path)" if in_tree else ""
        out.install_hooks["build-backend"] = system["build-backend"] + suffix
        out.install_files |= in_tree
    if "setup.py" in inner:
        out.install_files.add("setup.py")
        text = _read(root / out.prefix / "setup.py")
        overrides = sorted(set(re.findall(r"['\"]?(\w+)['\"]?\s*[:=]\s*\w+", _cmdclass(text))))
        out.install_hooks["setup.py"] = (
            f"cmdclass overrides: {', '.join(overrides)}" if overrides else "setup.py script"
        )
    for f in sorted(inner):
        if f.endswith(".pth"):
            first = next((ln for ln in _read(root / out.prefix / f).splitlines() if ln), "")
            out.install_hooks[f] = first[:200]
    _entry_points(root, out, inner, pyproject)
    _dependencies(root, out, files, pyproject)
    out.import_names = _import_names(root, out.prefix, inner)
    return out


def _cmdclass(text: str) -> str:
    match = re.search(r"cmdclass\s*=\s*(\{[^}]*\}|dict\([^)]*\))", text)
    return match.group(1) if match else ""


def _entry_points(root: Path, out: TreeFacts, inner: set[str], pyproject: dict[str, Any]) -> None:
    for f in sorted(inner):
        if f.endswith(("entry_points.txt",)) and f.count("/") <= 2:
            parser = configparser.RawConfigParser(delimiters=("=",))
            parser.optionxform = str  # type: ignore[assignment,method-assign]
            try:
                parser.read_string(_read(root / out.prefix / f))
            except configparser.Error:
                continue
            for section in parser.sections():
                for key, value in parser.items(section):
                    out.entry_points[f"{section}:{key}"] = value.strip()
    project_table = pyproject.get("project")
    if not isinstance(project_table, dict):
        return
    groups: dict[str, Any] = {
        "console_scripts": project_table.get("scripts"),
        "gui_scripts": project_table.get("gui-scripts"),
    }
    extra = project_table.get("entry-points")
    if isinstance(extra, dict):
        groups.update(extra)
    for group, table in groups.items():
        if isinstance(table, dict):
            for key, value in table.items():
                out.entry_points.setdefault(f"{group}:{key}", str(value))


def _requirement_name(req: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return str(canonicalize_name(match.group(1))) if match else ""


def _dependencies(root: Path, out: TreeFacts, files: list[str], pyproject: dict[str, Any]) -> None:
    metadata = sorted(
        (
            f
            for f in files
            if PurePosixPath(f).name in {"METADATA", "PKG-INFO"}
            and (f.count("/") <= 1 or ".dist-info/" in f)
        ),
        key=lambda f: (f.count("/"), f),
    )
    for f in metadata[:1]:
        out.manifest = f
        headers = email.parser.HeaderParser().parsestr(_read(root / f), headersonly=True)
        for req in headers.get_all("Requires-Dist") or []:
            if name := _requirement_name(str(req)):
                out.dependencies.setdefault(name, " ".join(str(req).split()))
    project_table = pyproject.get("project")
    deps = project_table.get("dependencies") if isinstance(project_table, dict) else None
    if isinstance(deps, list):
        for req in deps:
            if isinstance(req, str) and (name := _requirement_name(req)):
                out.dependencies.setdefault(name, " ".join(req.split()))
    for f in files:
        if f.endswith(".egg-info/requires.txt") and f.count("/") <= 3:
            for line in _read(root / f).splitlines():
                if line.strip() and not line.startswith("[") and (name := _requirement_name(line)):
                    out.dependencies.setdefault(name, line.strip())


def _import_names(root: Path, prefix: str, inner: set[str]) -> set[str]:
    """Top-level import names: top_level.txt when shipped, else the packages and modules at
    the top of the tree (or of src/)."""
    for f in sorted(inner):
        if f.endswith(("dist-info/top_level.txt", "egg-info/top_level.txt")) and f.count("/") <= 2:
            names = {ln.strip() for ln in _read(root / prefix / f).splitlines() if ln.strip()}
            names = {n.split("/")[0] for n in names if not n.startswith("_")}
            if names:
                return names
    found: set[str] = set()
    for f in inner:
        parts = f.split("/")
        if parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        if len(parts) == 2 and parts[1] == "__init__.py" and parts[0].isidentifier():
            found.add(parts[0])
        elif len(parts) == 1 and parts[0].endswith(".py"):
            stem = parts[0][:-3]
            if stem.isidentifier() and stem not in _NOT_MODULES and not stem.startswith("_"):
                found.add(stem)
    return found
