"""The scan command's shared pieces: what it analyses (`Target`), what it got (`Outcome`)
and where it talks (`Console`). A leaf that `cli` and `remote` both import."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

from .model import Report


@dataclass(frozen=True)
class Target:
    """One thing to analyse; `origin` is the lockfile that named it, if any."""

    kind: str  # "purl" | "file" | "dir"
    value: str
    origin: str | None = None

    @property
    def label(self) -> str:
        return self.value


@dataclass
class Outcome:
    target: Target
    report: Report | None = None
    error: str | None = None


class Console:
    """stderr messages prefixed with the program's name, and the progress line."""

    def __init__(self, prog: str, *, progress: bool) -> None:
        self.prog = prog
        self.progress_on = progress
        self._lock = threading.Lock()
        self._shown = False

    def say(self, text: str) -> None:
        with self._lock:
            self._clear()
            print(f"{self.prog}: {text}", file=sys.stderr, flush=True)

    def progress(self, done: int, total: int, current: str) -> None:
        if not self.progress_on:
            return
        width = 24
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        line = f"[{bar}] {done}/{total} {current}"[:100]
        with self._lock:
            sys.stderr.write("\r\x1b[2K" + line)
            sys.stderr.flush()
            self._shown = True

    def done(self) -> None:
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self._shown = False
