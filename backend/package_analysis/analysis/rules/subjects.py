"""What the non-code check hooks get: one subject each, with a way to report on it."""

from __future__ import annotations

import email.message
from dataclasses import dataclass, field
from typing import Any

from ..model import PackageRef, Reachability
from .base import FileCtx, Rule, Sink


@dataclass
class Subject:
    ctx: FileCtx
    sink: Sink

    def emit(
        self,
        rule: Rule,
        line: int | None,
        snippet: str,
        detail: str = "",
        *,
        reach: Reachability | None = None,
        variant: str = "",
    ) -> None:
        self.sink.add(rule, self.ctx, line, snippet, detail=detail, reach=reach, variant=variant)


@dataclass
class PackageCheck(Subject):
    package: PackageRef = field(default=None)  # type: ignore[assignment]
    version: str | None = None


@dataclass
class MetaCheck(Subject):
    """PKG-INFO/METADATA (`msg` parsed) or requires.txt (`msg` None)."""

    text: str = ""
    msg: email.message.Message | None = None

    def line_of(self, needle: str) -> int | None:
        return next((i for i, ln in enumerate(self.text.splitlines(), 1) if needle in ln), None)


@dataclass
class ManifestCheck(Subject):
    """package.json: `doc` parsed, `text` as read (BOM stripped), `hooks` the install-time
    scripts npm runs (lifecycle scripts, and `node-gyp rebuild` command expansions)."""

    doc: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    hooks: dict[str, str] = field(default_factory=dict)

    def line_of(self, needle: str) -> int | None:
        return next((i for i, ln in enumerate(self.text.splitlines(), 1) if needle in ln), None)


@dataclass
class BinaryCheck(Subject):
    kind: str = ""  # PE, ELF, Mach-O
    name: str = ""
    native_ext: bool = False  # .so/.pyd/.node…: a compiled extension where one is expected


@dataclass
class PthCheck(Subject):
    code_lines: list[tuple[int, str]] = field(default_factory=list)

    def emit_line(self, rule: Rule, line: int, text: str) -> None:
        self.emit(rule, line, text)
