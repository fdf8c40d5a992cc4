"""The command's stderr: messages prefixed with the program's name, and one progress line
that only a terminal sees (redrawn in place, cleared before any message)."""

from __future__ import annotations

import sys
import threading


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
