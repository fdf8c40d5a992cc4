"""PY-DOWNLOAD-EXEC: load-time code downloads something and executes it."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.values import FETCHED, Value
from .base import Rule
from .py_exec import reads_file
from .py_network import load_time_network

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

DOWNLOAD_EXEC = Rule(
    id="PY-DOWNLOAD-EXEC",
    title="Install- or import-time code downloads something and executes it",
    category="download-exec",
    severity="critical",
    explanation=(
        "Network access and process or code execution in the same load-time code is the shape "
        "of a dropper. Check the URL and what is run."
    ),
    strong=True,
)
RULES = (DOWNLOAD_EXEC,)


_WRITE_MODES = ("w", "a", "x")
_OPENERS = {"open", "io.open", "builtins.open", "codecs.open"}
# a serializer's own dump: loads(dumps(x)) is x again, whatever x holds (a local `dumps`
# could return its argument: it is not one of these)
_DUMPS = {
    "pickle.dumps", "dill.dumps", "cloudpickle.dumps", "jsonpickle.encode", "yaml.dump",
    "yaml.safe_dump",
}  # fmt: skip
_SAVERS = {"urllib.request.urlretrieve", "urllib.urlretrieve"}
# import a module by name: a `.py` file written here becomes importable by its stem
_IMPORT_BY_NAME = {
    "importlib.import_module",
    "__import__",
    "importlib.__import__",
    "runpy.run_module",
}
# (name, path) → a module made from the file at path
_IMPORT_BY_PATH = {
    "importlib.util.spec_from_file_location", "imp.load_source",
    "importlib.machinery.SourceFileLoader", "importlib.machinery.SourcelessFileLoader",
}  # fmt: skip
_WRAPPERS = {"str", "builtins.str", "pathlib.Path", "os.fspath", "os.path.abspath"}


def _paths(f: PyFacts, node: ast.AST, depth: int = 0) -> set[str]:
    """How a path is named: its folded text, else the variables it is built from (a name,
    the names in an f-string or a `+`, through `str()`/`Path()`), never a module's name."""
    text = f.value(node).text()
    if text:
        return {f"text:{text}"}
    if depth > 4:
        return set()
    if isinstance(node, ast.Name):
        return {f"name:{node.id}"}
    parts: list[ast.AST] = []
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    elif isinstance(node, ast.BinOp):
        parts = [node.left, node.right]
    elif isinstance(node, ast.List | ast.Tuple):
        parts = list(node.elts)
    elif isinstance(node, ast.Call) and f.qualname(node.func) in _WRAPPERS and node.args:
        parts = [node.args[0]]
    out: set[str] = set()
    for part in parts:
        out |= _paths(f, part, depth + 1)
    return out


def _runs_file(f: PyFacts, q: str, node: ast.Call) -> set[str]:
    """The paths of the files a call runs: a process's arguments, `runpy.run_path(p)`, the
    file an exec'd string is read from (`exec(open(p).read())`, `code = Path(p).read_text()`)."""
    if pyapi.is_process(q):
        return {p for a in node.args for p in _paths(f, a)}
    if not node.args:
        return set()
    return _paths(f, node.args[0]) if q == "runpy.run_path" else _read_from(f, node.args[0])


def _module_names(f: PyFacts, node: ast.AST, seen: set[str], depth: int = 0) -> set[str]:
    """The modules a written path makes importable: the stem of each `.py` name in it (a
    package's `__init__.py`: its folder's name), also through the names it is built from
    (each name followed once, `seen`)."""
    # the constants, and the path as it is built (`join(tmp, "kit")` / `"__init__.py"`)
    texts = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)]
    texts.append(f.pieces(node))  # an unknown piece is NUL: no identifier
    out: set[str] = set()
    for text in texts:
        if not isinstance(text, str) or not text.endswith((".py", ".pyc")):
            continue
        parts = [p for p in text.replace("\\", "/").split("/") if p]
        stem = parts[-1].rpartition(".")[0] if parts else ""
        if stem == "__init__":
            stem = parts[-2] if len(parts) > 1 else ""
        if stem.isidentifier():
            out.add(stem)
    if depth < 3:
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id not in seen:
                seen.add(n.id)
                for bound in f.bindings.get(n.id, [])[:8]:
                    if not isinstance(bound, str):
                        out |= _module_names(f, bound, seen, depth + 1)
    return out


def _imports_dropped(f: PyFacts, q: str, node: ast.Call, drop: Drop) -> bool:
    """`importlib.import_module(m)` / `__import__(m)` / `runpy.run_module(m)` of a module
    written here, or a module made from a written path (`spec_from_file_location(n, p)`)."""
    if q in _IMPORT_BY_NAME and node.args:
        name = f.value(node.args[0]).text() or ""
        return bool(name) and name.rpartition(".")[2] in drop.modules
    if q in _IMPORT_BY_PATH and len(node.args) > 1:
        return bool(_paths(f, node.args[1]) & drop.paths)
    return False


def _round_trip(f: PyFacts, expr: ast.AST) -> bool:
    """`pickle.loads(pickle.dumps(obj))`: a copy of an object made here, not downloaded
    bytes (also through a name bound once)."""
    if isinstance(expr, ast.Name):
        bound = [b for b in f.bindings.get(expr.id, []) if not isinstance(b, str)]
        expr = bound[0] if len(bound) == 1 else expr
    return isinstance(expr, ast.Call) and f.qualname(expr.func) in _DUMPS


def _read_from(f: PyFacts, expr: ast.AST, depth: int = 0) -> set[str]:
    out: set[str] = set()
    for n in ast.walk(expr):
        if isinstance(n, ast.Call) and f.qualname(n.func) in _OPENERS and n.args:
            out |= _paths(f, n.args[0])
        elif (  # `Path(p).read_text()`
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in {"read_text", "read_bytes"}
            and isinstance(made := n.func.value, ast.Call)
            and made.args
            and f.qualname(made.func) in _WRAPPERS
        ):
            out |= _paths(f, made.args[0])
        elif isinstance(n, ast.Name) and depth < 3:  # `code = fh.read(); exec(code)`
            for bound in f.bindings.get(n.id, []):
                if not isinstance(bound, str):
                    out |= _read_from(f, bound, depth + 1)
    return out


@dataclass
class Drop:
    """What one function writes with downloaded data: the paths (as `_paths` names them),
    the modules they make importable, and the data's value."""

    paths: set[str] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)
    data: Value | None = None
    line: int = 0  # the first write's: a file runs what was written before it is run

    def before(self, node: ast.AST) -> bool:
        return self.line < getattr(node, "lineno", 0)


def dropped(f: PyFacts) -> dict[int, Drop]:
    """Per function: the files opened for writing where downloaded data is written
    (`open(p, 'w').write(requests.get(u).text)`, `urlretrieve(u, p)`). The paths are read
    only for functions that write downloaded data (most files write none)."""
    opened: dict[int, list[tuple[int, ast.expr]]] = {}
    data: dict[int, tuple[int, Value]] = {}
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if q in _OPENERS and node.args:
            mode = node.args[1] if len(node.args) > 1 else None
            mode = mode or next((k.value for k in node.keywords if k.arg == "mode"), None)
            text = f.value(mode).text() if mode is not None else None
            if text and any(m in text for m in _WRITE_MODES):
                opened.setdefault(call.owner, []).append((node.lineno, node.args[0]))
        elif q in _SAVERS and len(node.args) > 1:  # urlretrieve(url, path): saved straight
            opened.setdefault(call.owner, []).append((node.lineno, node.args[1]))
            data.setdefault(call.owner, (node.lineno, f.value(node)))
        elif isinstance(node.func, ast.Attribute) and node.func.attr in {"write", "writelines"}:
            written = f.value(node.args[0]) if node.args else None
            if written is not None and FETCHED in written.origins:
                data.setdefault(call.owner, (node.lineno, written))
    drops: dict[int, Drop] = {}
    for owner, (line, value) in data.items():
        paths = opened.get(owner, [])
        if not paths:
            continue
        drop = Drop(data=value, line=min(line, *(at for at, _ in paths)))
        seen: set[str] = set()
        for _, path in paths:
            drop.paths |= _paths(f, path)
            drop.modules |= _module_names(f, path, seen)
        if drop.paths or drop.modules:
            drops[owner] = drop
    return drops


def _imported_statements(f: PyFacts, drops: dict[int, Drop]) -> list[ast.Import]:
    """`import m` statements of a module some function here wrote, in that function."""
    return [
        n
        for n in ast.walk(f.tree)
        if isinstance(n, ast.Import)
        and (drop := drops.get(f.owner.get(id(n), -1))) is not None
        and drop.before(n)
        and any(a.name.rpartition(".")[2] in drop.modules for a in n.names)
    ]


def check_python(c: PyCheck) -> None:
    f = c.facts
    drops = dropped(f)
    runners: dict[int, int] = {}  # owner → count of load-time code runners
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if q in pyapi.DESERIALIZERS:
            loaded = node.args[0] if node.args else None
            fetched_bytes = loaded is not None and FETCHED in f.value(loaded).origins
            if loaded is not None and fetched_bytes and not _round_trip(f, loaded):
                detail = f"{q} loads what it downloads (a pickle runs code as it is read)."
                c.emit(DOWNLOAD_EXEC, node, detail, chain=f.value(loaded))
            continue
        drop = drops.get(call.owner)
        drop = drop if drop is not None and drop.before(node) else None
        if drop and _imports_dropped(f, q, node, drop):
            detail = f"{q} imports a module the same code wrote with downloaded data."
            c.emit(DOWNLOAD_EXEC, node, detail, chain=drop.data)
            continue
        if q in pyapi.EXEC or pyapi.is_process(q):
            args = node.args[:1] if q in pyapi.EXEC else node.args
            fetched = [f.value(a) for a in args if FETCHED in f.value(a).origins]
            if fetched:
                c.emit(DOWNLOAD_EXEC, node, f"{q} runs what it downloads.", chain=fetched[0])
                continue
            if drop and _runs_file(f, q, node) & drop.paths:
                detail = f"{q} runs a file the same code wrote with downloaded data."
                c.emit(DOWNLOAD_EXEC, node, detail, chain=drop.data)
            if not f.loadtime(node):
                continue
            if q in pyapi.EXEC and (not node.args or reads_file(f, node.args[0])):
                continue
            if (
                q in pyapi.EXEC
                and f.value(node.args[0]).known
                and not f.value(node.args[0]).tainted()
            ):
                continue
            runners[call.owner] = runners.get(call.owner, 0) + 1
    for stmt in _imported_statements(f, drops) if drops else ():
        drop = drops[f.owner[id(stmt)]]
        detail = "Imports a module the same code wrote with downloaded data."
        c.emit(DOWNLOAD_EXEC, stmt, detail, chain=drop.data)
    for node, _q in load_time_network(c):
        if runners.get(f.owner.get(id(node), 0)):
            c.emit(
                DOWNLOAD_EXEC,
                node,
                "Network access and code execution together.",
                load_time_only=True,
            )
