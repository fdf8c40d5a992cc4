"""One file's scan, captured: what a scanning process (`parallel`) runs for each file it is
handed, and the loop those processes run.

Imported by the forkserver that starts them (so each starts with the engine imported and the
content rules compiled, shared copy-on-write) and, when a file must be redone, by the
process that runs the scan.
"""

from __future__ import annotations

import gc
import logging
import os
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from .model import Finding
from .rules import content
from .rules.base import MAX_FINDINGS, Sink

log = logging.getLogger("packamal.analysis")

content.compiled()  # once in the forkserver: every scanning process inherits the rules
_IMPORTED_BY = os.getpid()  # the forkserver's: a scanning process with its own pid here
# imported the engine and compiled the rules itself (the forkserver could not preload them)


@dataclass
class FileResult:
    """What scanning one file added: its findings as a sink of its own kept them (deduplicated
    and capped within the file), the files it listed as skipped, and the error that ended
    it (a traceback, "" when none)."""

    findings: list[Finding]
    skipped: list[dict[str, str]]
    error: str = ""
    error_name: str = ""
    # the file alone reached MAX_FINDINGS: its own cap may have dropped what the run's sink
    # would keep, so the run scans it again itself, in its turn
    overflow: bool = False


def capture(run: Any, rel: str) -> FileResult:
    """Scan `rel` with `run` into a sink and skip list of its own (the run's are restored)."""
    sink, skipped = run.sink, run.skipped
    run.sink, run.skipped = Sink(artifact=sink.artifact), []
    error = name = ""
    try:
        run.scan_file(rel)
    except Exception as exc:  # one hostile file never stops the scan
        error, name = traceback.format_exc(), type(exc).__name__
    finally:
        got = FileResult(run.sink.findings, run.skipped, error, name)
        run.sink, run.skipped = sink, skipped
    got.overflow = len(got.findings) >= MAX_FINDINGS
    return got


def child(
    conn: Connection,
    cls: Any,
    state: dict[str, Any],
    artifact: str,
    threshold: tuple[int, int, int] | None = None,
) -> None:
    """A scanning process: rebuild the planned run, then scan each batch of (index, file)
    the parent sends until it sends None; answer each batch with its results, in order.
    Its collector is set as the parent's is while it scans (`threshold`: fewer passes), and
    what the forkserver holds (modules, compiled rules) is frozen out of its view: a pass
    no longer walks those objects, nor writes to (and so copies) their shared pages."""
    if os.getpid() == _IMPORTED_BY:
        log.warning(
            "analysis: the forkserver did not preload the engine; each scanning process "
            "imports it and compiles the rules again"
        )
    gc.freeze()
    if threshold is not None:
        gc.set_threshold(*threshold)
    run = cls.__new__(cls)
    run.__dict__.update(state)
    run.scanner = content.new_scanner()
    run.sink, run.skipped, run._reach_memo = Sink(artifact=artifact), [], {}
    while True:
        try:
            batch = conn.recv()
        except EOFError:  # the parent is gone
            return
        if batch is None:
            return
        conn.send([(i, capture(run, rel)) for i, rel in batch])
