"""What changed: compare an unpacked package with a baseline (the release before it, a
version the user names, or the original of a copy).

`compare(new, old)` lines the two trees up file by file (the version in folder names
ignored), and for every changed file finds the added lines and which of them run at install
(setup.py, an in-tree build backend, the files npm's lifecycle scripts run) or at import
(module-level Python, top-level JavaScript, `.pth` files), without running anything. Then:

- `mark(findings, comparison)`: each scan finding becomes `baseline="new"` (in an added file
  or on an added line whose text the baseline did not have) or `"unchanged"`;
- `findings(...)`: the diff's own evidence (new install hooks, typosquatted or URL
  dependencies, provenance lost, publisher changed, binaries added, a copy's shadowing);
- `score(...)`: new install/import-time findings weigh more (never less than the plain scan);
- `section(...)`: the report's `diff` object.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from . import ecosystems, scoring
from .ecosystems import Release, TreeFacts
from .model import SNIPPET_MAX, Ecosystem, Finding, Reachability, Severity, Verdict

RunsAt = Literal["install", "import", ""]

MAX_DIFF_BYTES = 2 * 1024 * 1024  # larger changed files: added lines by set, no alignment
MAX_DIFF_LINES = 20000
HUNK_LINES_SHOWN = 40  # per hunk
SHOWN_LINES_MAX = 4000  # per report
HUNKS_MAX = 400
LINE_CHARS = 400
ITEMS_MAX = 100  # endpoints, blobs, binaries
EARLIER_ATTESTED = 5  # releases looked at for "provenance lost"

_TEST_DIRS = {"test", "tests", "testing", "__tests__", "spec", "specs", "fixtures", "__mocks__"}
_DOC_DIRS = {"doc", "docs", "example", "examples", "benchmarks", "bench", ".github", "scripts"}
_NATIVE_EXT = {".so", ".pyd", ".dylib", ".node", ".dll", ".exe", ".a", ".lib"}
_URL = re.compile(r"\b(?:https?|wss?|ftp)://[^\s'\"<>`)\]}\\]{3,200}")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_BLOB = re.compile(r"[A-Za-z0-9+/]{160,}={0,2}|(?<![0-9A-Za-z])[0-9a-fA-F]{160,}")
_SEVERITY_UP: dict[Severity, Severity] = {
    "low": "medium",
    "medium": "high",
    "high": "critical",
    "critical": "critical",
}


# --- the diff's own rules -------------------------------------------------------------


@dataclass(frozen=True)
class DiffRule:
    id: str
    title: str
    category: str
    severity: Severity
    reach: Reachability
    explanation: str


_RULES = [
    DiffRule(
        "DIFF-INSTALL-HOOK",
        "Install hook added or changed since the baseline",
        "install-hook",
        "high",
        "install",
        "Code that runs when the package is installed appeared or changed in this release."
        " Taken-over accounts add exactly this; read the hook and the files it runs.",
    ),
    DiffRule(
        "DIFF-ENTRY-POINT",
        "Entry point added or changed since the baseline",
        "entry-point",
        "low",
        "metadata",
        "What runs when the package is imported or its command is started now points"
        " elsewhere; check the new target.",
    ),
    DiffRule(
        "DIFF-DEP-TYPOSQUAT",
        "New dependency one edit away from a popular name",
        "typosquat",
        "high",
        "install",
        "The release added a dependency whose name imitates a popular package: installing"
        " this release installs the look-alike too.",
    ),
    DiffRule(
        "DIFF-DEP-URL",
        "New dependency fetched from a URL",
        "dependency",
        "high",
        "install",
        "The release added a dependency that is not resolved from the registry but fetched"
        " from a URL or repository, which nobody reviews and which can change at any time.",
    ),
    DiffRule(
        "DIFF-BINARY-ADDED",
        "Binary file added since the baseline",
        "binary",
        "medium",
        "runtime",
        "A compiled file appeared in this release; its behaviour cannot be read from source."
        " Compare it with the project's build outputs.",
    ),
    DiffRule(
        "DIFF-PROVENANCE-LOST",
        "Release published without the provenance earlier releases had",
        "provenance",
        "high",
        "metadata",
        "Earlier releases were published from a build pipeline with a signed provenance"
        " statement; this one was not, as when a stolen token is used from a laptop.",
    ),
    DiffRule(
        "DIFF-PUBLISHER-CHANGED",
        "Published by someone else than the baseline",
        "publisher",
        "medium",
        "metadata",
        "The registry names a different publisher or maintainer set than for the baseline."
        " Legitimate hand-overs happen; so do account take-overs.",
    ),
    DiffRule(
        "DIFF-COPY-OF-POPULAR",
        "Copies a popular package under a look-alike name",
        "copy",
        "medium",
        "metadata",
        "Most of its files are the popular package's, byte for byte, under a name one edit"
        " away: a trojanized copy waits for a typo. The diff against the original shows what"
        " the copy changed.",
    ),
    DiffRule(
        "DIFF-SHADOWS-POPULAR",
        "Ships the import name of a popular package under another name",
        "copy",
        "medium",
        "metadata",
        "Installing this package replaces or shadows the popular package's module. The diff"
        " against the original shows what the copy changed.",
    ),
]
RULES: dict[str, DiffRule] = {r.id: r for r in _RULES}


def diff_finding(rule_id: str, file: str, line: int | None, snippet: str, detail: str) -> Finding:
    """A finding of the diff's own rules (always `new`: it is about what changed)."""
    rule = RULES[rule_id]
    return Finding(
        rule=rule.id,
        title=rule.title,
        category=rule.category,
        severity=rule.severity,
        file=file,
        line=line,
        snippet=" ".join(snippet.split())[:SNIPPET_MAX],
        reachability=rule.reach,
        explanation=f"{detail} {rule.explanation}".strip(),
        baseline="new",
    )


# --- one side of the comparison ---------------------------------------------------------


@dataclass
class Tree:
    """One unpacked artifact: its root, its files and its layout hints."""

    root: Path
    files: list[str]
    facts: TreeFacts
    ecosystem: Ecosystem
    keys: dict[str, str] = field(default_factory=dict)  # comparison key → file

    def __post_init__(self) -> None:
        for rel in self.files:
            self.keys.setdefault(file_key(rel, self.facts.prefix), rel)

    def inner(self, rel: str) -> str:
        prefix = self.facts.prefix
        return rel[len(prefix) :] if prefix and rel.startswith(prefix) else rel


def tree_of(root: Path, ecosystem: Ecosystem) -> Tree:
    files = list_files(root)
    return Tree(root, files, ecosystems.adapter(ecosystem).facts(root, files), ecosystem)


def similarity(new: Tree, old: Tree) -> float:
    """The share of `new`'s files that are byte for byte in `old` at the same place."""
    if not new.keys:
        return 0.0
    same = 0
    for key, rel in new.keys.items():
        old_rel = old.keys.get(key)
        if old_rel is not None and _read(new.root / rel) == _read(old.root / old_rel):
            same += 1
    return same / len(new.keys)


def list_files(root: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if not full.is_symlink() and full.is_file():
                out.append(full.relative_to(root).as_posix())
    return out


def file_key(rel: str, prefix: str) -> str:
    """The path a file keeps across versions: the manifest's folder (which names the version
    in sdists) and a leading `src/` dropped, `name-1.0.dist-info` → `name.dist-info`,
    CPython ABI tags of extension modules made version-free."""
    inner = rel[len(prefix) :] if prefix and rel.startswith(prefix) else rel
    parts = inner.split("/")
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    parts = [re.sub(r"^(.+?)-[^-]+\.(dist-info|egg-info|data)$", r"\1.\2", p) for p in parts]
    key = "/".join(parts)
    return re.sub(r"\.(cpython|cp|pypy)-?3\d+[a-z_0-9-]*\.", ".abi.", key)


# --- comparing ------------------------------------------------------------------------------


@dataclass
class Hunk:
    start: int  # first added line (1-based, in the new file)
    end: int
    runs_at: RunsAt
    lines: list[str]  # the added lines shown (capped)
    removed: int = 0  # lines of the baseline this hunk replaces

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class FileChange:
    file: str  # path in the new tree ("" when removed)
    old_file: str  # path in the baseline ("" when added)
    status: Literal["added", "removed", "changed"]
    runs_at: RunsAt  # where the file's code runs, when it runs at install or import
    binary: bool = False
    added: set[int] = field(default_factory=set)  # added line numbers
    import_lines: set[int] = field(default_factory=set)  # added lines that run on load
    hunks: list[Hunk] = field(default_factory=list)
    old_text: str = ""  # the baseline's text, whitespace-collapsed (for moved code)
    lines_added: int = 0
    lines_removed: int = 0


@dataclass
class Comparison:
    new: Tree
    old: Tree
    changes: dict[str, FileChange]  # by the new file (removed: by the old file)
    unchanged: int


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _is_binary(data: bytes, rel: str) -> bool:
    return PurePosixPath(rel).suffix.lower() in _NATIVE_EXT or executable_kind(data[:4]) != ""


def executable_kind(head: bytes) -> str:
    """'PE', 'ELF', 'Mach-O' when `head` starts like a native executable, else ''."""
    if head[:2] == b"MZ":
        return "PE"
    if head[:4] == b"\x7fELF":
        return "ELF"
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "Mach-O"
    return ""


def _textual(data: bytes) -> bool:
    return b"\0" not in data[:8192]


def runs_at(tree: Tree, rel: str) -> RunsAt:
    """Whether a file's code runs at install or import ("" for neither: tests, docs, data)."""
    inner = tree.inner(rel)
    path = PurePosixPath(inner)
    parts = [p.lower() for p in path.parts[:-1]]
    if inner in tree.facts.install_files:
        return "install"
    if path.suffix == ".pth":
        return "import"
    if any(p in _TEST_DIRS for p in parts) or (parts and parts[0] in _DOC_DIRS):
        return ""
    name = path.name.lower()
    stem = name.rsplit(".", 1)[0]
    if stem in ("test", "tests", "spec", "conftest", "benchmark") or name.startswith("test_"):
        return ""
    if name.endswith(("_test.py", ".test.js", ".spec.js", ".test.mjs", ".spec.mjs")):
        return ""
    if tree.ecosystem == "pypi" and path.suffix in {".py", ".pyw"}:
        return "import"
    if tree.ecosystem == "npm" and path.suffix in {".js", ".cjs", ".mjs"}:
        return "import"
    return ""


def compare(new: Tree, old: Tree, *, check: Callable[[], None] | None = None) -> Comparison:
    """Line the trees up by `file_key` and describe every difference."""
    changes: dict[str, FileChange] = {}
    unchanged = 0
    for key, rel in new.keys.items():
        if check is not None:
            check()
        old_rel = old.keys.get(key)
        data = _read(new.root / rel)
        where = runs_at(new, rel)
        if old_rel is None:
            changes[rel] = _added(new, rel, data, where)
            continue
        old_data = _read(old.root / old_rel)
        if hashlib.sha256(data).digest() == hashlib.sha256(old_data).digest():
            unchanged += 1
            continue
        changes[rel] = _changed(new, rel, old_rel, data, old_data, where)
    for key, old_rel in old.keys.items():
        if key not in new.keys:
            changes[f"\0{old_rel}"] = FileChange("", old_rel, "removed", "")
    return Comparison(new, old, changes, unchanged)


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").splitlines()


def _added(tree: Tree, rel: str, data: bytes, where: RunsAt) -> FileChange:
    change = FileChange(rel, "", "added", where, binary=_is_binary(data, rel))
    if change.binary or not _textual(data):
        return change
    lines = _lines(data)
    change.added = set(range(1, len(lines) + 1))
    change.lines_added = len(lines)
    change.import_lines = _load_lines(tree, rel, data, where, change.added)
    if where:
        change.hunks = [_hunk(lines, 1, len(lines), change.import_lines, where, 0)]
    return change


def _changed(
    tree: Tree, rel: str, old_rel: str, data: bytes, old_data: bytes, where: RunsAt
) -> FileChange:
    change = FileChange(rel, old_rel, "changed", where, binary=_is_binary(data, rel))
    if change.binary or not _textual(data) or not _textual(old_data):
        return change
    new_lines, old_lines = _lines(data), _lines(old_data)
    change.old_text = " ".join(old_data.decode("utf-8", "replace").split())
    ranges: list[tuple[int, int, int]] = []  # (first, last added line, removed count)
    if max(len(data), len(old_data)) > MAX_DIFF_BYTES or len(new_lines) > MAX_DIFF_LINES:
        known = {ln.strip() for ln in old_lines}
        for i, ln in enumerate(new_lines, 1):
            if ln.strip() not in known:
                ranges.append((i, i, 0))
        change.lines_removed = max(0, len(old_lines) - len(new_lines) + len(ranges))
    else:
        ranges, change.lines_removed = _aligned(old_lines, new_lines)
    for first, last, _removed in ranges:
        change.added.update(range(first, last + 1))
    change.lines_added = len(change.added)
    change.import_lines = _load_lines(tree, rel, data, where, change.added)
    for first, last, removed in _merge(ranges):
        change.hunks.append(_hunk(new_lines, first, last, change.import_lines, where, removed))
    return change


def _aligned(old: list[str], new: list[str]) -> tuple[list[tuple[int, int, int]], int]:
    """Added ranges (first, last new line, old lines replaced) and the lines removed: the
    common head and tail skipped, the middle aligned by difflib."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    ranges: list[tuple[int, int, int]] = []
    removed = 0
    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=len(new_mid) > 2000)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            ranges.append((head + j1 + 1, head + j2, i2 - i1))
        if tag in ("replace", "delete"):
            removed += i2 - i1
    return ranges, removed


def _merge(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for first, last, removed in ranges:
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(last, out[-1][1]), out[-1][2] + removed)
        else:
            out.append((first, last, removed))
    return out


def _hunk(
    lines: list[str], first: int, last: int, load: set[int], where: RunsAt, removed: int
) -> Hunk:
    runs: RunsAt = ""
    if any(n in load for n in range(first, last + 1)):
        runs = "install" if where == "install" else "import"
    shown = [ln[:LINE_CHARS] for ln in lines[first - 1 : min(last, first + HUNK_LINES_SHOWN - 1)]]
    return Hunk(first, last, runs, shown, removed)


def _load_lines(tree: Tree, rel: str, data: bytes, where: RunsAt, added: set[int]) -> set[int]:
    """The added lines that run when the file is installed or loaded: every line of an
    install-time file, else the lines outside function bodies."""
    if not where or not added:
        return set()
    if where == "install" or rel.endswith(".pth"):
        return set(added)
    lazy = _python_lazy(data) if rel.endswith((".py", ".pyw")) else _javascript_lazy(data)
    return {n for n in added if n not in lazy}


_BLOCK_END = re.compile(r":\s*(#.*)?$")


def _python_lazy(data: bytes) -> set[int]:
    """Lines inside function bodies, from indentation in one pass (no parse: it is fast,
    and a file that does not parse still has lines that run on import). A line that cannot
    be placed counts as running on import."""
    lazy: set[int] = set()
    stack: list[tuple[int, bool]] = []  # (indent of the block header, inside a function)
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        body = line.lstrip()
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        inside = bool(stack) and stack[-1][1]
        if inside:
            lazy.add(n)
        if _BLOCK_END.search(body):
            starts_def = body.startswith(("def ", "async def "))
            stack.append((indent, inside or starts_def))
    return lazy


_JS_FUNCTIONS = {
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
}


def _javascript_lazy(data: bytes) -> set[int]:
    try:
        import tree_sitter
        import tree_sitter_javascript

        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_javascript.language()))
        root = parser.parse(data).root_node
    except Exception:  # a parser failure only means every line counts as load-time
        return set()
    lazy: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in _JS_FUNCTIONS:
            body = node.child_by_field_name("body")
            if body is not None and body.end_point[0] - body.start_point[0] >= 2:
                # rows strictly inside the braces: the first and last share code with the outside
                lazy.update(range(body.start_point[0] + 2, body.end_point[0] + 1))
        stack.extend(node.children)
    return lazy


# --- findings ----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


def mark(findings: Iterable[Finding], comparison: Comparison) -> list[Finding]:
    """Each finding of the new tree, marked `new` or `unchanged` relative to the baseline
    ("" for findings about the package as a whole, which no file holds).

    New: in an added file, or on an added line (or with no line, in a changed file) whose
    snippet the baseline's file does not contain (so moved code stays `unchanged`)."""
    out = []
    for f in findings:
        out.append(dataclasses.replace(f, baseline=_mark_one(f, comparison)))
    return out


def _mark_one(f: Finding, comparison: Comparison) -> str:
    if not f.file:
        return ""  # about the package as a whole (its name, its version): not compared
    if f.file not in comparison.new.files:
        return "unchanged"
    change = comparison.changes.get(f.file)
    if change is None:
        return "unchanged"
    if change.status == "added":
        return "new"
    snippet = _norm(f.snippet.rstrip("…"))
    if f.line is not None and f.line not in change.added:
        return "unchanged"
    if snippet and change.old_text and snippet in change.old_text:
        return "unchanged"
    return "new"


def load_time(f: Finding, comparison: Comparison) -> RunsAt:
    """Where a new finding's code runs when that is install or import, else ""."""
    if f.reachability in ("install", "import"):
        return f.reachability  # type: ignore[return-value]
    change = comparison.changes.get(f.file)
    if change is None or not change.runs_at:
        return ""
    if change.runs_at == "install":
        return "install"
    if f.line is not None and f.line in change.import_lines:
        return "import"
    return ""


def score(
    findings: list[Finding], comparison: Comparison | None
) -> tuple[Verdict, float, list[str]]:
    """The verdict with new install/import-time findings weighed more: each counts as if it
    ran at install/import and one severity level higher. Never below the plain score."""
    plain_verdict, plain = scoring.verdict(findings)
    if comparison is None:
        return plain_verdict, plain, []
    raised: list[str] = []
    weighed: list[Finding] = []
    for f in findings:
        when = load_time(f, comparison) if f.baseline == "new" else ""
        if when:
            raised.append(f.rule)
            f = dataclasses.replace(f, severity=_SEVERITY_UP[f.severity], reachability=when)
        weighed.append(f)
    verdict, value = scoring.verdict(weighed)
    if value < plain:
        return plain_verdict, plain, []
    return verdict, value, sorted(set(raised))


# --- the diff's own findings -----------------------------------------------------------------


def _hook_changes(new: TreeFacts, old: TreeFacts) -> list[tuple[str, str, str]]:
    return [
        (hook, old.install_hooks.get(hook, ""), value)
        for hook, value in sorted(new.install_hooks.items())
        if old.install_hooks.get(hook) != value
    ]


def _entry_changes(new: TreeFacts, old: TreeFacts) -> list[tuple[str, str, str]]:
    names = sorted(set(new.entry_points) | set(old.entry_points))
    return [
        (n, old.entry_points.get(n, ""), new.entry_points.get(n, ""))
        for n in names
        if old.entry_points.get(n) != new.entry_points.get(n)
    ]


def url_dependency(ecosystem: Ecosystem, spec: str) -> bool:
    """A requirement fetched from a URL or repository instead of the registry."""
    if ecosystem == "pypi":
        return bool(re.search(r"@\s*(https?|git\+\w+|file)://|^\s*(https?|git\+\w+)://", spec))
    return bool(
        re.match(r"^\s*((https?|git(\+\w+)?|file)://|git@|github:|gitlab:|bitbucket:|file:)", spec)
        or re.match(r"^\s*[\w.-]+/[\w.-]+(#.*)?$", spec)  # GitHub shorthand user/repo
    )


def typosquat(name: str, ecosystem: Ecosystem) -> str | None:
    from .rules import metadata  # the popular lists and the one-edit test live with the rules

    try:
        return metadata.typosquat_target(name, ecosystem)
    except (AttributeError, OSError):
        return None


def new_dependencies(comparison: Comparison) -> list[dict[str, Any]]:
    new, old = comparison.new.facts, comparison.old.facts
    out = []
    for name, spec in sorted(new.dependencies.items()):
        if name in old.dependencies:
            continue
        out.append(
            {
                "name": name,
                "spec": spec,
                "typosquat_of": typosquat(name, comparison.new.ecosystem) or "",
                "url": url_dependency(comparison.new.ecosystem, spec),
            }
        )
    return out


def findings(
    comparison: Comparison,
    *,
    provenance: dict[str, Any] | None = None,
) -> list[Finding]:
    """The diff's own evidence, each `baseline="new"`."""
    new, old = comparison.new.facts, comparison.old.facts
    manifest = new.manifest or (new.prefix + next(iter(ecosystems_manifest(comparison)), ""))
    out: list[Finding] = []
    adapter = ecosystems.adapter(comparison.new.ecosystem)
    for hook, before, after in _hook_changes(new, old):
        if adapter.known_hook(hook, after):
            continue  # e.g. a move between mainstream build backends: listed, not a finding
        what = f"was {before!r}" if before else "is new"
        file = new.prefix + hook if hook.endswith((".py", ".pth")) else manifest
        line = _line_of(comparison.new, file, hook.rpartition(".")[2])
        snippet = f"{hook}: {after}"
        out.append(diff_finding("DIFF-INSTALL-HOOK", file, line, snippet, f"{hook} {what}."))
    for name, before, after in _entry_changes(new, old):
        if after and before:
            out.append(
                diff_finding(
                    "DIFF-ENTRY-POINT",
                    manifest,
                    None,
                    f"{name}: {after}",
                    f"{name} was {before!r}.",
                )
            )
    for dep in new_dependencies(comparison):
        snippet = f"{dep['name']} {dep['spec']}"
        if dep["typosquat_of"]:
            detail = f"{dep['name']!r} is one edit from {dep['typosquat_of']!r}."
            out.append(diff_finding("DIFF-DEP-TYPOSQUAT", manifest, None, snippet, detail))
        if dep["url"]:
            out.append(diff_finding("DIFF-DEP-URL", manifest, None, snippet, f"{dep['spec']}"))
    for change in comparison.changes.values():
        if change.status == "added" and change.binary:
            out.append(
                diff_finding(
                    "DIFF-BINARY-ADDED",
                    change.file,
                    None,
                    PurePosixPath(change.file).name,
                    "A compiled file that the baseline did not have.",
                )
            )
    for item in (provenance or {}).get("findings", []):
        out.append(diff_finding(item["rule"], "", None, item["snippet"], item["detail"]))
    return out


def _line_of(tree: Tree, file: str, key: str) -> int | None:
    """The line of a manifest that names `key` (an npm script, `cmdclass`), when found."""
    if not file or file not in tree.files or key in ("py", "pth"):
        return None
    needle = f'"{key}"' if file.endswith(".json") else key
    if file.endswith("setup.py"):
        needle = "cmdclass"
    for n, line in enumerate(_lines(_read(tree.root / file)), 1):
        if needle in line:
            return n
    return None


def ecosystems_manifest(comparison: Comparison) -> tuple[str, ...]:
    return ecosystems.adapter(comparison.new.ecosystem).MANIFESTS


def provenance_check(
    project: ecosystems.Project,
    new: Release,
    old: Release | None,
    *,
    deadline: float,
) -> dict[str, Any]:
    """Provenance and publisher of the new release against the baseline and the releases
    before it, as far as the registry says: the report's `provenance` object."""
    earlier = ecosystems.earlier(project, new.version, EARLIER_ATTESTED)
    attested_before = [r.version for r in earlier if r.attested]
    out: dict[str, Any] = {
        "attested": new.attested,
        "baseline_attested": bool(old and old.attested),
        "earlier_attested": attested_before,
        "publisher": new.publisher,
        "baseline_publisher": old.publisher if old else "",
        "findings": [],
    }
    if not new.attested and attested_before:
        out["findings"].append(
            {
                "rule": "DIFF-PROVENANCE-LOST",
                "snippet": f"{project.name} {new.version}: no provenance",
                "detail": f"Provenance was served for {', '.join(attested_before)}.",
            }
        )
    if old is not None and new.attested and old.attested and project.ecosystem == "pypi":
        adapter = ecosystems.adapter(project.ecosystem)
        out["publisher"] = adapter.publisher(new, deadline=deadline)
        out["baseline_publisher"] = adapter.publisher(old, deadline=deadline)
    if (
        old is not None
        and out["publisher"]
        and out["baseline_publisher"]
        and out["publisher"] != out["baseline_publisher"]
    ):
        out["findings"].append(
            {
                "rule": "DIFF-PUBLISHER-CHANGED",
                "snippet": f"{out['baseline_publisher']} → {out['publisher']}",
                "detail": f"{old.version} was published by {out['baseline_publisher']!r},"
                f" {new.version} by {out['publisher']!r}.",
            }
        )
    if old is not None and old.maintainers and new.maintainers:
        gained = sorted(set(new.maintainers) - set(old.maintainers))
        if gained and not set(new.maintainers) & set(old.maintainers):
            out["findings"].append(
                {
                    "rule": "DIFF-PUBLISHER-CHANGED",
                    "snippet": f"maintainers {', '.join(old.maintainers)} → {', '.join(gained)}",
                    "detail": "None of the baseline's maintainers is a maintainer any more.",
                }
            )
    return out


# --- the report's `diff` object -----------------------------------------------------------


def _items(comparison: Comparison) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Network endpoints and encoded blobs on added lines."""
    endpoints: list[dict[str, Any]] = []
    blobs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for change in comparison.changes.values():
        if change.status == "removed" or change.binary or not change.added:
            continue
        if not change.runs_at:
            continue  # docs, tests and data files: listed, not mined
        text = _lines(_read(comparison.new.root / change.file))
        for n in sorted(change.added):
            if n > len(text) or (len(endpoints) >= ITEMS_MAX and len(blobs) >= ITEMS_MAX):
                break
            line = text[n - 1]
            when = "install" if change.runs_at == "install" else ""
            when = when or ("import" if n in change.import_lines else "")
            for m in [*_URL.finditer(line), *_IPV4.finditer(line)]:
                value = m.group(0).rstrip(".,;")
                if value not in seen and len(endpoints) < ITEMS_MAX and _endpoint(value):
                    seen.add(value)
                    endpoints.append(
                        {"value": value, "file": change.file, "line": n, "runs_at": when}
                    )
            for m in _BLOB.finditer(line):
                if len(blobs) < ITEMS_MAX:
                    blobs.append(
                        {
                            "file": change.file,
                            "line": n,
                            "length": len(m.group(0)),
                            "preview": m.group(0)[:60],
                            "runs_at": when,
                        }
                    )
    return endpoints, blobs


def _endpoint(value: str) -> bool:
    if "://" in value:
        return True
    octets = [int(p) for p in value.split(".")]
    return all(o <= 255 for o in octets) and octets[0] not in (0, 127) and sum(octets) > 4


def section(
    comparison: Comparison,
    *,
    baseline: dict[str, Any],
    provenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report's `diff` object for one artifact pair (JSON, bounded in size)."""
    changes = sorted(
        comparison.changes.values(),
        key=lambda c: (
            not any(h.runs_at for h in c.hunks),
            {"install": 0, "import": 1, "": 2}[c.runs_at],
            c.status != "added",
            c.file or c.old_file,
        ),
    )
    files = []
    shown = hunks = 0
    for c in changes:
        entry: dict[str, Any] = {
            "file": c.file,
            "old_file": c.old_file,
            "status": c.status,
            "runs_at": c.runs_at,
            "binary": c.binary,
            "lines_added": c.lines_added,
            "lines_removed": c.lines_removed,
            "hunks": [],
            "hunks_total": len(c.hunks),
        }
        ordered = sorted(c.hunks, key=lambda h: (not h.runs_at, h.start))
        for h in ordered:
            if shown >= SHOWN_LINES_MAX or hunks >= HUNKS_MAX:
                break
            if c.status == "changed" or h.runs_at:
                entry["hunks"].append(h.as_dict())
                shown += len(h.lines)
                hunks += 1
        files.append(entry)
    new, old = comparison.new.facts, comparison.old.facts
    endpoints, blobs = _items(comparison)
    return {
        "baseline": baseline,
        "summary": {
            "added": sum(c.status == "added" for c in changes),
            "removed": sum(c.status == "removed" for c in changes),
            "changed": sum(c.status == "changed" for c in changes),
            "unchanged": comparison.unchanged,
            "load_time_hunks": sum(1 for c in changes for h in c.hunks if h.runs_at),
        },
        "files": files,
        "install_hooks": [
            {"hook": h, "before": b, "after": a} for h, b, a in _hook_changes(new, old)
        ],
        "entry_points": [
            {"name": n, "before": b, "after": a} for n, b, a in _entry_changes(new, old)
        ],
        "dependencies": new_dependencies(comparison),
        "import_names": sorted(new.import_names - old.import_names),
        "endpoints": endpoints,
        "blobs": blobs,
        "binaries": [c.file for c in changes if c.status == "added" and c.binary][:ITEMS_MAX],
        "provenance": {k: v for k, v in (provenance or {}).items() if k != "findings"},
    }
