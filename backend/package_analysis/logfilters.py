"""Logging filters that keep a client's mistakes from flooding the logs."""

from __future__ import annotations

import logging
import threading
import time


class DisallowedHostFilter(logging.Filter):
    """A bad Host header becomes one WARNING line without a traceback, at most one per
    `interval` seconds; the next line that passes says how many were left out."""

    def __init__(self, interval: float = 10.0) -> None:
        super().__init__()
        self.interval = interval
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.interval:
                self._dropped += 1
                return False
            self._last, dropped, self._dropped = now, self._dropped, 0
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        if dropped:
            record.msg = f"{record.getMessage()} ({dropped} more like it not logged)"
            record.args = ()
        return True
