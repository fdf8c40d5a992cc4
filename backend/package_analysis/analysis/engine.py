"""Run every rule over an unpacked package tree: `scan_tree(root, ...)` → list[Finding].

The tree is only read as bytes: nothing in it is imported, built or executed. First the
package's layout (what installs it, what its entry points are); then each Python module
worth parsing is parsed once (a conservative prefilter parses only the modules with a
trigger and the install-time ones; docs/performance.md); then the load-time graph across
files (a module imported by an install-time file runs at install; a function another module
calls at load time runs at load time); then the rules, file by file: content (YARA-X),
Python, JavaScript, metadata.
A file that breaks a parser is skipped by that parser only; no file can stop the scan, and
every file not (fully) scanned is listed in `skipped` with its reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import posixpath
import re
from collections.abc import Callable, Container
from pathlib import Path
from typing import Any

import yara_x

from . import inputs, jspass, parallel, prefilter, pypass
from . import layout as lay
from .magic import executable_kind
from .model import Ecosystem, Finding, PackageRef
from .rules import catalog, content, metadata
from .rules.base import FileCtx, Sink
from .rules.subjects import BinaryCheck, ManifestCheck, MetaCheck, PackageCheck, PthCheck, TreeCheck
from .treewalk import list_files

log = logging.getLogger("packamal.analysis")

_HERE = Path(__file__).resolve().parent
_TEXT_EXT = {
    ".py", ".pyw", ".pyi", ".pth", ".js", ".cjs", ".mjs", ".ts", ".json", ".sh", ".bash",
    ".bat", ".cmd", ".ps1", ".vbs", ".cfg", ".toml", ".ini", ".yml", ".yaml", ".txt", ".in",
    ".pyc", ".gyp",
}  # fmt: skip
_DATA_EXT = {".yaml", ".yml", ".json", ".txt", ".csv", ".toml", ".ini", ".cfg", ".xml", ".dat"}
_SKIP_EXT = {".css", ".svg", ".map", ".png", ".csv", ".jpg", ".gif", ".woff", ".ttf"}
_NATIVE_EXT = {".so", ".pyd", ".dylib", ".node", ".a", ".o", ".lib"}
_WEB_ASSETS = {".js", ".mjs", ".cjs", ".html", ".htm", ".css"}
_SOURCE_EXT = {".py", ".pyw", ".pth", ".js", ".cjs", ".mjs"}
_REQUIRE = re.compile(
    rb"""(?:require\s*\(\s*|import\s*\(\s*|\bfrom\s+|\bimport\s+)['"`](\.{1,2}/[^'"`\n]+)['"`]"""
)
_RULE_SOURCES = (
    "engine.py", "scoring.py", "pypass.py", "jspass.py", "layout.py", "inputs.py", "prefilter.py",
    "install_files.py", "magic.py",
)  # fmt: skip


def _rules_version(base: Path = _HERE) -> str:
    digest = hashlib.sha256()
    sources = [base / name for name in _RULE_SOURCES if (base / name).exists()]
    for folder in ("rules", "facts"):
        sources += sorted(
            p for p in (base / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    for path in sources:
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


RULES_VERSION = _rules_version()


def scan_tree(
    root: Path,
    *,
    ecosystem: str,
    package: PackageRef,
    artifact_sha256: str,
    check: Callable[[], None] | None = None,
    on_file: Callable[[int, int], None] | None = None,
    skipped: list[dict[str, str]] | None = None,
) -> list[Finding]:
    """Every finding for the unpacked tree at `root` (file paths relative to `root`).

    `check()` runs between files (it may raise to cancel); `on_file(i, n)` reports progress;
    files not (fully) scanned are appended to `skipped` as {"file", "reason"}."""
    run = _Run(root, metadata.ecosystem_of(ecosystem), Sink(artifact=artifact_sha256), skipped)
    run.plan(package)
    parallel.scan_files(run, check, on_file)  # file by file, in processes when it pays
    run.report_failures("(package)")  # package-level rules that raised
    return run.sink.findings


class _Run:
    def __init__(
        self, root: Path, eco: Ecosystem, sink: Sink, skipped: list[dict[str, str]] | None
    ) -> None:
        self.root, self.eco, self.sink = root, eco, sink
        self.skipped = skipped if skipped is not None else []
        self.files = list_files(root)
        self.present = set(self.files)
        self.scanner: yara_x.Scanner = content.new_scanner()
        self.layout = lay.Layout()
        self.parse: set[str] = set()  # Python modules worth parsing (prefilter)
        self.flow: set[str] = set()  # modules whose load time may reach a parsed one
        self.entered: dict[str, set[str]] = {}  # module → its functions others run at load time
        self._reach_memo: dict[tuple[str, int, int, int], Any] = {}
        self.js_reach: dict[str, str] = {}  # npm files reached from hooks/entries: install|import
        self.promoted: set[str] = set()  # tooling-looking modules that installed code imports
        self.declared: set[str] = set()  # setup.py, an in-tree backend: every function may run

    def skip(self, rel: str, reason: str) -> None:
        if len(self.skipped) < 1000:
            self.skipped.append({"file": rel, "reason": reason})

    def read(self, rel: str) -> inputs.Input:
        return inputs.read(self.root / rel)

    def inner(self, rel: str) -> str:
        prefix = self.layout.prefix
        return rel[len(prefix) :] if rel.startswith(prefix) else rel

    # ---- before the per-file pass ----
    def plan(self, package: PackageRef) -> None:
        layout, present = self.layout, self.present

        def small(name: str, prefix: bool = True) -> bytes | None:
            rel = layout.prefix + name if prefix else name
            return inputs.read(self.root / rel).data if rel in present else None

        lay.plan_tree(layout, self.files, self.eco, lambda rel: small(rel, prefix=False))

        if self.eco == "npm":
            raw = small("package.json")
            doc = metadata.package_json(raw) if raw is not None else None
            if doc is not None and raw is not None:
                lay.npm_layout(
                    layout,
                    doc,
                    raw.decode("utf-8", "replace").removeprefix("\ufeff"),
                    small("binding.gyp"),
                    small(".npmrc"),
                )
            self._npm_graph(present)
        else:
            ends = (".egg-info/entry_points.txt", ".dist-info/entry_points.txt")
            ep = next((f for f in self.files if f.endswith(ends)), None)
            entry_points = inputs.read(self.root / ep).data if ep else None
            lay.python_layout(
                layout, small("pyproject.toml"), entry_points, small("setup.py"), small("setup.cfg")
            )
            self._python_graph()
        ctx = FileCtx("", "metadata", self.eco)
        for hook in catalog.checks("check_package"):
            hook(PackageCheck(ctx, self.sink, package, layout.version_hint))
        tree = TreeCheck(ctx, self.sink, self.root, self.files, layout.prefix, package)
        for hook in catalog.checks("check_tree"):
            hook(tree)
        if layout.manifest is not None:
            mctx = FileCtx(layout.prefix + "package.json", "metadata", self.eco)
            subject = ManifestCheck(
                mctx, self.sink, layout.manifest, layout.manifest_text, layout.hooks
            )
            for hook in catalog.checks("check_manifest"):
                hook(subject)

    def _python_graph(self) -> None:
        """Parse what may matter, then let load time flow across modules. A module's text is
        read to choose and to summarise, never kept: the scan reads it again in its turn."""
        py_files = [f for f in self.files if lay.split_name(f)[2] in {".py", ".pyw"}]

        def source(rel: str) -> tuple[str, str]:
            return inputs.python_source(inputs.read(self.root / rel).data)

        prefix, install_files = self.layout.prefix, self.layout.install_files
        self.declared = {prefix + f for f in install_files}
        for rel in sorted(self.declared & set(py_files)):  # scripts setup.py names run too
            install_files |= lay.named_scripts(source(rel)[0], self.files, prefix)
        install = {prefix + f for f in install_files}
        chosen, flow = prefilter.choose(
            py_files, source, install, set(self.layout.install_functions)
        )
        self.parse = set(chosen)
        # parsed modules, and the ones whose load time may reach them: summarised only
        self.flow = set(flow)
        summaries = {rel: prefilter.summary(rel, source(rel)[0]) for rel in flow}
        modules = prefilter.module_index(flow, self.layout.prefix)
        for file, names in self.layout.install_functions.items():
            if self.layout.prefix + file in self.parse:
                self.entered.setdefault(self.layout.prefix + file, set()).update(names)
                self.layout.install_files.add(file)
        for _ in range(6):  # load time flows along top-level imports, a few modules deep
            changed = False
            for rel, summ in summaries.items():
                reach = self._reach(rel)
                for target, names in prefilter.load_time_imports(rel, summ, modules):
                    if reach in {"test", "docs"} and self._reach(target) not in {"test", "docs"}:
                        names = set()  # an example calling it does not run it on import
                    known = self.entered.setdefault(target, set())
                    if not names <= known:
                        known |= names
                        changed = True
                    inner = self.inner(target)
                    if reach == "install" and inner not in self.layout.install_files:
                        self.layout.install_files.add(inner)  # setup.py imports it: install
                        changed = True
                    runs = reach in {"runtime", "import", "install"}
                    if (
                        runs
                        and target not in self.promoted
                        and self._reach(target) in {"test", "docs"}
                    ):
                        self.promoted.add(target)  # installed code imports it: not tooling
                        changed = True
            if not changed:
                break

    def _npm_graph(self, present: set[str]) -> None:
        prefix = self.layout.prefix
        frontier = [(prefix + f, "install") for f in self.layout.install_files] + [
            (prefix + f, "import") for f in self.layout.entry_files
        ]
        frontier = [(f, r) for f, r in frontier if f in present]
        while frontier and len(self.js_reach) < 5000:
            rel, reach = frontier.pop()
            if self.js_reach.get(rel) in {reach, "install"}:
                continue
            self.js_reach[rel] = reach
            if lay.split_name(rel)[2] not in {".js", ".cjs", ".mjs"}:
                continue
            facts = _js_requires(self.root / rel)
            for spec in facts:
                target = lay.resolve_require(rel, spec, present)
                if target is not None:
                    frontier.append((target, reach))
        for rel, reach in self.js_reach.items():
            if reach == "install":
                self.layout.install_files.add(self.inner(rel))
            else:
                self.layout.entry_files.add(self.inner(rel))

    def _reach(self, rel: str) -> Any:
        # asked thousands of times while load time flows; the sets it reads only grow, so
        # their sizes key the memo
        held = self.layout
        key = (rel, len(held.install_files), len(held.entry_files), len(self.promoted))
        if key not in self._reach_memo:
            reach = lay.reachability(self.inner(rel), held)
            promoted = reach in {"test", "docs"} and rel in self.promoted
            self._reach_memo[key] = "runtime" if promoted else reach
        return self._reach_memo[key]

    def report_failures(self, rel: str) -> None:
        for path, module, error in self.sink.failures:
            self.skip(path or rel, f"partly scanned: {module} failed ({error})")
        self.sink.failures.clear()

    # ---- one file ----
    def scan_file(self, rel: str) -> None:
        try:
            self._scan_file(rel)
        finally:  # a rule that raised lost its findings on this file: say so
            self.report_failures(rel)

    def _scan_file(self, rel: str) -> None:
        inner = self.inner(rel)
        reach = self._reach(rel)
        ctx = FileCtx(rel, reach, self.eco)
        got = self.read(rel)
        if got.partial:
            self.skip(rel, f"partly scanned ({got.partial})")
        name, suffix = rel.rpartition("/")[2], lay.split_name(rel)[2].lower()
        # a Python module's lines as CPython counts them, for every rule (a lone CR ends one)
        data = inputs.universal_newlines(got.data) if suffix in {".py", ".pyw"} else got.data
        kind = executable_kind(data[:4])
        if kind:
            for hook in catalog.checks("check_binary"):
                hook(BinaryCheck(ctx, self.sink, kind, name, suffix in _NATIVE_EXT))
            return
        textual = suffix in _TEXT_EXT or name in lay.META_NAMES or not suffix
        if b"\0" in data[:8192] and not textual:
            return  # images, fonts, archives: no rule reads them
        if not textual and (reach in {"docs", "test"} or suffix in _SKIP_EXT):
            return
        # a long description is documentation, a data file is not run: their text weighs as docs
        data_file = suffix in _DATA_EXT and reach == "runtime"
        listing = name in lay.LISTINGS  # hashes and versions of other files, not code
        # a Python package's web assets are served to browsers, never run by an installer
        asset = self.eco == "pypi" and suffix in _WEB_ASSETS and reach == "runtime"
        docs_like = name in {"PKG-INFO", "METADATA"} or data_file or listing or asset
        text_ctx = FileCtx(rel, "docs", self.eco) if docs_like else ctx
        prose: Container[int] | None = None
        load_calls: set[int] = set()
        tooling: set[int] = set()
        if suffix in {".py", ".pyw"}:
            prose, load_calls = self._python(rel, data, ctx)
        elif name == "pyproject.toml":
            tooling = lay.tool_table_lines(data)
        content.scan(self.scanner, data, text_ctx, self.sink, prose, load_calls, tooling)
        if suffix == ".pth":
            self._pth(data, ctx)
        elif self.eco == "npm" and (suffix in {".js", ".cjs", ".mjs"} or rel in self.js_reach):
            js_reach = self.js_reach.get(rel)
            jctx = (
                FileCtx(rel, "install", self.eco)
                if js_reach == "install" and reach != "install"
                else ctx
            )
            jspass.analyze(
                data,
                jctx,
                self.sink,
                self.scanner,
                loadtime_all=jctx.reach == "install",
                entry=inner in self.layout.entry_files,
            )
        elif name == "package.json" and self.eco == "npm" and inner == "package.json":
            jspass.hook_code(self.layout.hooks, data, ctx, self.sink, self.scanner)
        elif name in {"PKG-INFO", "METADATA"} and self.eco == "pypi" and inner.count("/") <= 1:
            self._meta("check_pkg_info", data, rel)
        elif name == "requires.txt":
            self._meta("check_requires", data, rel)

    def _python(
        self, rel: str, data: bytes, ctx: FileCtx
    ) -> tuple[Container[int] | None, set[int]]:
        text, codec = inputs.python_source(data)
        facts = None
        if rel in self.parse:
            install = ctx.reach == "install"
            is_setup = rel.rpartition("/")[2] == "setup.py" and install
            # a module setup.py imports runs its top level and what setup.py calls, not all
            facts = pypass.parse(text, is_setup=is_setup, loadtime_all=rel in self.declared)
            if facts is None:
                why = pypass.parse_error(text)
                self.skip(rel, f"Python that does not parse ({why}): content rules only")
            elif self.entered.get(rel):
                facts.enter(self.entered[rel])
        if facts is None:
            prose = {
                i for i, line in enumerate(inputs.lines(text), 1) if line.lstrip().startswith("#")
            }
            return (pypass.LazyProse(text, prose) if rel in self.flow else prose), set()
        check = pypass.analyze(
            text,
            dataclasses.replace(ctx, line_map=inputs.line_map(data, codec, text)),
            self.sink,
            self.scanner,
            loadtime_all=facts.loadtime_all,
            facts=facts,
            codec=codec,
            bundle=lambda path: self._beside(rel, path),
        )
        if check is None:
            return None, set()
        return check.facts.prose, check.load_calls

    def _beside(self, rel: str, path: str) -> bytes | None:
        """The bytes of the package file at `path` from `rel`'s folder, if there is one."""
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
        return inputs.read(self.root / target).data if target in self.present else None

    def _pth(self, data: bytes, ctx: FileCtx) -> None:
        text = data.decode("utf-8", "replace")
        lines = [
            (n, line)
            for n, line in enumerate(inputs.lines(text, universal=True), 1)  # as site.py reads
            if line.startswith(("import ", "import\t"))
        ]
        for hook in catalog.checks("check_pth"):
            hook(PthCheck(ctx, self.sink, lines))
        for lineno, line in lines:
            pypass.analyze(
                "\n" * (lineno - 1) + line.replace("\0", " "),
                ctx,
                self.sink,
                self.scanner,
                loadtime_all=True,
            )

    def _meta(self, hook_name: str, data: bytes, rel: str) -> None:
        import email.parser

        text = data.decode("utf-8", "replace").removeprefix("\ufeff")
        msg = email.parser.HeaderParser().parsestr(text) if hook_name == "check_pkg_info" else None
        subject = MetaCheck(FileCtx(rel, "metadata", self.eco), self.sink, text, msg)
        for hook in catalog.checks(hook_name):
            hook(subject)


def _js_requires(path: Path) -> list[str]:
    """Relative modules a JavaScript file requires or imports (a regex: no parse needed)."""
    try:
        data = inputs.read(path).data
    except OSError:
        return []
    return [m.decode("utf-8", "replace") for m in _REQUIRE.findall(data)]
