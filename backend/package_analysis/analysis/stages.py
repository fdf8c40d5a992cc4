"""The analysis pipeline's parts shared by its entry points (`pipeline.py`): the cache key,
the ANALYSIS_* limits, one analysis in progress (deadline, progress, cancellation), the
scratch folder, and the unpack → scan → report stages of one artifact."""

from __future__ import annotations

import dataclasses
import gc
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import baseline, engine, present, scoring
from .model import AnalysisError, Artifact, Ecosystem, Finding, PackageRef, Provenance, Report
from .rules import meta_wheel_diff
from .unpack import unpack

ProgressFn = Callable[[str, float], None]
CheckFn = Callable[[], None]


@dataclass(frozen=True)
class CacheKey:
    """Everything a scan of one artifact depends on: same key, same findings."""

    sha256: str
    ecosystem: Ecosystem
    package: str  # the purl the rules were given (metadata rules read the name)
    rules_version: str

    @classmethod
    def of(cls, sha256: str, package: PackageRef) -> CacheKey:
        return cls(sha256.lower(), package.ecosystem, package.purl, engine.RULES_VERSION)


CacheFn = Callable[[CacheKey], "list[Finding] | None"]

MiB = 1024 * 1024
METADATA_MAX_BYTES = 1 * MiB


def _env_int(env: dict[str, str] | os._Environ[str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {value}")
    return value


@dataclass(frozen=True)
class Limits:
    """The ANALYSIS_* limits (docs/design.md "Package analysis"), read once from the environment."""

    max_artifact_bytes: int = 100 * MiB
    max_unpacked_bytes: int = 512 * MiB
    max_files: int = 20000
    timeout_seconds: int = 300
    scratch_dir: str | None = None  # ANALYSIS_SCRATCH_DIR; None → the system temp dir

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Limits:
        source = os.environ if env is None else env
        return cls(
            max_artifact_bytes=_env_int(source, "ANALYSIS_MAX_ARTIFACT_BYTES", 100 * MiB),
            max_unpacked_bytes=_env_int(source, "ANALYSIS_MAX_UNPACKED_BYTES", 512 * MiB),
            max_files=_env_int(source, "ANALYSIS_MAX_FILES", 20000),
            timeout_seconds=_env_int(source, "ANALYSIS_TIMEOUT_SECONDS", 300),
            scratch_dir=source.get("ANALYSIS_SCRATCH_DIR") or None,
        )


class Run:
    """One analysis in progress: its deadline, progress reporting and cancellation."""

    def __init__(self, limits: Limits, on_progress: ProgressFn | None, check: CheckFn | None):
        self.limits = limits
        self.started = time.monotonic()
        self.deadline = self.started + limits.timeout_seconds
        self._on_progress = on_progress
        self._check = check
        self._last = -1.0
        self.skipped: list[dict[str, str]] = []  # archive members not unpacked, per artifact

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise AnalysisError(
                f"Analysis stopped: took longer than {self.limits.timeout_seconds} s"
                " (ANALYSIS_TIMEOUT_SECONDS)"
            )
        if self._check is not None:
            self._check()

    def remaining(self) -> float:
        self.check()
        return max(self.deadline - time.monotonic(), 0.1)

    def progress(self, stage: str, fraction: float, *, always: bool = True) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if self._on_progress is None or (not always and fraction - self._last < 0.01):
            return
        self._last = fraction
        self._on_progress(stage, round(fraction, 4))


@contextmanager
def scratch_dir(limits: Limits) -> Iterator[Path]:
    base = limits.scratch_dir
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix="packamal-analysis-", dir=base, ignore_cleanup_errors=True
    ) as tmp:
        yield Path(tmp)


@dataclass
class Scanned:
    artifact: Artifact
    findings: list[Finding]
    cached: bool
    skipped: list[dict[str, str]]
    digest: meta_wheel_diff.Digest | None = None  # Python modules, when scanned now


def scan_artifact(
    artifact: Artifact,
    root: Path,
    *,
    package: PackageRef,
    run: Run,
    span: tuple[float, float],
) -> list[Finding]:
    """Run the rules over an unpacked tree; every finding names the artifact."""
    low, high = span

    def on_file(done: int, total: int) -> None:
        run.progress("scanning", low + (high - low) * done / max(total, 1), always=done >= total)

    skipped: list[dict[str, str]] = []
    with relaxed_gc():
        findings = engine.scan_tree(
            root,
            ecosystem=package.ecosystem,
            package=package,
            artifact_sha256=artifact.sha256,
            check=run.check,
            on_file=on_file,
            skipped=skipped,
        )
    run.skipped.extend({"artifact": artifact.filename, **s} for s in skipped)
    return [f if f.artifact else dataclasses.replace(f, artifact=artifact.sha256) for f in findings]


# A scan allocates millions of short-lived objects (syntax trees, values) and leaves no
# cycles behind: at the default thresholds the collector's passes were ~8% of the time
# and freed nothing (docs/performance.md). While any scan runs, the objects already alive
# (compiled rules, modules) are frozen out of the collector's view and collections are rarer.
SCAN_GC_THRESHOLD = (50_000, 20, 20)
_gc_lock = threading.Lock()
_gc_state: dict[str, Any] = {"scans": 0, "saved": None}


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Fewer garbage collections while scanning (nested and concurrent scans share one
    setting: the first to start sets it, the last to finish restores the process's own)."""
    with _gc_lock:
        if _gc_state["scans"] == 0:
            _gc_state["saved"] = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*SCAN_GC_THRESHOLD)
        _gc_state["scans"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["scans"] -= 1
            if _gc_state["scans"] == 0:
                gc.set_threshold(*_gc_state["saved"])
                gc.unfreeze()


def unpack_artifact(artifact: Artifact, dest: Path, run: Run) -> Path:
    assert artifact.path is not None
    unpacked = unpack(
        artifact.path,
        dest,
        max_bytes=run.limits.max_unpacked_bytes,
        max_files=run.limits.max_files,
        timeout=run.remaining(),
    )
    run.skipped.extend(
        {"artifact": artifact.filename, "file": s.get("member", ""), "reason": s.get("reason", "")}
        for s in unpacked.skipped
    )
    return unpacked.root


def wheel_vs_sdist(scanned: list[Scanned]) -> list[Finding]:
    """Wheels compared with the release's sdist (both scanned in this run; a cached artifact
    has no digest, so the comparison needs a fresh scan of both)."""
    sdist = next((s.digest for s in scanned if s.digest and s.digest.kind == "sdist"), None)
    if sdist is None:
        return []
    out: list[Finding] = []
    for s in scanned:
        if s.digest is not None and s.digest.kind == "wheel":
            out += meta_wheel_diff.compare(sdist, s.digest, s.artifact.sha256, s.findings)
    return out


def build_report(
    package: PackageRef,
    scanned: list[Scanned],
    run: Run,
    extra: dict[str, Any],
    stage: baseline.Stage | None = None,
    *,
    provenance: Provenance | None = None,
) -> Report:
    findings = [f for s in scanned for f in s.findings] + wheel_vs_sdist(scanned)
    verdict, score = scoring.verdict(findings)
    diff_section = None
    if stage is not None:
        findings, diff_section = stage.finish(findings)
        if diff_section is not None:
            plain = score
            verdict, score, raised = baseline.apply_score(findings, stage)
            new_verdict, new_score, _ = baseline.apply_score(
                [f for f in findings if f.baseline == "new"], stage
            )
            diff_section = {
                **diff_section,
                "plain_score": plain,
                "raised_rules": raised,
                "new_verdict": new_verdict,  # what --fail-on judges when a baseline is given
                "new_score": new_score,
            }
        else:
            verdict, score = scoring.verdict(findings)
    return Report(
        verdict=verdict,
        score=score,
        package=package,
        artifacts=[dataclasses.replace(s.artifact, path=None) for s in scanned],
        findings=present.arrange(findings),
        rules_version=engine.RULES_VERSION,
        cached=bool(scanned) and all(s.cached for s in scanned),
        seconds=time.monotonic() - run.started,
        provenance=provenance or Provenance("file"),
        extra=extra,
        skipped=[k for s in scanned for k in s.skipped],
        diff=diff_section,
    )
