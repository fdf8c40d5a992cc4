"""The baseline stage of the pipeline: which release the analysed one is compared with,
fetching and unpacking it, and folding the comparison (`diff`) into the report.

Baselines: "previous" (the release before, by version order, yanked/deprecated skipped),
a version of the same package, a local archive (the scan role's `--baseline PATH`), or,
for a copy — a distribution that ships the top-level import name of a popular distribution
under another name — the original's closest release, whatever was asked. The baseline is
never scanned: its tree is only read to tell added code from code that was already there.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import diff, ecosystems, fetch
from .ecosystems import Project, Release
from .model import AnalysisError, Artifact, Ecosystem, Finding, PackageRef, Verdict
from .unpack import unpack

log = logging.getLogger("packamal.analysis")

BaselineKind = Literal["previous", "version", "path", "copy"]

# Import names shipped by a popular distribution whose name says otherwise (the rest are
# the distribution's name with `-` as `_`). Where several popular distributions ship one
# name, the original is named here.
_IMPORT_NAMES = {
    "bs4": "beautifulsoup4",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "dateutil": "python-dateutil",
    "attr": "attrs",
    "jwt": "pyjwt",
    "Crypto": "pycryptodome",
    "cv2": "opencv-python",
    "dotenv": "python-dotenv",
    "magic": "python-magic",
    "OpenSSL": "pyopenssl",
    "serial": "pyserial",
    "git": "gitpython",
    "docx": "python-docx",
    "jose": "python-jose",
    "multipart": "python-multipart",
    "socks": "pysocks",
    "zmq": "pyzmq",
    "fitz": "pymupdf",
    "websocket": "websocket-client",
    "slugify": "python-slugify",
    "msgpack": "msgpack",
    "google": "",  # namespace packages: many distributions share them
    "azure": "",
    "backports": "",
    "jaraco": "",
    "sphinxcontrib": "",
    "zope": "",
    "ruamel": "",
    "mpl_toolkits": "",
    "_pytest": "pytest",
}


@functools.cache
def popular_imports() -> dict[str, str]:
    """Import name → the popular PyPI distribution that ships it."""
    from .rules import metadata

    out = {name.replace("-", "_"): name for name in sorted(metadata.popular("pypi"))}
    out.update(_IMPORT_NAMES)
    return {k: v for k, v in out.items() if v}


def shadowed(package: PackageRef, import_names: set[str]) -> tuple[str, str] | None:
    """(import name, popular distribution) when `package` ships a popular distribution's
    import name under another name; popular distributions themselves shadow nothing."""
    if package.ecosystem != "pypi":
        return None
    from .rules import metadata

    own = ecosystems.adapter("pypi").normalize(package.name)
    if own in metadata.popular("pypi"):
        return None
    imports = popular_imports()
    for name in sorted(import_names):
        original = imports.get(name)
        if original and original != own:
            return name, original
    return None


@dataclass
class Request:
    """What the caller asked: "previous", "none", a version, or a local archive's path;
    "copies" compares only a copy of a popular distribution with its original."""

    value: str  # "previous" | "none" | "copies" | a version | a path (kind "path")
    kind: Literal["previous", "version", "path", "none", "copies"]
    copies: bool = True  # look for a copy's original even when nothing else is asked

    @classmethod
    def parse(cls, value: str | None, *, default: str = "previous") -> Request:
        text = (value or default).strip()
        if text in ("previous", "none", "copies"):
            return cls(text, text)  # type: ignore[arg-type]
        if "/" in text or text.endswith((".whl", ".tgz", ".tar.gz", ".zip")):
            return cls(text, "path")
        return cls(text, "version")


@dataclass
class Chosen:
    """The baseline picked for one analysis."""

    kind: BaselineKind
    ref: PackageRef | None  # None for a local archive
    files: list[fetch.RemoteFile] = field(default_factory=list)
    path: Path | None = None
    release: Release | None = None
    project: Project | None = None
    reason: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "purl": self.ref.purl if self.ref else "",
            "version": (self.ref.version or "") if self.ref else "",
            "file": self.path.name if self.path else "",
            "reason": self.reason,
        }


def choose(
    request: Request, project: Project | None, release: Release | None, package: PackageRef
) -> Chosen | None:
    """The registry baseline for a request (copies are found later, from the tree)."""
    if request.kind in ("none", "copies"):
        return None
    if request.kind == "path":
        path = Path(request.value)
        if not path.is_file():
            raise AnalysisError(f"No such baseline file: {request.value}")
        return Chosen("path", None, path=path, reason="the archive given as baseline")
    if project is None or release is None:
        return None
    if request.kind == "previous":
        before = ecosystems.previous(project, release.version)
        if before is None:
            return None  # the first release: nothing to compare with
        reason = "the release before it (version order; yanked and deprecated skipped)"
        return _registry(project, before, "previous", reason)
    wanted = project.release(request.value) if _is_version(project, request.value) else None
    if wanted is None:
        raise AnalysisError(f"No such baseline version: {package.name} {request.value}")
    return _registry(project, wanted, "version", "the version asked for")


def _is_version(project: Project, value: str) -> bool:
    try:
        ecosystems.adapter(project.ecosystem).version_key(value)
    except ValueError:
        return False
    return True


def _registry(project: Project, release: Release, kind: BaselineKind, reason: str) -> Chosen:
    files = ecosystems.adapter(project.ecosystem).pick(release)
    return Chosen(kind, project.ref(release), files, None, release, project, reason)


def copy_of(package: PackageRef, import_names: set[str], *, deadline: float) -> Chosen | None:
    """The original's closest release when `package` is a copy of a popular distribution."""
    found = shadowed(package, import_names)
    if found is None:
        return None
    name, original = found
    project = ecosystems.adapter("pypi").project(original, deadline=deadline)
    release = ecosystems.closest(project, package.version)
    reason = f"ships the import name {name!r} of the popular {original!r}"
    return _registry(project, release, "copy", reason)


def lookalike_of(package: PackageRef, *, deadline: float) -> Chosen | None:
    """The popular package whose name this one imitates (one edit away), as a candidate
    original: it is the baseline only if the trees show a copy (`COPY_SIMILARITY`)."""
    target = diff.typosquat(package.name, package.ecosystem)
    if not target:
        return None
    project = ecosystems.adapter(package.ecosystem).project(target, deadline=deadline)
    release = ecosystems.closest(project, package.version)
    reason = f"its name is one edit from the popular {target!r} and it ships that package's files"
    return _registry(project, release, "copy", reason)


COPY_SIMILARITY = 0.5  # share of the files identical to the original's


def _kind(filename: str) -> str:
    return "wheel" if filename.endswith(".whl") else "sdist"


def pick_pair(chosen: Chosen, artifact: Artifact) -> fetch.RemoteFile | None:
    """The baseline's file of the same kind (sdist ↔ sdist, wheel ↔ wheel), else any."""
    same = [f for f in chosen.files if _kind(f.filename) == _kind(artifact.filename)]
    candidates = same or chosen.files
    return candidates[0] if candidates else None


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


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.file, f.line, f.snippet)
        if f.rule.startswith("DIFF-") and key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def merge(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """One `diff` object for the artifacts of a release (sdist and wheel): files listed
    once (by the path they keep across versions), the first artifact's copy first."""
    first = sections[0]
    out: dict[str, Any] = {**first, "files": []}
    seen: set[str] = set()
    for s in sections:
        for entry in s["files"]:
            key = diff.file_key(entry["file"] or entry["old_file"], _top(entry))
            if key in seen:
                continue
            seen.add(key)
            out["files"].append(entry)
    for name in ("endpoints", "blobs", "dependencies", "install_hooks", "entry_points"):
        merged: list[Any] = []
        for s in sections:
            merged += [x for x in s[name] if x not in merged]
        out[name] = merged[: diff.ITEMS_MAX]
    out["binaries"] = sorted({b for s in sections for b in s["binaries"]})[: diff.ITEMS_MAX]
    out["import_names"] = sorted({n for s in sections for n in s["import_names"]})
    files = out["files"]
    out["summary"] = {
        "added": sum(f["status"] == "added" for f in files),
        "removed": sum(f["status"] == "removed" for f in files),
        "changed": sum(f["status"] == "changed" for f in files),
        "unchanged": max(s["summary"]["unchanged"] for s in sections),
        "load_time_hunks": sum(1 for f in files for h in f["hunks"] if h["runs_at"]),
    }
    out["artifacts"] = len(sections)
    return out


def _top(entry: dict[str, Any]) -> str:
    """An sdist's top folder ("name-1.0/"), which the comparison key leaves out."""
    path = entry["file"] or entry["old_file"]
    head = path.split("/", 1)[0]
    return head + "/" if "/" in path and "-" in head and not head.endswith("-info") else ""


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
