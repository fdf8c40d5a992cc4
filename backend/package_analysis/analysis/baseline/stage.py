"""The baseline stage of the pipeline: fetch and unpack the baseline (ahead, in a thread),
compare each analysed artifact with its counterpart, fold the comparison into the report."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .. import diff, fetch
from ..ecosystems import Release
from ..model import AnalysisError, Artifact, Ecosystem, Finding, PackageRef, Verdict
from ..unpack import unpack
from .choose import Chosen, Request, pick_pair
from .copies import COPY_SIMILARITY, copy_of, lookalike_of, shadowed
from .merge import _dedupe, merge

log = logging.getLogger("packamal.analysis")


class Stage:
    """Compares each analysed artifact with its baseline counterpart, then the report."""

    def __init__(
        self,
        *,
        request: Request,
        chosen: Chosen | None,
        package: PackageRef,
        ecosystem: Ecosystem,
        scratch: Path,
        limits: Any,
        deadline: float,
        check: Callable[[], None],
        remaining: Callable[[], float],
        new_release: Release | None = None,
    ) -> None:
        self.request = request
        self.chosen = chosen
        self.package = package
        self.ecosystem = ecosystem
        self.scratch = scratch
        self.limits = limits
        self.deadline = deadline
        self.check = check
        self.remaining = remaining
        self.new_release = new_release
        self.sections: list[dict[str, Any]] = []
        self.comparisons: list[diff.Comparison] = []
        self.extra: list[Finding] = []
        self.error = ""  # why no comparison was made, when the baseline could not be read
        self._lookalike_checked = False
        self._pending: dict[str, Future[diff.Tree]] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._count = 0

    def on_tree(self, artifact: Artifact, root: Path, findings: list[Finding]) -> list[Finding]:
        """Called with each unpacked, scanned artifact before its tree is freed."""
        new = diff.tree_of(root, self.ecosystem)
        if self.request.copies and (self.chosen is None or self.chosen.kind != "copy"):
            self._find_original(artifact, new)
        if self.chosen is None:
            return findings
        try:
            old = self._baseline_tree(artifact)
        except (AnalysisError, TimeoutError, OSError) as exc:
            # the release itself was analysed; only the comparison is missing, and says why
            self.error = f"The baseline could not be read: {exc}"
            log.warning("analysis: %s", self.error)
            return findings
        if old is None:
            return findings
        comparison = diff.compare(new, old, check=self.check)
        self.comparisons.append(comparison)
        self.sections.append(diff.section(comparison, baseline=self.chosen.describe()))
        return diff.mark(findings, comparison) + diff.findings(comparison)

    def _find_original(self, artifact: Artifact, new: diff.Tree) -> None:
        """A copy's original becomes the baseline: a popular distribution whose import name
        this one ships, or (when nothing else is compared) the popular package this one's
        name imitates, if most of its files are that package's."""
        try:
            copy = copy_of(self.package, new.facts.import_names, deadline=self.deadline)
            if copy is not None:
                self.chosen = copy
                self.extra.append(self._shadowing(copy, new))
                return
            if self.chosen is not None or self._lookalike_checked:
                return
            self._lookalike_checked = True
            candidate = lookalike_of(self.package, deadline=self.deadline)
            remote = pick_pair(candidate, artifact) if candidate else None
            if candidate is None or remote is None:
                return
            tree = self._fetch(remote)
            share = diff.similarity(new, tree)
            if share < COPY_SIMILARITY:
                shutil.rmtree(tree.root.parent, ignore_errors=True)
                return
            done: Future[diff.Tree] = Future()
            done.set_result(tree)
            self._pending[remote.filename] = done
            self.chosen = candidate
            assert candidate.ref is not None
            self.extra.append(
                diff.diff_finding(
                    "DIFF-COPY-OF-POPULAR",
                    new.facts.manifest,
                    None,
                    f"{self.package.name} ≈ {candidate.ref.name} ({share:.0%} of files identical)",
                    f"{share:.0%} of its files are byte for byte those of {candidate.ref.purl}.",
                )
            )
        except AnalysisError as exc:  # the original is unreachable: no comparison, said why
            log.warning("analysis: no original compared for %s: %s", self.package.purl, exc)

    def _shadowing(self, copy: Chosen, new: diff.Tree) -> Finding:
        assert copy.ref is not None
        found = shadowed(self.package, new.facts.import_names)
        name = found[0] if found else ""
        return diff.diff_finding(
            "DIFF-SHADOWS-POPULAR",
            new.facts.manifest,
            None,
            f"{self.package.name} ships {name}/ (the import name of {copy.ref.name})",
            f"Compared with {copy.ref.purl}, the closest release of the original.",
        )

    def prefetch(self) -> None:
        """Start downloading and unpacking the registry baseline in a thread, so it is ready
        (network and the unpacking child, not this process's CPU) when the scan ends."""
        if self.chosen is None or self.chosen.kind == "path" or self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="baseline")
        for remote in self.chosen.files:
            self._pending[remote.filename] = self._executor.submit(self._fetch, remote)

    def _thread_check(self) -> None:
        if self._stop.is_set():
            raise AnalysisError("Baseline fetch stopped")
        self.check()

    def _fetch(self, remote: fetch.RemoteFile) -> diff.Tree:
        with self._lock:
            self._count += 1
            workdir = self.scratch / f"base-{self._count}"
        workdir.mkdir()
        self._thread_check()
        downloaded = fetch.download(
            remote,
            workdir,
            max_bytes=self.limits.max_artifact_bytes,
            deadline=self.deadline,
            check=self._thread_check,
        )
        assert downloaded.path is not None
        self._thread_check()
        return self._unpack(downloaded.path, workdir)

    def _baseline_tree(self, artifact: Artifact) -> diff.Tree | None:
        assert self.chosen is not None
        if self.chosen.kind == "path":
            if "path" not in self._pending:
                assert self.chosen.path is not None
                done: Future[diff.Tree] = Future()
                done.set_result(self._unpack(self.chosen.path, self.scratch / "base-path"))
                self._pending["path"] = done
            return self._pending["path"].result()
        remote = pick_pair(self.chosen, artifact)
        if remote is None:
            return None
        if remote.filename not in self._pending:  # a copy's original, found from the tree
            done = Future()
            done.set_result(self._fetch(remote))
            self._pending[remote.filename] = done
        return self._pending[remote.filename].result(timeout=self.remaining())

    def _unpack(self, archive: Path, workdir: Path) -> diff.Tree:
        workdir.mkdir(exist_ok=True)
        unpacked = unpack(
            archive,
            workdir / "tree",
            max_bytes=self.limits.max_unpacked_bytes,
            max_files=self.limits.max_files,
            timeout=self.remaining(),
        )
        return diff.tree_of(unpacked.root, self.ecosystem)

    def close(self) -> None:
        """Stop the prefetch (it checks every half second) and free the baseline's files."""
        self._stop.set()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        for child in self.scratch.glob("base-*"):
            shutil.rmtree(child, ignore_errors=True)
        self._pending.clear()

    def finish(self, findings: list[Finding]) -> tuple[list[Finding], dict[str, Any] | None]:
        """The report's findings (with the diff's own evidence) and its `diff` object."""
        self.close()
        if self.chosen is None or not self.sections:
            return findings + self.extra, None
        provenance = None
        if (
            self.chosen.project is not None
            and self.new_release is not None
            and self.chosen.kind in ("previous", "version")
        ):
            provenance = diff.provenance_check(
                self.chosen.project,
                self.new_release,
                self.chosen.release,
                deadline=self.deadline,
            )
        extra = list(self.extra)
        for item in (provenance or {}).get("findings", []):
            extra.append(diff.diff_finding(item["rule"], "", None, item["snippet"], item["detail"]))
        out = _dedupe(findings + extra)
        section = merge(self.sections)
        section["provenance"] = {k: v for k, v in (provenance or {}).items() if k != "findings"}
        return out, section


def apply_score(
    report_findings: list[Finding], stage: Stage | None
) -> tuple[Verdict, float, list[str]]:
    """(verdict, score, rules weighed more) with new install/import-time findings weighed
    more, over every artifact's comparison."""
    return diff.score(report_findings, _union(stage) if stage else None)


def _union(stage: Stage) -> diff.Comparison | None:
    """One comparison covering every artifact's changes (for weighing findings)."""
    if not stage.comparisons:
        return None
    first = stage.comparisons[0]
    changes: dict[str, diff.FileChange] = {}
    files: list[str] = []
    for c in stage.comparisons:
        changes.update(c.changes)
        files += c.new.files
    tree = dataclasses.replace(first.new, files=files, keys={})
    return diff.Comparison(tree, first.old, changes, sum(c.unchanged for c in stage.comparisons))
