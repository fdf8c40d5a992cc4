"""What the parsers hand back: packages to analyse, skipped lines with their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..analysis.purl import purl_build

Ecosystem = Literal["pypi", "npm"]
Format = Literal[
    "requirements.txt",
    "poetry.lock",
    "uv.lock",
    "pylock.toml",
    "package-lock.json",
    "pnpm-lock.yaml",
]
FORMATS: tuple[Format, ...] = (
    "requirements.txt",
    "poetry.lock",
    "uv.lock",
    "pylock.toml",
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

LINE_MAX = 300  # a skipped line is echoed back at most this long


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


def as_mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
