"""Scanning on this machine: the targets concurrently (`--jobs`), each through the
pipeline, with the local report cache."""

from __future__ import annotations

import argparse
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..console import Console, Outcome, Target
from ..model import AnalysisError


def baseline_request(value: str | None) -> str:
    """--baseline as the pipeline's request: an existing file is a path even without "/"."""
    if not value:
        return "none"
    if value not in ("previous", "none") and Path(value).is_file():
        return str(Path(value).absolute())
    return value


def _scan_local(
    args: argparse.Namespace, targets: list[Target], limits: object, console: Console
) -> list[Outcome]:
    from ..localcache import LocalCache, cache_dir

    cache = None if args.no_cache else LocalCache(cache_dir())
    outcomes: list[Outcome] = []
    if not targets:
        return outcomes
    done = 0
    lock = threading.Lock()
    console.progress(0, len(targets), "")

    def finished(future: Future[Outcome]) -> None:
        nonlocal done
        with lock:
            done += 1
            console.progress(done, len(targets), future.result().target.label)

    with ThreadPoolExecutor(max_workers=min(args.jobs, len(targets))) as pool:
        futures = []
        for t in targets:
            future = pool.submit(_scan_one, t, args, limits, cache)
            future.add_done_callback(finished)
            futures.append(future)
        outcomes = [f.result() for f in futures]
    console.done()
    return outcomes


def _scan_one(target: Target, args: argparse.Namespace, limits: object, cache: object) -> Outcome:
    from ..localcache import LocalCache
    from ..pipeline import CacheFn, Limits, analyze_file, analyze_purl, analyze_tree

    assert isinstance(limits, Limits)
    hook: CacheFn | None = None
    if isinstance(cache, LocalCache):
        hook = cache.get
    try:
        baseline = baseline_request(getattr(args, "baseline", None))
        if target.kind == "purl":
            report = analyze_purl(
                target.value, limits=limits, cache=hook, baseline_request=baseline
            )
        elif target.kind == "dir":
            report = analyze_tree(
                Path(target.value), ecosystem=args.ecosystem, limits=limits, cache=hook
            )
        else:
            report = analyze_file(
                Path(target.value),
                ecosystem=args.ecosystem,
                limits=limits,
                cache=hook,
                baseline_request=baseline,
            )
    except AnalysisError as exc:
        return Outcome(target, error=str(exc))
    except Exception as exc:  # a bug must cost this target, not the other packages' reports
        return Outcome(target, error=f"internal error: {type(exc).__name__}: {exc}")
    if isinstance(cache, LocalCache):
        cache.put(report)
    report.extra["target"] = target.value
    if target.origin:
        report.extra["lockfile"] = target.origin
    return Outcome(target, report=report)
