"""What the non-code check hooks get: one subject each, with a way to report on it."""

from __future__ import annotations

import email.message
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inputs import lines
from ..model import PackageRef, Reachability
from .base import FileCtx, Rule, Sink


def line_with(text: str, needle: str) -> int | None:
    """The first line (1-based, counted as the content rules count them) holding `needle`."""
    return next((i for i, ln in enumerate(lines(text), 1) if needle in ln), None)


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
        return line_with(self.text, needle)


@dataclass
class ManifestCheck(Subject):
    """package.json: `doc` parsed, `text` as read (BOM stripped), `hooks` the install-time
    scripts npm runs (lifecycle scripts, and `node-gyp rebuild` command expansions)."""

    doc: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    hooks: dict[str, str] = field(default_factory=dict)

    def line_of(self, needle: str) -> int | None:
        return line_with(self.text, needle)


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


@dataclass
class TreeCheck(Subject):
    """The whole unpacked tree, once per artifact: `files` relative to `root`, `prefix` the
    folder holding the package's own manifest. Package-level rules read small files through
    `read` and report on any file with `emit_at`."""

    root: Path = field(default=None)  # type: ignore[assignment]
    files: list[str] = field(default_factory=list)
    prefix: str = ""
    package: PackageRef = field(default=None)  # type: ignore[assignment]

    def read(self, rel: str | None, limit: int = 1 << 20) -> str:
        if not rel:
            return ""
        try:
            with (self.root / rel).open("rb") as fh:
                return fh.read(limit).decode("utf-8", "replace").removeprefix("\ufeff")
        except OSError:
            return ""

    def popular(self, ecosystem: str) -> frozenset[str]:
        from .metadata import popular

        return popular(ecosystem)

    def emit_at(
        self,
        rule: Rule,
        rel: str,
        line: int | None,
        snippet: str,
        detail: str = "",
        *,
        reach: Reachability | None = None,
        variant: str = "",
    ) -> None:
        ctx = FileCtx(rel, "metadata", self.ctx.ecosystem)
        self.sink.add(rule, ctx, line, snippet, detail=detail, reach=reach, variant=variant)

    def commands(self) -> list[tuple[str, int | None, str]]:
        """(file, line, name) of every command the package installs: console and GUI
        scripts of entry_points.txt, a wheel's `<name>.data/scripts/` files, and
        package.json's `bin`."""
        out: list[tuple[str, int | None, str]] = []
        for rel in self.files:
            parts = rel.split("/")
            if len(parts) >= 3 and parts[-3].endswith(".data") and parts[-2] == "scripts":
                out.append((rel, None, parts[-1]))  # installed into the environment's bin/
            elif rel.endswith((".dist-info/entry_points.txt", ".egg-info/entry_points.txt")):
                section = ""
                for i, line in enumerate(lines(self.read(rel, 1 << 18)), 1):
                    s = line.strip()
                    if s.startswith("["):
                        section = s.strip("[]").strip()
                    elif section in {"console_scripts", "gui_scripts"} and "=" in s:
                        out.append((rel, i, s.split("=", 1)[0].strip()))
        manifest = self.prefix + "package.json"
        if self.package.ecosystem == "npm" and manifest in self.files:
            text = self.read(manifest)
            try:
                doc = json.loads(text)
            except (ValueError, RecursionError):
                doc = None
            bins = doc.get("bin") if isinstance(doc, dict) else None
            if isinstance(bins, str) and isinstance(doc.get("name"), str):
                bins = {doc["name"].rsplit("/", 1)[-1]: bins}
            if isinstance(bins, dict):
                for name in bins:
                    out.append((manifest, line_with(text, f'"{name}"'), str(name)))
        return out
