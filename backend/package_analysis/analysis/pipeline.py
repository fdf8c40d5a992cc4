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

from . import engine, fetch, present, scoring
from .model import AnalysisError, Artifact, Ecosystem, Finding, PackageRef, Provenance, Report
from .purl import ECOSYSTEMS, purl_build, purl_parse, pypi_normalize
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

    findings = engine.scan_tree(
        root,
        ecosystem=package.ecosystem,
        package=package,
        artifact_sha256=artifact.sha256,
        check=run.check,
        on_file=on_file,
    )
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
    run.skipped.extend({"artifact": artifact.filename, **s} for s in unpacked.skipped)
    return unpacked.root


def _report(
    package: PackageRef,
    scanned: list[_Scanned],
    run: _Run,
    provenance: Provenance,
    extra: dict[str, Any] | None = None,
) -> Report:
    findings = [f for s in scanned for f in s.findings]
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
        provenance=provenance,
        extra={**(extra or {}), "skipped": [k for s in scanned for k in s.skipped]},
    )


def analyze_purl(
    purl: str,
    *,
    limits: Limits,
    on_progress: ProgressFn | None = None,
    check: CheckFn | None = None,
    cache: CacheFn | None = None,
) -> Report:
    """Analyse a registry package version (the latest when the purl names none)."""
    run = _Run(limits, on_progress, check)
    ref = purl_parse(purl)
    run.check()
    try:
        resolved = fetch.resolve(ref, deadline=run.deadline)
    except fetch.DeadlineExceeded:
        run.check()  # raises the timeout sentence
        raise
    run.progress("resolved", 0.05)
    scanned: list[_Scanned] = []
    count = len(resolved.files)
    with _scratch(limits) as scratch:
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
                )
            )
    provenance = Provenance(
        "registry", registry=resolved.registry, verified=True, claimed=False
    )  # fetch.download refuses any file whose hash differs from the registry's
    return _report(resolved.package, scanned, run, provenance)


def _artifact_from_registry(
    remote: fetch.RemoteFile,
    workdir: Path,
    *,
    package: PackageRef,
    run: _Run,
    cache: CacheFn | None,
    span: tuple[float, float],
) -> _Scanned:
    low, high = span
    if cache is not None and remote.sha256:
        hit = cache(CacheKey.of(remote.sha256, package))
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
    if cache is not None and not remote.sha256:  # npm: the sha256 is known only now
        hit = cache(CacheKey.of(artifact.sha256, package))
        if hit is not None:
            return _Scanned(dataclasses.replace(artifact, path=None), hit, True, [])
    run.check()
    run.skipped = []
    root = _unpack(artifact, workdir / "tree", run)
    run.progress("unpacked", low + (high - low) * 0.2)
    findings = _scan(
        artifact, root, package=package, run=run, span=(low + (high - low) * 0.2, high)
    )
    shutil.rmtree(workdir, ignore_errors=True)  # free the space before the next artifact
    return _Scanned(artifact, findings, False, run.skipped)


def analyze_file(
    path: Path,
    *,
    ecosystem: Ecosystem | None = None,
    filename: str | None = None,
    limits: Limits,
    on_progress: ProgressFn | None = None,
    check: CheckFn | None = None,
    cache: CacheFn | None = None,
) -> Report:
    """Analyse a local archive (an upload, or a file given to the scan role).

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
        hit = cache(CacheKey.of(artifact.sha256, package)) if cache is not None else None
        if hit is not None:
            scanned = _Scanned(dataclasses.replace(artifact, path=None), hit, True, run.skipped)
        else:
            findings = _scan(artifact, root, package=package, run=run, span=(0.15, 1.0))
            scanned = _Scanned(artifact, findings, False, run.skipped)
    return _report(package, [scanned], run, Provenance("file", filename=filename))


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
        hit = cache(CacheKey.of(artifact.sha256, package)) if cache is not None else None
        if hit is not None:
            scanned = _Scanned(artifact, hit, True, skipped)
        else:
            findings = _scan(artifact, root, package=package, run=run, span=(0.15, 1.0))
            scanned = _Scanned(artifact, findings, False, skipped)
    return _report(package, [scanned], run, Provenance("file", filename=f"{name}/"))


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
