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
import email.parser
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from . import baseline, ecosystems, engine, fetch, present, scoring
from .model import AnalysisError, Artifact, Ecosystem, Finding, PackageRef, Provenance, Report
from .purl import ECOSYSTEMS, purl_build, purl_parse, pypi_normalize
from .rules import meta_wheel_diff
from .unpack import archive_kind, unpack

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


class _Run:
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
def _scratch(limits: Limits) -> Iterator[Path]:
    base = limits.scratch_dir
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix="packamal-analysis-", dir=base, ignore_cleanup_errors=True
    ) as tmp:
        yield Path(tmp)


@dataclass
class _Scanned:
    artifact: Artifact
    findings: list[Finding]
    cached: bool
    skipped: list[dict[str, str]]
    digest: meta_wheel_diff.Digest | None = None  # Python modules, when scanned now


def _scan(
    artifact: Artifact,
    root: Path,
    *,
    package: PackageRef,
    run: _Run,
    span: tuple[float, float],
) -> list[Finding]:
    """Run the rules over an unpacked tree; every finding names the artifact."""
    low, high = span

    def on_file(done: int, total: int) -> None:
        run.progress("scanning", low + (high - low) * done / max(total, 1), always=done >= total)

    skipped: list[dict[str, str]] = []
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


def _unpack(artifact: Artifact, dest: Path, run: _Run) -> Path:
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


def _wheel_vs_sdist(scanned: list[_Scanned]) -> list[Finding]:
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


def _report(
    package: PackageRef,
    scanned: list[_Scanned],
    run: _Run,
    extra: dict[str, Any],
    stage: baseline.Stage | None = None,
    *,
    provenance: Provenance | None = None,
) -> Report:
    findings = [f for s in scanned for f in s.findings] + _wheel_vs_sdist(scanned)
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
    run = _Run(limits, on_progress, check)
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
    with _scratch(limits) as scratch:
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
    run: _Run,
    cache: CacheFn | None,
    stage: baseline.Stage | None,
) -> Report:
    """Fetch, unpack and scan each file of the release (compared when `stage` is set)."""
    if stage is not None:
        stage.prefetch()
    scanned: list[_Scanned] = []
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
    return _report(resolved.package, scanned, run, extra, stage, provenance=provenance)


def _stage(
    request: baseline.Request,
    project: ecosystems.Project | None,
    release: ecosystems.Release | None,
    package: PackageRef,
    run: _Run,
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
    run: _Run,
    cache: CacheFn | None,
    span: tuple[float, float],
    stage: baseline.Stage | None = None,
) -> _Scanned:
    low, high = span
    if cache is not None and remote.sha256 and stage is None:  # a diff needs the tree
        hit = _cached(cache, remote.sha256.lower(), package)
        if hit is not None:
            artifact = Artifact(remote.filename, remote.sha256.lower(), remote.size or 0)
            run.progress("fetched", high)
            return _Scanned(artifact, hit, True, [])
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
            return _Scanned(dataclasses.replace(artifact, path=None), hit, True, [])
    run.check()
    run.skipped = []
    root = _unpack(artifact, workdir / "tree", run)
    run.progress("unpacked", low + (high - low) * 0.2)
    if hit is not None:
        findings = hit
    else:
        findings = _scan(
            artifact, root, package=package, run=run, span=(low + (high - low) * 0.2, high)
        )
    if stage is not None:
        findings = stage.on_tree(artifact, root, findings)
    digest = meta_wheel_diff.digest(root, artifact.filename)
    shutil.rmtree(workdir, ignore_errors=True)  # free the space before the next artifact
    return _Scanned(
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
    run = _Run(limits, on_progress, check)
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
    with _scratch(limits) as scratch:
        root = _unpack(artifact, scratch / "tree", run)
        run.progress("unpacked", 0.15)
        eco = ecosystem or _detect_ecosystem(root, filename)
        package = _package_from_tree(root, eco, filename)
        stage = _file_stage(baseline_request, package, run, scratch)
        try:
            if stage is not None:
                stage.prefetch()
            hit = _cached(cache, artifact.sha256, package) if cache is not None else None
            if hit is not None:
                artifact = dataclasses.replace(artifact, path=None)
                scanned = _Scanned(artifact, hit, True, run.skipped)
            else:
                findings = _scan(artifact, root, package=package, run=run, span=(0.15, 1.0))
                scanned = _Scanned(artifact, findings, False, run.skipped)
            if stage is not None:
                scanned.findings = stage.on_tree(artifact, root, scanned.findings)
            provenance = Provenance("file", filename=filename)
            return _report(
                package, [scanned], run, {"source": "file"}, stage, provenance=provenance
            )
        finally:
            if stage is not None:
                stage.close()


def _file_stage(
    value: str | None, package: PackageRef, run: _Run, scratch: Path
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
    run = _Run(limits, on_progress, check)
    path = Path(path)
    if not path.is_dir():
        raise AnalysisError(f"Not a directory: {path}")
    name = path.resolve().name or "package"
    with _scratch(limits) as scratch:
        root = scratch / "tree"
        digest, size, skipped = _copy_tree(path, root / name, run)
        artifact = Artifact(f"{name}/", digest, size)
        run.progress("unpacked", 0.15)
        eco = ecosystem or _detect_ecosystem(root, name)
        package = _package_from_tree(root, eco, name)
        hit = _cached(cache, artifact.sha256, package) if cache is not None else None
        if hit is not None:
            scanned = _Scanned(artifact, hit, True, skipped)
        else:
            findings = _scan(artifact, root, package=package, run=run, span=(0.15, 1.0))
            scanned = _Scanned(artifact, findings, False, skipped)
    provenance = Provenance("file", filename=f"{name}/")
    return _report(package, [scanned], run, {"source": "directory"}, provenance=provenance)


_VCS_DIRS = {".git", ".hg", ".svn"}


def _copy_tree(src: Path, dest: Path, run: _Run) -> tuple[str, int, list[dict[str, str]]]:
    """(sha256 of the tree, bytes copied, what was skipped) for `src` copied to `dest`."""
    limits = run.limits
    entries: list[tuple[str, str]] = []
    skipped: list[dict[str, str]] = []
    total = count = 0
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        run.check()
        here = Path(dirpath)
        rel_dir = here.relative_to(src)
        (dest / rel_dir).mkdir(parents=True, exist_ok=True)
        for d in sorted(dirnames):
            if d in _VCS_DIRS or (here / d).is_symlink():
                skipped.append({"name": (rel_dir / d).as_posix(), "reason": "not followed"})
                dirnames.remove(d)
        for f in sorted(filenames):
            rel = (rel_dir / f).as_posix()
            st = (here / f).lstat()
            if not stat.S_ISREG(st.st_mode):
                skipped.append({"name": rel, "reason": "not a regular file"})
                continue
            count += 1
            total += st.st_size
            if count > limits.max_files:
                raise AnalysisError(f"Folder exceeds ANALYSIS_MAX_FILES ({limits.max_files})")
            if total > limits.max_unpacked_bytes:
                raise AnalysisError(
                    f"Folder exceeds ANALYSIS_MAX_UNPACKED_BYTES ({limits.max_unpacked_bytes})"
                )
            try:
                shutil.copyfile(here / f, dest / rel, follow_symlinks=False)
                with (dest / rel).open("rb") as fh:
                    entries.append((rel, hashlib.file_digest(fh, "sha256").hexdigest()))
            except OSError as exc:
                raise AnalysisError(f"Cannot read {rel}: {exc.strerror or exc}") from None
    digest = hashlib.sha256()
    for rel, sha in sorted(entries):
        digest.update(f"{rel}\0{sha}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest(), total, skipped


# --- what an unpacked tree is -------------------------------------------------------------


def _top_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir())


def _detect_ecosystem(root: Path, filename: str) -> Ecosystem:
    """npm or PyPI from the layout: the top two levels first, then the whole tree."""
    tops = _top_dirs(root)
    npm = (root / "package.json").is_file() or any((d / "package.json").is_file() for d in tops)
    pypi = any(d.name.endswith((".dist-info", ".egg-info")) for d in tops) or any(
        (d / name).is_file()
        for d in [root, *tops]
        for name in ("PKG-INFO", "setup.py", "setup.cfg", "pyproject.toml")
    )
    if npm == pypi and not npm:  # e.g. a bdist zip rooted at "Program Files/..."
        npm, pypi = _markers_anywhere(root)
    if npm != pypi:
        return "npm" if npm else "pypi"
    raise AnalysisError(
        f"Cannot tell whether {filename} is a PyPI or an npm package; name the ecosystem"
        " (--ecosystem pypi|npm, or the upload's ecosystem field)"
    )


def _markers_anywhere(root: Path) -> tuple[bool, bool]:
    """(has package.json, has Python packaging files or modules) anywhere in the tree."""
    npm = pypi = False
    for _dirpath, dirnames, filenames in os.walk(root):
        npm |= "package.json" in filenames
        pypi |= any(d.endswith((".dist-info", ".egg-info")) for d in dirnames) or any(
            f == "PKG-INFO" or f.endswith(".py") for f in filenames
        )
    return npm, pypi


def _read_small(path: Path) -> bytes | None:
    try:
        with path.open("rb") as fh:
            return fh.read(METADATA_MAX_BYTES)
    except OSError:
        return None


def _name_version_from_tree(root: Path, ecosystem: Ecosystem) -> tuple[str, str] | None:
    tops = _top_dirs(root)
    if ecosystem == "npm":
        for candidate in [root / "package.json", *(d / "package.json" for d in tops)]:
            raw = _read_small(candidate) if candidate.is_file() else None
            try:
                doc = json.loads(raw) if raw else None
            except ValueError:
                doc = None
            if isinstance(doc, dict) and isinstance(doc.get("name"), str):
                version = doc.get("version")
                return doc["name"], version if isinstance(version, str) else ""
        return None
    for candidate in _python_metadata_files(root):
        raw = _read_small(candidate)
        if raw:
            text = raw.decode("utf-8", "replace")
            headers = email.parser.HeaderParser().parsestr(text, headersonly=True)
            if headers.get("Name"):
                return str(headers["Name"]), str(headers.get("Version") or "")
    return None


def _python_metadata_files(root: Path) -> list[Path]:
    """`*.dist-info/METADATA` and `PKG-INFO` files, the shallowest first."""
    found = []
    for dirpath, _dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here.name.endswith(".dist-info") and "METADATA" in filenames:
            found.append(here / "METADATA")
        if "PKG-INFO" in filenames:
            found.append(here / "PKG-INFO")
    return sorted(found, key=lambda p: (len(p.relative_to(root).parts), str(p)))


def _name_version_from_filename(filename: str, ecosystem: Ecosystem) -> tuple[str, str]:
    if filename.endswith(".whl"):
        try:
            parsed = parse_wheel_filename(filename)
            return str(parsed[0]), str(parsed[1])
        except InvalidWheelFilename:
            pass
    stem = re.sub(r"(\.tar\.gz|\.tgz|\.tar\.bz2|\.tar\.xz|\.tar|\.zip|\.whl)$", "", filename)
    name, sep, version = stem.rpartition("-")
    return (name, version) if sep and re.match(r"^\d", version) else (stem, "")


_PRINTABLE = re.compile(r"^[^\x00-\x20\x7f/]+$")


def _package_ref(ecosystem: Ecosystem, name: str, version: str) -> PackageRef | None:
    """A reference to what the archive *claims* to be: names a registry would refuse (say,
    with a look-alike Cyrillic letter) are kept as evidence, percent-encoded in the purl."""
    name, version = name.strip()[:214], version.strip()[:64]
    bare = name[1:].partition("/")[2] if ecosystem == "npm" and name.startswith("@") else name
    if not bare or not _PRINTABLE.match(bare) or (version and not _PRINTABLE.match(version)):
        return None
    if ecosystem == "pypi":
        name = pypi_normalize(name)
    try:
        purl = purl_build(ecosystem=ecosystem, name=name, version=version or None)
    except ValueError:
        return None
    return PackageRef(ecosystem=ecosystem, name=name, version=version or None, purl=purl)


def _package_from_tree(root: Path, ecosystem: Ecosystem, filename: str) -> PackageRef:
    """Name and version from the archive's metadata (falling back to the file name)."""
    candidates = [
        _name_version_from_tree(root, ecosystem),
        _name_version_from_filename(filename, ecosystem),
    ]
    for found in candidates:
        ref = _package_ref(ecosystem, *found) if found else None
        if ref is not None:
            return ref
    return PackageRef(
        ecosystem=ecosystem,
        name="unknown",
        version=None,
        purl=purl_build(ecosystem=ecosystem, name="unknown", version=None),
    )
