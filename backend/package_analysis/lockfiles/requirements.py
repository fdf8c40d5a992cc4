"""requirements.txt: pip's line format, each requirement parsed by `packaging`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .model import (
    EDITABLE,
    INCLUDE,
    INVALID,
    OPTION,
    PATH_REQUIREMENT,
    UNPINNED,
    URL_REQUIREMENT,
    VCS,
    Package,
    Parsed,
)

_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
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


def requirements_parse(text: str) -> Parsed:
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
