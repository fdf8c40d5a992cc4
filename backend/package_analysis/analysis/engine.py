"""Run every rule over an unpacked package tree: `scan_tree(root, ...)` → list[Finding].

The tree is only read as bytes: nothing in it is imported, built or executed. Each file is
classified by where its code runs (reachability), then handed to the content rules (YARA-X),
the Python pass, the JavaScript pass and the metadata rules. A file that breaks a parser is
skipped by that parser only; no file can stop the scan.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yara_x

from .model import Ecosystem, Finding, PackageRef, Reachability
from .rules import content, javascript, metadata, python_ast
from .rules.base import FileCtx, Sink

log = logging.getLogger("packamal.analysis")

MAX_FILE_BYTES = 4 * 1024 * 1024
BINARY_SNIFF = 8192

_HERE = Path(__file__).resolve().parent
_TEST_DIRS = {
    "test",
    "tests",
    "testing",
    "testdata",
    "test_data",
    "fixtures",
    "__tests__",
    "spec",
    "specs",
    "__mocks__",
}
_DOC_DIRS = {"doc", "docs", "example", "examples"}  # only at the top of the project
_GALLERY_DIRS = {"examples", "galleries", "gallery", "docs"}  # at any depth
# repository tooling at the top of an sdist: not installed, run by maintainers like tests
_DEV_DIRS = {
    ".github",
    ".gitlab",
    ".circleci",
    "scripts",
    "tools",
    "benchmarks",
    "bench",
    "ci",
    "lab",
}
_DOC_EXT = {".md", ".rst", ".txt", ".html", ".htm", ".ipynb"}
_META_NAMES = {
    "PKG-INFO",
    "METADATA",
    "RECORD",
    "WHEEL",
    "entry_points.txt",
    "requires.txt",
    "top_level.txt",
    "SOURCES.txt",
    "dependency_links.txt",
    "package.json",
    "setup.cfg",
    "pyproject.toml",
    "MANIFEST.in",
}
_TEXT_EXT = {
    ".py",
    ".pyw",
    ".pyi",
    ".pth",
    ".js",
    ".cjs",
    ".mjs",
    ".ts",
    ".json",
    ".sh",
    ".bash",
    ".bat",
    ".cmd",
    ".ps1",
    ".vbs",
    ".cfg",
    ".toml",
    ".ini",
    ".yml",
    ".yaml",
    ".txt",
    ".in",
    ".pyc",
}
_DATA_EXT = {".yaml", ".yml", ".json", ".txt", ".csv", ".toml", ".ini", ".cfg", ".xml"}
_SKIP_EXT = {".css", ".svg", ".map", ".png", ".csv", ".jpg", ".gif", ".woff", ".ttf"}
_NATIVE_EXT = {".so", ".pyd", ".dylib", ".node", ".a", ".o", ".lib"}


def _rules_version(base: Path = _HERE) -> str:
    digest = hashlib.sha256()
    sources = [base / "engine.py", base / "scoring.py"]
    rules_dir = base / "rules"
    sources += sorted(
        p for p in rules_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    for path in sources:
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


RULES_VERSION = _rules_version()


@dataclass
class _Layout:
    """What the package declares about itself, read before the per-file pass."""

    prefix: str = ""  # the folder that holds setup.py/PKG-INFO/package.json ("" at root)
    install_files: set[str] = field(default_factory=set)  # relative to prefix
    entry_files: set[str] = field(default_factory=set)
    version_hint: str | None = None


def scan_tree(
    root: Path,
    *,
    ecosystem: str,
    package: PackageRef,
    artifact_sha256: str,
    check: Callable[[], None] | None = None,
    on_file: Callable[[int, int], None] | None = None,
) -> list[Finding]:
    """Every finding for the unpacked tree at `root` (file paths relative to `root`).

    `check()` runs between files (it may raise to cancel); `on_file(i, n)` reports progress.
    """
    eco: Ecosystem = metadata.ecosystem_of(ecosystem)
    files = _list_files(root)
    sink = Sink(artifact=artifact_sha256)
    scanner = content.new_scanner()
    layout = _layout(root, files, eco, sink)
    metadata.check_package(package, sink, layout.version_hint)
    total = len(files)
    for i, rel in enumerate(files, 1):
        if check is not None:
            check()
        try:
            _scan_file(root / rel, rel, eco, layout, sink, scanner)
        except Exception:  # one hostile file never stops the scan
            log.warning("analysis: skipped %s after an error", rel, exc_info=True)
        if on_file is not None:
            on_file(i, total)
    return sink.findings


def _list_files(root: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if full.is_symlink() or not full.is_file():
                continue
            out.append(full.relative_to(root).as_posix())
    return out


def _read(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    with path.open("rb") as fh:
        return fh.read(limit)


def _layout(root: Path, files: list[str], eco: Ecosystem, sink: Sink) -> _Layout:
    markers = ("package.json",) if eco == "npm" else ("setup.py", "pyproject.toml", "PKG-INFO")
    candidates = [f for f in files if PurePosixPath(f).name in markers]
    layout = _Layout()
    if candidates:
        best = min(candidates, key=lambda f: (f.count("/"), f))
        parent = PurePosixPath(best).parent.as_posix()
        layout.prefix = "" if parent == "." else parent + "/"
    if eco == "npm":
        manifest = layout.prefix + "package.json"
        if manifest in files:
            raw = _read(root / manifest, 1024 * 1024)
            doc = metadata.package_json(raw)
            if doc is not None:
                ctx = FileCtx(manifest, "metadata", eco)
                layout.install_files = metadata.check_package_json(doc, raw, ctx, sink)
                main = doc.get("main") if isinstance(doc.get("main"), str) else "index.js"
                main_path = str(main).lstrip("./") or "index.js"
                if not re.search(r"\.(c|m)?js$", main_path):
                    main_path = main_path.rstrip("/") + (".js" if main_path else "index.js")
                layout.entry_files = {main_path, main_path.replace(".js", "/index.js")}
                version = doc.get("version")
                layout.version_hint = version if isinstance(version, str) else None
    else:
        pyproject = layout.prefix + "pyproject.toml"
        if pyproject in files:
            layout.install_files |= _in_tree_backend(_read(root / pyproject, 1024 * 1024))
        layout.install_files.add("setup.py")
    return layout


def _in_tree_backend(raw: bytes) -> set[str]:
    """Files of a build backend that ships inside the sdist (`backend-path`)."""
    try:
        doc = tomllib.loads(raw.decode("utf-8", "replace"))
    except (tomllib.TOMLDecodeError, RecursionError):
        return set()
    system = doc.get("build-system")
    if not isinstance(system, dict):
        return set()
    paths = system.get("backend-path")
    backend = system.get("build-backend")
    if not isinstance(paths, list) or not isinstance(backend, str):
        return set()
    module = backend.split(":")[0].replace(".", "/")
    out: set[str] = set()
    for p in paths:
        if isinstance(p, str):
            base = p.strip("./")
            prefix = f"{base}/" if base else ""
            out |= {f"{prefix}{module}.py", f"{prefix}{module}/__init__.py"}
    return out


def _reachability(inner: str, eco: Ecosystem, layout: _Layout) -> Reachability:
    path = PurePosixPath(inner)
    parts = [p.lower() for p in path.parts[:-1]]
    name = path.name
    if inner in layout.install_files:
        return "install"
    if name.endswith(".pth"):
        return "import"
    if (
        name in _META_NAMES
        or any(p.endswith((".egg-info", ".dist-info")) for p in parts)
        or (parts and parts[0] == "egg-info")
    ):
        return "metadata"
    lower = name.lower()
    if (
        (parts and parts[0] in _DEV_DIRS)
        or any(p in _TEST_DIRS for p in parts)
        or lower.startswith("test_")
        or lower.endswith(("_test.py", ".test.js", ".spec.js", ".test.ts", ".spec.ts"))
        or lower in {"conftest.py", "tests.py"}
    ):
        return "test"
    if (
        (parts and parts[0] in _DOC_DIRS)
        or any(p in _GALLERY_DIRS for p in parts)
        or path.suffix.lower() in _DOC_EXT
    ):
        return "docs"
    return "runtime"


def _scan_file(
    path: Path,
    rel: str,
    eco: Ecosystem,
    layout: _Layout,
    sink: Sink,
    scanner: yara_x.Scanner,
) -> None:
    inner = rel[len(layout.prefix) :] if rel.startswith(layout.prefix) else rel
    reach = _reachability(inner, eco, layout)
    ctx = FileCtx(rel, reach, eco)
    data = _read(path)
    suffix = PurePosixPath(rel).suffix.lower()
    kind = metadata.is_executable(data[:4])
    if kind:
        if suffix not in _NATIVE_EXT:
            sink.add(
                "META-BINARY", ctx, None, PurePosixPath(rel).name, detail=f"A {kind} executable."
            )
        return
    if b"\0" in data[:BINARY_SNIFF] and suffix != ".pyc":
        return
    textual = suffix in _TEXT_EXT or PurePosixPath(rel).name in _META_NAMES or not suffix
    if not textual and (reach in {"docs", "test"} or suffix in _SKIP_EXT):
        return
    name = PurePosixPath(rel).name
    # a long description is documentation, a data file is not run: their text weighs as docs
    data_file = suffix in _DATA_EXT and reach == "runtime"
    text_ctx = FileCtx(rel, "docs", eco) if name in {"PKG-INFO", "METADATA"} or data_file else ctx
    prose: set[int] | None = None
    load_calls: set[int] = set()  # lines of calls that run at import: content there is load-time
    if suffix in {".py", ".pyw"}:
        text = data.decode("utf-8", "replace")
        is_setup = reach == "install"
        prose = python_ast.analyze(
            text,
            ctx,
            sink,
            scanner,
            loadtime_all=is_setup,
            is_setup=name == "setup.py",
            load_calls=load_calls,
        )
    content.scan(scanner, data, text_ctx, sink, prose, load_calls)
    if suffix == ".pth":
        _scan_pth(data, ctx, sink, scanner)
    elif suffix in {".js", ".cjs", ".mjs"} and eco == "npm":
        javascript.analyze(
            data,
            ctx,
            sink,
            scanner,
            loadtime_all=reach == "install",
            entry=inner in layout.entry_files,
        )
    elif name in {"PKG-INFO", "METADATA"} and eco == "pypi" and inner.count("/") <= 1:
        metadata.check_pkg_info(data, FileCtx(rel, "metadata", eco), sink)
    elif name == "requires.txt":
        metadata.check_requires_txt(data, FileCtx(rel, "metadata", eco), sink)


def _scan_pth(data: bytes, ctx: FileCtx, sink: Sink, scanner: yara_x.Scanner) -> None:
    text = data.decode("utf-8", "replace")
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith(("import ", "import\t")):
            sink.add("PY-PTH-CODE", ctx, lineno, line)
            python_ast.analyze("\n" * (lineno - 1) + line, ctx, sink, scanner, loadtime_all=True)
