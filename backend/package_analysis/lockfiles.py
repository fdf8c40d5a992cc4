"""Lockfile parsing: which pinned package versions a dependency file names, and why every
other line was left out. Pure functions over bytes: no network, no database, and nothing
from the file is ever installed or run.

Formats: requirements.txt (pip's line format, parsed with `packaging`), poetry.lock and
uv.lock (tomllib), package-lock.json / npm-shrinkwrap.json v1, v2 and v3 (json), and
pnpm-lock.yaml v5, v6 and v9 (PyYAML's safe loader).

The api parses uploads with `lockfile_parse_isolated`: in a child process with a memory,
CPU and wall-clock budget, because a few MiB of YAML can take hundreds of MiB to load, and
a hostile file must cost a clear error, never the api process.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .analysis.purl import purl_build

Ecosystem = Literal["pypi", "npm"]
Format = Literal[
    "requirements.txt", "poetry.lock", "uv.lock", "package-lock.json", "pnpm-lock.yaml"
]
FORMATS: tuple[Format, ...] = (
    "requirements.txt",
    "poetry.lock",
    "uv.lock",
    "package-lock.json",
    "pnpm-lock.yaml",
)

# Skip reasons: a fixed vocabulary, so the dashboard can group them.
UNPINNED = "unpinned: no single version (pin it with ==)"
URL_REQUIREMENT = "URL requirement: not from the package registry"
PATH_REQUIREMENT = "path requirement: a local file or directory"
EDITABLE = "editable install: a local or VCS checkout"
VCS = "VCS requirement: a git/hg/svn/bzr checkout, not a registry release"
OPTION = "pip option line: names no package"
INCLUDE = "-r/-c include not followed: upload that file on its own"
INVALID = "not a valid requirement"
UNSUPPORTED = "unsupported entry"
LOCAL = "local package: the project itself or a path dependency"
WORKSPACE = "workspace package: part of this repository, not from the registry"
BUNDLED = "bundled dependency: shipped inside its parent's tarball and analysed with it"

# safe_load's loader (plain data only, no tags that build objects), libyaml's when present.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LINE_MAX = 300  # a skipped line is echoed back at most this long

_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_NPM_VCS = ("git+", "git:", "github:", "gitlab:", "bitbucket:")
_NPM_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9._~-][a-z0-9._~-]*$", re.IGNORECASE)


class LockfileError(ValueError):
    """The file cannot be read as any supported format; `str(exc)` is a sentence for the user."""


@dataclass(frozen=True)
class Package:
    ecosystem: Ecosystem
    name: str
    version: str

    @property
    def purl(self) -> str:
        return purl_build(ecosystem=self.ecosystem, name=self.name, version=self.version)


@dataclass(frozen=True)
class Skipped:
    line: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"line": self.line, "reason": self.reason}


@dataclass
class Parsed:
    format: Format
    packages: list[Package] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    _seen: set[tuple[str, str, str]] = field(default_factory=set, repr=False)

    def add(self, package: Package) -> None:
        """Keep the first occurrence of each (ecosystem, name, version)."""
        key = (package.ecosystem, package.name, package.version)
        if key not in self._seen:
            self._seen.add(key)
            self.packages.append(package)

    def skip(self, line: str, reason: str) -> None:
        line = line.strip()
        if len(line) > LINE_MAX:
            line = line[: LINE_MAX - 1] + "…"
        self.skipped.append(Skipped(line, reason))


# ------------------------------------------------------------------ detection


def lockfile_parse(*, filename: str, data: bytes) -> Parsed:
    """Parse a dependency file; the format comes from its name, else from its content."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LockfileError(f"The file is not UTF-8 text (byte {exc.start} is not).") from exc
    if "\x00" in text:
        raise LockfileError("The file is binary (it contains NUL bytes), not a lockfile.")
    fmt = format_detect(filename=filename, text=text)
    try:
        return _PARSERS[fmt](text)
    except RecursionError as exc:
        raise LockfileError(f"The {fmt} is nested too deeply to be a lockfile.") from exc


def format_detect(*, filename: str, text: str) -> Format:
    """By file name first (requirements*.txt, *.txt, poetry.lock, uv.lock, package-lock.json,
    npm-shrinkwrap.json, pnpm-lock.yaml), then by content."""
    base = PurePosixPath(filename.replace("\\", "/")).name.lower()
    by_name: dict[str, Format] = {
        "poetry.lock": "poetry.lock",
        "uv.lock": "uv.lock",
        "package-lock.json": "package-lock.json",
        "npm-shrinkwrap.json": "package-lock.json",
        "pnpm-lock.yaml": "pnpm-lock.yaml",
        "pnpm-lock.yml": "pnpm-lock.yaml",
    }
    if base in by_name:
        return by_name[base]
    if base.endswith(".txt"):
        return "requirements.txt"
    sniffed = _sniff(text)
    if sniffed is None:
        raise LockfileError(
            f"Cannot tell what kind of file {filename or 'this'!r} is; upload one of: "
            + ", ".join(FORMATS)
            + " (any name ending in .txt is read as a requirements file)."
        )
    return sniffed


def _sniff(text: str) -> Format | None:
    head = text.lstrip()[:4096]
    if head.startswith("{") and '"lockfileVersion"' in head:
        return "package-lock.json"
    if re.search(r"^lockfileVersion:", head, re.MULTILINE):
        return "pnpm-lock.yaml"
    if re.search(r"^\[\[package\]\]", text, re.MULTILINE):
        if re.search(r"^\[metadata\]", text, re.MULTILINE) and "content-hash" in text:
            return "poetry.lock"
        if re.search(r"^(revision|requires-python)\s*=", head, re.MULTILINE):
            return "uv.lock"
    return None


# ------------------------------------------------------------------ requirements.txt

_COMMENT = re.compile(r"(^|\s+)#.*$")
# pip's per-requirement options (--hash, --config-settings, ...) start at the first " -x".
_TRAILING_OPTIONS = re.compile(r"\s+--?[A-Za-z]")
_INCLUDE_OPTS = ("-r", "--requirement", "-c", "--constraint")
_EDITABLE_OPTS = ("-e", "--editable")


def _logical_lines(text: str) -> Iterator[str]:
    """pip's reading: comments dropped, backslash continuations joined."""
    pending = ""
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw)
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if line.strip():
            yield line.strip()
    if pending.strip():
        yield pending.strip()


def _requirements_parse(text: str) -> Parsed:
    out = Parsed("requirements.txt")
    for line in _logical_lines(text):
        _requirement_line(out, line)
    return out


def _requirement_line(out: Parsed, line: str) -> None:
    if line.startswith("-"):
        opt = re.split(r"[\s=]", line, maxsplit=1)[0]
        short = "" if line.startswith("--") else line[:2]  # pip takes "-rfile", "-e."
        if opt in _INCLUDE_OPTS or short in ("-r", "-c"):
            out.skip(line, INCLUDE)
        elif opt in _EDITABLE_OPTS or short == "-e":
            out.skip(line, EDITABLE)
        else:
            out.skip(line, OPTION)
        return
    match = _TRAILING_OPTIONS.search(line)
    spec = line[: match.start()] if match else line
    lowered = spec.lower()
    if lowered.startswith(_VCS_SCHEMES):
        out.skip(line, VCS)
        return
    if re.match(r"^[a-z][a-z0-9+.-]*://", lowered):
        out.skip(line, PATH_REQUIREMENT if lowered.startswith("file:") else URL_REQUIREMENT)
        return
    if _looks_like_path(spec):
        out.skip(line, PATH_REQUIREMENT)
        return
    try:
        req = Requirement(spec)
    except InvalidRequirement as exc:
        out.skip(line, f"{INVALID}: {str(exc).splitlines()[0]}")
        return
    if req.url:
        url = req.url.lower()
        if url.startswith(_VCS_SCHEMES):
            out.skip(line, VCS)
        elif url.startswith("file:"):
            out.skip(line, PATH_REQUIREMENT)
        else:
            out.skip(line, URL_REQUIREMENT)
        return
    version = _pinned_version(req)
    if version is None:
        out.skip(line, UNPINNED)
        return
    out.add(Package("pypi", canonicalize_name(req.name), version))


def _looks_like_path(spec: str) -> bool:
    """pip reads a line that looks like a file system path as one (`name @ url` is not)."""
    s = spec.split(";", 1)[0].strip()
    if "@" in s:
        return False
    return (
        s.startswith((".", "/", "~"))
        or bool(re.match(r"^[A-Za-z]:[\\/]", s))
        or "/" in s
        or s.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"))
    )


def _pinned_version(req: Requirement) -> str | None:
    """The version an `==X` (no wildcard) or `===X` specifier pins, else None."""
    for spec in req.specifier:
        if spec.operator == "===":
            return spec.version
        if spec.operator == "==" and not spec.version.endswith(".*"):
            try:
                return str(Version(spec.version))
            except InvalidVersion:
                return None
    return None


# ------------------------------------------------------------------ poetry.lock / uv.lock


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


def _poetry_parse(text: str) -> Parsed:
    out = Parsed("poetry.lock")
    doc = _toml_load(text, "poetry.lock")
    if not isinstance(doc.get("metadata"), dict):
        raise LockfileError("This is not a poetry.lock: it has no [metadata] table.")
    for pkg in _toml_packages(doc, "poetry.lock"):
        name, version = pkg.get("name"), pkg.get("version")
        label = f"{name} {version}"
        source = _mapping(pkg.get("source"))
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


def _uv_parse(text: str) -> Parsed:
    out = Parsed("uv.lock")
    doc = _toml_load(text, "uv.lock")
    if "version" not in doc:
        raise LockfileError("This is not a uv.lock: it has no top-level version.")
    for pkg in _toml_packages(doc, "uv.lock"):
        name, version = pkg.get("name"), pkg.get("version")
        source = _mapping(pkg.get("source"))
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


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _add_pypi(out: Parsed, name: str, version: str, label: str) -> None:
    try:
        normalised = str(Version(version))
    except InvalidVersion:
        out.skip(label, f"{UNSUPPORTED}: {version!r} is not a valid version")
        return
    out.add(Package("pypi", canonicalize_name(name), normalised))


# ------------------------------------------------------------------ package-lock.json


def _npm_lock_parse(text: str) -> Parsed:
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
    elif not isinstance(name, str) or not _NPM_NAME.match(name):
        out.skip(label, f"{UNSUPPORTED}: {name!r} is not an npm package name")
    elif not _SEMVER.match(spec):
        out.skip(label, f"{UNSUPPORTED}: {spec!r} is not an exact version")
    elif resolved.startswith(("http:", "https:")) and not _is_registry_tarball(
        resolved, name, spec
    ):
        out.skip(label, URL_REQUIREMENT)
    else:
        out.add(Package("npm", name, spec))


def _is_registry_tarball(url: str, name: str, version: str) -> bool:
    """A registry tarball is .../NAME/-/BARE-VERSION.tgz; anything else is a plain URL."""
    bare = name.rsplit("/", 1)[-1]
    path = url.split("?", 1)[0].split("#", 1)[0]
    return path.endswith(f"/-/{bare}-{version}.tgz")


# ------------------------------------------------------------------ pnpm-lock.yaml


def _pnpm_parse(text: str) -> Parsed:
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
    resolution = _mapping(entry.get("resolution"))
    tarball = str(resolution.get("tarball") or "")
    name, version = _pnpm_key(key, major)
    name = _text(entry.get("name")) or name
    version = _text(entry.get("version")) or version
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
        "integrity" not in resolution or not _is_registry_tarball(tarball, name, version)
    ):
        out.skip(key, URL_REQUIREMENT)
    elif not _NPM_NAME.match(name):
        out.skip(key, f"{UNSUPPORTED}: {name!r} is not an npm package name")
    elif not _SEMVER.match(version):
        out.skip(key, f"{UNSUPPORTED}: {version!r} is not an exact version")
    else:
        out.add(Package("npm", name, version))


_PARSERS: dict[Format, Callable[[str], Parsed]] = {
    "requirements.txt": _requirements_parse,
    "poetry.lock": _poetry_parse,
    "uv.lock": _uv_parse,
    "package-lock.json": _npm_lock_parse,
    "pnpm-lock.yaml": _pnpm_parse,
}


# ------------------------------------------------------------------ the isolated parse

PARSE_MEMORY_BYTES = 384 * 2**20  # address space of the child (the api pod has 256 MiB)
PARSE_SECONDS = 30


class LockfileTooLarge(LockfileError):
    """Parsing would take more memory or time than the child's budget."""


def lockfile_parse_isolated(
    *, filename: str, data: bytes, memory: int | None = None, seconds: float | None = None
) -> Parsed:
    """`lockfile_parse` in a child process limited to `memory` bytes of address space and
    `seconds` (wall clock and CPU); defaults PARSE_MEMORY_BYTES and PARSE_SECONDS."""
    memory = PARSE_MEMORY_BYTES if memory is None else memory
    seconds = PARSE_SECONDS if seconds is None else seconds
    backend = str(Path(__file__).resolve().parents[1])
    code = (
        f"import sys; sys.path.insert(0, {backend!r}); "
        "from package_analysis.lockfiles import _child_main; _child_main()"
    )
    too_big = "a lockfile that size or shape is not accepted"
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-c", code, filename, str(memory), str(int(seconds) + 1)],
            input=data,
            capture_output=True,
            timeout=seconds,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LockfileTooLarge(f"Reading the file took over {seconds:g} s; {too_big}.") from None
    try:
        answer = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError, UnicodeDecodeError):
        answer = None
    out_of_memory = f"Reading the file needs over {memory // 2**20} MiB of memory; {too_big}."
    if isinstance(answer, dict) and "too_large" in answer:
        raise LockfileTooLarge(out_of_memory)
    if isinstance(answer, dict) and "error" in answer:
        raise LockfileError(str(answer["error"]))
    if proc.returncode == 0 and isinstance(answer, dict):
        out = Parsed(answer["format"])
        out.packages = [Package(e, n, v) for e, n, v in answer["packages"]]
        out.skipped = [Skipped(line, reason) for line, reason in answer["skipped"]]
        return out
    if proc.returncode == -signal.SIGXCPU:
        raise LockfileTooLarge(f"Reading the file took over {seconds:g} s of CPU; {too_big}.")
    if proc.returncode == -signal.SIGKILL:  # the kernel's OOM killer
        raise LockfileTooLarge(out_of_memory)
    last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
    raise RuntimeError(f"lockfile parser exited {proc.returncode}: {last[:300]}")


def _limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard if hard != resource.RLIM_INFINITY else value))


def _child_main() -> None:
    """The child: limits first, then the file from stdin; one JSON line out."""
    filename, memory, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    data = sys.stdin.buffer.read()
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_CPU, cpu)
    _limit(resource.RLIMIT_FSIZE, 0)
    _limit(resource.RLIMIT_NOFILE, 16)
    _limit(resource.RLIMIT_AS, memory)
    answer: dict[str, Any]
    try:
        parsed = lockfile_parse(filename=filename, data=data)
        answer = {
            "format": parsed.format,
            "packages": [[p.ecosystem, p.name, p.version] for p in parsed.packages],
            "skipped": [[s.line, s.reason] for s in parsed.skipped],
        }
    except LockfileError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        answer = {"too_large": True}
    sys.stdout.write(json.dumps(answer) + "\n")
