"""The analysis pipeline: purl or local file → fetch → unpack → rules → verdict → `Report`.

Used by the worker's `analyze` task and by the `scan` role; no Django, Redis or database.
Callers pass three optional hooks:

- `on_progress(stage, fraction)`: stage is "resolved", "fetched", "unpacked" or "scanning";
  fraction runs from 0 to 1 over the whole analysis (scanning is throttled to 1 % steps);
- `check()`: called between stages and between files; it raises to cancel the analysis;
- `cache(key)`: the findings stored for that `CacheKey` (the artifact's sha256 plus
  everything else the scan reads: ecosystem, the package identity given to the metadata
  rules, the rules version), or None. A PyPI file whose published sha256 is cached is not
  even downloaded; `Report.cached` is True when every artifact came from the cache. The
  caller decides which analyses a cache may answer from (the platform keeps registry and
  upload scans apart).

The whole analysis is bounded by `Limits.timeout_seconds`, and every scratch file lives in
one temporary directory (under ANALYSIS_SCRATCH_DIR, else TMPDIR) removed at the end.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from . import baseline, ecosystems, fetch
from .model import AnalysisError, Artifact, Ecosystem, Finding, PackageRef, Provenance, Report
from .purl import ECOSYSTEMS, purl_parse
from .rules import meta_wheel_diff
from .stages import (
    CacheFn,
    CacheKey,
    CheckFn,
    Limits,
    ProgressFn,
    Run,
    Scanned,
    build_report,
    scan_artifact,
    scratch_dir,
    unpack_artifact,
)
from .treeinfo import copy_tree, detect_ecosystem, package_from_tree
from .unpack import archive_kind

__all__ = [
    "CacheFn",
    "CacheKey",
    "CheckFn",
    "Limits",
    "ProgressFn",
    "analyze_file",
    "analyze_purl",
    "analyze_tree",
]


def analyze_purl(
    purl: str,
    *,
    limits: Limits,
    on_progress: ProgressFn | None = None,
    check: CheckFn | None = None,
    cache: CacheFn | None = None,
    baseline_request: str | None = "none",
) -> Report:
    """Analyse a registry package version (the latest when the purl names none).

    `baseline_request`: "none", "previous" (the release before, when there is one), a
    version of the same package, or a local archive's path; a copy of a popular
    distribution is compared with the original whenever a baseline is asked for."""
    run = Run(limits, on_progress, check)
    ref = purl_parse(purl)
    request = baseline.Request.parse(baseline_request, default="none")
    run.check()
    try:
        if request.kind == "none":
            resolved = ecosystems.resolve(ref, deadline=run.deadline)
            project = release = None
        else:
            project = ecosystems.adapter(ref.ecosystem).project(
                ref.name, deadline=run.deadline, full=True
            )
            resolved = ecosystems.resolved(project, ref.version, purl=ref.purl)
            release = project.release(resolved.package.version or "")
    except fetch.DeadlineExceeded:
        run.check()  # raises the timeout sentence
        raise
    run.progress("resolved", 0.05)
    with scratch_dir(limits) as scratch:
        stage = _stage(request, project, release, resolved.package, run, scratch)
        try:
            return _registry_artifacts(resolved, scratch, run=run, cache=cache, stage=stage)
        finally:
            if stage is not None:
                stage.close()  # stops a baseline prefetch still running


def _registry_artifacts(
    resolved: fetch.Resolved,
    scratch: Path,
    *,
    run: Run,
    cache: CacheFn | None,
    stage: baseline.Stage | None,
) -> Report:
    """Fetch, unpack and scan each file of the release (compared when `stage` is set)."""
    if stage is not None:
        stage.prefetch()
    scanned: list[Scanned] = []
    count = len(resolved.files)
    for i, remote in enumerate(resolved.files):
        low = 0.05 + 0.95 * i / count
        high = 0.05 + 0.95 * (i + 1) / count
        run.check()
        scanned.append(
            _artifact_from_registry(
                remote,
                scratch / str(i),
                package=resolved.package,
                run=run,
                cache=cache,
                span=(low, high),
                stage=stage,
            )
        )
    extra = {"source": "registry", "registry": resolved.registry}
    provenance = Provenance(
        "registry", registry=resolved.registry, verified=True, claimed=False
    )  # fetch.download refuses any file whose hash differs from the registry's
    return build_report(resolved.package, scanned, run, extra, stage, provenance=provenance)


def _stage(
    request: baseline.Request,
    project: ecosystems.Project | None,
    release: ecosystems.Release | None,
    package: PackageRef,
    run: Run,
    scratch: Path,
) -> baseline.Stage | None:
    """The baseline stage for a request (None when no comparison is asked for)."""
    if request.kind == "none":
        return None
    chosen = baseline.choose(request, project, release, package)
    return baseline.Stage(
        request=request,
        chosen=chosen,
        package=package,
        ecosystem=package.ecosystem,
        scratch=scratch,
        limits=run.limits,
        deadline=run.deadline,
        check=run.check,
        remaining=run.remaining,
        new_release=release,
    )


def _cached(cache: CacheFn, sha256: str, package: PackageRef) -> list[Finding] | None:
    """The cached findings of an artifact, without the new/unchanged marks of the analysis
    that stored them (they belong to its baseline, not to the artifact)."""
    hit = cache(CacheKey.of(sha256, package))
    return None if hit is None else [dataclasses.replace(f, baseline="") for f in hit]


def _artifact_from_registry(
    remote: fetch.RemoteFile,
    workdir: Path,
    *,
    package: PackageRef,
    run: Run,
    cache: CacheFn | None,
    span: tuple[float, float],
    stage: baseline.Stage | None = None,
) -> Scanned:
    low, high = span
    if cache is not None and remote.sha256 and stage is None:  # a diff needs the tree
        hit = _cached(cache, remote.sha256.lower(), package)
        if hit is not None:
            artifact = Artifact(remote.filename, remote.sha256.lower(), remote.size or 0)
            run.progress("fetched", high)
            return Scanned(artifact, hit, True, [])
    workdir.mkdir()
    try:
        artifact = fetch.download(
            remote,
            workdir,
            max_bytes=run.limits.max_artifact_bytes,
            deadline=run.deadline,
            check=run.check,
        )
    except fetch.DeadlineExceeded:
        run.check()  # raises the timeout sentence
        raise
    run.progress("fetched", low + (high - low) * 0.1)
    hit = None
    if cache is not None and (stage is not None or not remote.sha256):
        hit = _cached(cache, artifact.sha256, package)  # npm: the sha256 is known only now
        if hit is not None and stage is None:
            return Scanned(dataclasses.replace(artifact, path=None), hit, True, [])
    run.check()
    run.skipped = []
    root = unpack_artifact(artifact, workdir / "tree", run)
    run.progress("unpacked", low + (high - low) * 0.2)
    if hit is not None:
        findings = hit
    else:
        findings = scan_artifact(
            artifact, root, package=package, run=run, span=(low + (high - low) * 0.2, high)
        )
    if stage is not None:
        findings = stage.on_tree(artifact, root, findings)
    digest = meta_wheel_diff.digest(root, artifact.filename)
    shutil.rmtree(workdir, ignore_errors=True)  # free the space before the next artifact
    return Scanned(
        dataclasses.replace(artifact, path=None), findings, hit is not None, run.skipped, digest
    )


def analyze_file(
    path: Path,
    *,
    ecosystem: Ecosystem | None = None,
    filename: str | None = None,
    limits: Limits,
    on_progress: ProgressFn | None = None,
    check: CheckFn | None = None,
    cache: CacheFn | None = None,
    baseline_request: str | None = "none",
) -> Report:
    """Analyse a local archive (an upload, or a file given to the scan role).

    `baseline_request` as for `analyze_purl`; "previous" and a version are looked up in
    the registry under the name the archive's metadata claims.

    The ecosystem is read from the archive's layout when not given; the package name and
    version from its metadata (PKG-INFO / METADATA / package.json), else from the file name.
    """
    run = Run(limits, on_progress, check)
    path = Path(path)
    filename = filename or path.name
    if ecosystem is not None and ecosystem not in ECOSYSTEMS:
        raise AnalysisError(f"Unsupported ecosystem {ecosystem!r}: only pypi and npm")
    if not path.is_file():
        raise AnalysisError(f"Not a file: {filename}")
    size = path.stat().st_size
    if size > limits.max_artifact_bytes:
        raise fetch.artifact_too_large(filename, size, limits.max_artifact_bytes)
    try:
        archive_kind(path)  # "Not an archive" before any hashing or child process
        artifact = Artifact(filename, fetch.file_digests(path)["sha256"], size, path)
    except OSError as exc:  # unreadable: permissions, I/O error
        raise AnalysisError(f"Cannot read {filename}: {exc.strerror or exc}") from None
    run.progress("fetched", 0.05)
    run.skipped = []
    with scratch_dir(limits) as scratch:
        root = unpack_artifact(artifact, scratch / "tree", run)
        run.progress("unpacked", 0.15)
        eco = ecosystem or detect_ecosystem(root, filename)
        package = package_from_tree(root, eco, filename)
        stage = _file_stage(baseline_request, package, run, scratch)
        try:
            if stage is not None:
                stage.prefetch()
            hit = _cached(cache, artifact.sha256, package) if cache is not None else None
            if hit is not None:
                artifact = dataclasses.replace(artifact, path=None)
                scanned = Scanned(artifact, hit, True, run.skipped)
            else:
                findings = scan_artifact(artifact, root, package=package, run=run, span=(0.15, 1.0))
                scanned = Scanned(artifact, findings, False, run.skipped)
            if stage is not None:
                scanned.findings = stage.on_tree(artifact, root, scanned.findings)
            provenance = Provenance("file", filename=filename)
            return build_report(
                package, [scanned], run, {"source": "file"}, stage, provenance=provenance
            )
        finally:
            if stage is not None:
                stage.close()


def _file_stage(
    value: str | None, package: PackageRef, run: Run, scratch: Path
) -> baseline.Stage | None:
    request = baseline.Request.parse(value, default="none")
    if request.kind == "none":
        return None
    project = release = None
    if request.kind not in ("path", "copies"):
        try:
            project = ecosystems.adapter(package.ecosystem).project(
                package.name, deadline=run.deadline, full=True
            )
        except AnalysisError:
            project = None  # not published (or under another name): only copies compare
        if project is not None and request.kind == "previous" and package.version:
            # the published release the archive claims to be, else the highest one below it
            release = _release_at_or_below(project, package.version)
            if release is not None:
                request = baseline.Request(release.version, "version")
    stage = _stage(request, project, release, package, run, scratch)
    if stage is not None:
        stage.new_release = None  # the archive is not a registry release: no provenance
    return stage


def _release_at_or_below(project: ecosystems.Project, version: str) -> ecosystems.Release | None:
    key = ecosystems.adapter(project.ecosystem).version_key
    try:
        wanted = key(version)
    except ValueError:
        return None
    lower = [r for r in project.releases if r.files and key(r.version) <= wanted]
    return lower[-1] if lower else None


def analyze_tree(
    path: Path,
    *,
    ecosystem: Ecosystem | None = None,
    limits: Limits,
    on_progress: ProgressFn | None = None,
    check: CheckFn | None = None,
    cache: CacheFn | None = None,
) -> Report:
    """Analyse a directory holding an unpacked package (the scan role's `DIR` target).

    The regular files are copied into scratch under the same limits as an archive's
    members (symbolic links, devices and VCS folders are not followed, each listed as
    skipped), so the rules see what an archive of the folder would give them. The artifact's
    sha256 hashes every copied file's path and content: the same tree gives the same key.
    """
    run = Run(limits, on_progress, check)
    path = Path(path)
    if not path.is_dir():
        raise AnalysisError(f"Not a directory: {path}")
    name = path.resolve().name or "package"
    with scratch_dir(limits) as scratch:
        root = scratch / "tree"
        digest, size, skipped = copy_tree(path, root / name, run)
        artifact = Artifact(f"{name}/", digest, size)
        run.progress("unpacked", 0.15)
        eco = ecosystem or detect_ecosystem(root, name)
        package = package_from_tree(root, eco, name)
        hit = _cached(cache, artifact.sha256, package) if cache is not None else None
        if hit is not None:
            scanned = Scanned(artifact, hit, True, skipped)
        else:
            findings = scan_artifact(artifact, root, package=package, run=run, span=(0.15, 1.0))
            scanned = Scanned(artifact, findings, False, skipped)
    provenance = Provenance("file", filename=f"{name}/")
    return build_report(package, [scanned], run, {"source": "directory"}, provenance=provenance)
