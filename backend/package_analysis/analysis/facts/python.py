"""Python facts: one parse and one traversal of a module, then questions the rules ask.

The traversal records every node once with the function that owns it and whether an
installer-irrelevant guard (`if __name__ == "__main__"`, `if sys.argv[-1] == "publish"`,
an environment flag no installer sets) encloses it. Load time is then computed on those
facts: the module's top level, class bodies, and what they call or hand over to be called
(functions, classes' run methods, decorators that call what they decorate, thread targets,
atexit/signal callbacks, metaclasses); `enter()` adds functions other modules call at load time.
"""

from __future__ import annotations

import ast
import functools
import warnings
from dataclasses import dataclass, field
from typing import Any

from .. import inputs
from . import cmdclass, handover, py2, pyapi, pychunks, pyparams, walk
from .loadtime import reached
from .pyresolve import Resolver
from .values import Value

# a package's own oddities (`1if x`, `"\d"`) are no warning of ours: `ast.parse` files them
# under the module "<unknown>", and a scan's stderr is for the scan
warnings.filterwarnings("ignore", category=SyntaxWarning, module="<unknown>")
warnings.filterwarnings("ignore", category=DeprecationWarning, module="<unknown>")

MAX_NODES = 400_000
# `Path(a, b)` joins as `os.path.join(a, b)` does
_PATH_JOINS = {
    "os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath",
    "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath",
}  # fmt: skip
_PATH_OF = {
    "os.path.expanduser", "os.path.expandvars", "os.path.abspath", "os.path.realpath",
    "os.path.normpath", "os.fspath", "str",
}  # fmt: skip
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_INSTALLER_WORDS = pyapi.INSTALL_COMMANDS | {"bdist", "--single-version-externally-managed", "-e"}
_COMMON_ENV = {
    "PATH", "HOME", "USER", "USERNAME", "LOGNAME", "SHELL", "PWD", "TEMP", "TMP", "TMPDIR", "LANG",
    "APPDATA", "LOCALAPPDATA", "USERPROFILE", "COMPUTERNAME", "HOSTNAME", "OS", "SYSTEMROOT",
    "WINDIR", "PROGRAMFILES", "PROGRAMDATA", "VIRTUAL_ENV", "CI", "PYTHONPATH", "HOMEDRIVE",
    "HOMEPATH", "PROCESSOR_ARCHITECTURE", "NUMBER_OF_PROCESSORS", "TERM", "DISPLAY",
}  # fmt: skip


@dataclass
class Call:
    node: ast.Call
    owner: int
    guarded: bool


@dataclass
class PyFacts:
    src: str
    tree: ast.Module
    is_setup: bool = False
    loadtime_all: bool = False
    owner: dict[int, int] = field(default_factory=dict)  # node id → owning function id
    guarded: set[int] = field(default_factory=set)  # node ids under an installer-irrelevant guard
    calls: list[Call] = field(default_factory=list)
    classes: list[ast.ClassDef] = field(default_factory=list)
    defs: dict[str, list[Any]] = field(default_factory=dict)  # name → FunctionDef/ClassDef nodes
    imports_from: list[ast.ImportFrom] = field(default_factory=list)
    subscripts: list[ast.Subscript] = field(default_factory=list)
    constants: list[ast.Constant] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    docstrings: set[int] = field(default_factory=set)  # ids of docstring constants
    prose: set[int] = field(default_factory=set)  # lines of docstrings and comments
    bindings: dict[str, list[Any]] = field(default_factory=dict)
    fed: dict[str, list[ast.expr]] = field(default_factory=dict)  # what goes into an object
    defaults: dict[tuple[int, str], ast.expr] = field(default_factory=dict)  # parameter → default
    loop_items: set[int] = field(default_factory=set)  # ids of the items loop variables bind
    returns: dict[str, list[ast.expr]] = field(default_factory=dict)
    reached: set[int] = field(default_factory=set)  # function ids that run at load time
    entered: set[str] = field(default_factory=set)  # functions other modules call at load time
    lines: list[str] = field(default_factory=list)
    resolver: Resolver = field(init=False)
    not_installer: set[int] = field(default_factory=set)  # methods of commands pip never runs

    def __post_init__(self) -> None:
        self.lines = inputs.lines(self.src)
        self.prose = {i for i, line in enumerate(self.lines, 1) if line.lstrip().startswith("#")}
        _traverse(self)
        self.resolver = Resolver(
            # the module's lines, not a bound method: no facts ↔ resolver cycle, so a
            # module's tree and facts are freed when its analysis ends, not by a full gc
            self.bindings,
            line_text=functools.partial(_line_text, self.lines),
            returns=self.returns,
            owner=self.owner,
        )
        self.resolver.functions = {
            name: d[-1]
            for name, d in self.defs.items()
            if isinstance(d[-1], ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.resolver.defaults = self.defaults
        self.resolver.loop_items = self.loop_items
        self.resolver.docs = _docs(self)  # `f.__doc__`: the def's docstring
        self.resolver.params = pyparams.handed(self)
        self.resolver.fed = _fed(self)
        handover.synthesize(self, Call)  # `Thread(target=os.system, args=…)` → `os.system(…)`
        self.reached = reached(self)
        self.not_installer = self.not_installer_classes() if self.is_setup else set()

    # ---- questions ----
    def line_text(self, line: int, end: int | None = None) -> str:
        return _line_text(self.lines, line, end)

    def qualname(self, node: ast.AST) -> str:
        return self.resolver.qualname(node)

    def value(self, node: ast.AST | None) -> Value:
        return self.resolver.value(node)

    def pieces(self, node: ast.AST, depth: int = 0) -> str:
        """What a string (or a process's argv, joined by spaces) holds: its folded value,
        else the pieces it is built from in order, an unknown piece as NUL (an f-string or
        a `+` with a caller's value still shows its host or its command)."""
        whole = self.value(node)
        if isinstance(whole.data, list) and all(isinstance(x, str) for x in whole.data):
            return " ".join(whole.data)
        text = whole.text()
        if text is not None or depth > 8:
            return "\0" if text is None else text
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.pieces(node.left, depth + 1) + self.pieces(node.right, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # pathlib's `a / b`
            return self.pieces(node.left, depth + 1) + "/" + self.pieces(node.right, depth + 1)
        if isinstance(node, ast.JoinedStr):
            return "".join(self.pieces(v, depth + 1) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.pieces(node.value, depth + 1)
        if isinstance(node, ast.List | ast.Tuple):
            return " ".join(self.pieces(e, depth + 1) for e in node.elts)
        if isinstance(node, ast.Call) and self.qualname(node.func) in _PATH_JOINS:
            return "/".join(self.pieces(a, depth + 1) for a in node.args)
        if isinstance(node, ast.Call) and node.args and self.qualname(node.func) in _PATH_OF:
            return self.pieces(node.args[0], depth + 1)  # `expanduser("~/.bashrc")`
        if isinstance(node, ast.Name):  # a name bound once to an f-string or a `+`
            bound = [b for b in self.bindings.get(node.id, []) if not isinstance(b, str)]
            if len(bound) == 1:
                return self.pieces(bound[0], depth + 1)
        return "\0"

    def loadtime(self, node: ast.AST) -> bool:
        """Runs when the module is loaded (imported, or run by the installer)."""
        if id(node) in self.guarded:
            return False
        owner = self.owner.get(id(node), id(self.tree))
        if owner in self.not_installer:
            return False
        return self.loadtime_all or owner in self.reached

    def enter(self, names: set[str]) -> bool:
        """Functions of this module that another module calls at load time; True if new."""
        new = names - self.entered
        if not new:
            return False
        self.entered |= new
        self.reached = reached(self)
        return True

    def hook_classes(self) -> list[ast.ClassDef]:
        """Classes that replace a command pip runs while installing (cmdclass keys pip
        invokes, or a subclass of such a command when cmdclass cannot be read)."""
        registered = cmdclass.registered(self)
        out = []
        for node in self.classes:
            if registered is not None:
                if registered.get(node.name) in pyapi.INSTALL_COMMANDS:
                    out.append(node)
                continue
            for base in node.bases:
                q = self.qualname(base)
                from_setuptools = q.startswith(("setuptools.command.", "distutils.command."))
                if q.rsplit(".", 1)[-1] in pyapi.HOOK_BASES and (from_setuptools or self.is_setup):
                    out.append(node)
                    break
        return out

    def not_installer_classes(self) -> set[int]:
        """Ids of functions in classes registered for commands pip never runs (test, custom)."""
        registered = cmdclass.registered(self)
        if not registered:
            return set()
        out: set[int] = set()
        for node in self.classes:
            key = registered.get(node.name)
            if key is not None and key not in pyapi.INSTALL_COMMANDS:
                out |= {id(m) for m in node.body if isinstance(m, _FUNCS)}
        return out


def _line_text(lines: list[str], line: int, end: int | None = None) -> str:
    if not 0 < line <= len(lines):
        return ""
    last = min(end or line, line + 8, len(lines))
    return " ".join(x.strip() for x in lines[line - 1 : last])


def parse(src: str, *, is_setup: bool = False, loadtime_all: bool = False) -> PyFacts | None:
    """Facts for `src`, or None when it does not parse (content rules still ran on it)."""
    try:
        tree = pychunks.parse(src.replace("\0", " ") if "\0" in src else src)
    except SyntaxError:
        py3 = py2.as_py3(src)  # Python 2 statements, read as Python 3 line for line
        if py3 is None:
            return None
        tree = py3
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return None
    try:
        return PyFacts(src, tree, is_setup=is_setup, loadtime_all=loadtime_all)
    except RecursionError:
        return None


def _traverse(f: PyFacts) -> None:
    """The one walk: each node once, with its owner and guard, sorted into buckets. The
    `ctx` / `op` members (shared singletons, no fact is about them) are counted, not
    visited; a module over MAX_NODES is walked again with them, so the walk stops on the
    same node as `ast.iter_child_nodes` would (`walk.walk`)."""
    prose, record = set(f.prose), (Call, _bind, _docstring, _guard)
    if not walk.walk(f, exact=False, limit=MAX_NODES, record=record):
        f.prose = prose
        for name in walk.BUCKETS:
            setattr(f, name, type(getattr(f, name))())
        walk.walk(f, exact=True, limit=MAX_NODES, record=record)
    _messages(f)
    # `returns` keyed by function id → by name, for `Resolver`
    by_id = {str(id(d)): name for name, ds in f.defs.items() for d in ds}
    f.returns = {by_id[k]: v for k, v in f.returns.items() if k in by_id}


# what shows its text to a person: `print(...)`, a logger's or click's output, `warn(...)`
_SHOWN = {
    "print", "echo", "secho", "warn", "debug", "info", "warning", "error", "exception",
    "critical", "log", "exit", "fail", "abort", "write_line", "rule",
}  # fmt: skip


def _messages(f: PyFacts) -> None:
    """Lines of a literal message that is raised, printed or logged are prose, like a
    docstring: an install hint (`curl … | sh`) in `raise RuntimeError("… install it with …")`
    is text for a person. Only statements count (a value used further may be run)."""
    todo: list[list[ast.stmt]] = [f.tree.body]
    while todo:
        for stmt in todo.pop():
            call = None
            if isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call):
                call = stmt.exc
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                func = stmt.value.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                call = stmt.value if name in _SHOWN else None
            for arg in call.args if call is not None else ():
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    f.prose.update(range(arg.lineno, (arg.end_lineno or arg.lineno) + 1))
            for block in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, block, None)
                if isinstance(inner, list) and inner:
                    todo.append(inner)
            todo += [h.body for h in [*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())]]


def _docs(f: PyFacts) -> dict[str, ast.expr]:
    out: dict[str, ast.expr] = {}
    for name, ds in f.defs.items():
        first = ds[-1].body[0] if ds[-1].body else None
        if isinstance(first, ast.Expr) and id(first.value) in f.docstrings:
            out[name] = first.value
    return out


def _docstring(f: PyFacts, expr: ast.Expr) -> None:
    f.docstrings.add(id(expr.value))
    f.prose.update(range(expr.lineno, (expr.end_lineno or expr.lineno) + 1))
    if f.tree.body and f.tree.body[0] is expr:  # the module's `__doc__`: a value code can read
        f.bindings.setdefault("__doc__", []).append(expr.value)


def _bind(f: PyFacts, node: ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr) -> None:
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AugAssign):
        targets, value = [node.target], ast.BinOp(node.target, node.op, node.value)
        ast.copy_location(value, node)
    else:
        if node.value is None:
            return
        targets, value = [node.target], node.value
    for t in targets:
        if isinstance(t, ast.Name):
            f.bindings.setdefault(t.id, []).append(value)
        elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
            f.fed.setdefault(t.value.id, []).append(value)  # `d["k"] = v`: d holds v
        elif isinstance(t, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List):
            for te, ve in zip(t.elts, value.elts, strict=False):
                if isinstance(te, ast.Name):
                    f.bindings.setdefault(te.id, []).append(ve)
        elif isinstance(t, ast.Tuple | ast.List):
            for te in t.elts:
                if isinstance(te, ast.Name):
                    f.bindings.setdefault(te.id, []).append(value)


# methods that put data into the object they are called on (not a file's `write`: the
# handle's `.name` is a path, not what was written); `read` of a parser takes a path
_FEEDERS = {"append", "extend", "insert", "add", "update", "setdefault"}
_LOADERS = {"read", "read_file", "read_string", "read_dict", "load"}
_BUFFERS = {"io.StringIO()", "io.BytesIO()", "StringIO.StringIO()", "cStringIO.StringIO()"}


def _fed(f: PyFacts) -> dict[str, list[ast.expr]]:
    """`x.append(v)`, `x.update(v)`, `parser.read(path)`: what flows into the object named x
    (with `x[k] = v`, recorded while binding)."""
    for c in f.calls:
        func = c.node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and c.node.args:
            if func.attr in _FEEDERS or (
                func.attr in {"write", "writelines"} and f.qualname(func.value) in _BUFFERS
            ):  # (an in-memory buffer holds what is written to it; a file handle does not)
                f.fed.setdefault(func.value.id, []).extend(c.node.args[-1:])
            elif func.attr in _LOADERS:
                f.fed.setdefault(func.value.id, []).append(c.node)
    return f.fed


def _guard(f: PyFacts, test: ast.expr) -> bool:
    """A condition no installer meets: the module run as a script, a command-line word that
    is not an installer command, a custom environment flag being set."""
    names: set[str] = set()
    attrs: set[str] = set()
    words: set[str] = set()
    negated = False
    for n in ast.walk(test):  # (one walk: every `if` of a module comes here)
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Attribute):
            attrs.add(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            words.add(n.value)
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            negated = True
    if "__name__" in names and "__main__" in words:
        return True
    if "argv" in attrs or "argv" in names:
        return bool(words) and not (words & _INSTALLER_WORDS) and not negated
    if ("environ" in attrs or "getenv" in attrs) and words and not negated:
        return all(w.isupper() and w not in _COMMON_ENV and not w.startswith("PIP") for w in words)
    return False


def strings(facts: PyFacts, expr: ast.AST) -> list[str]:
    """The strings an expression holds: its folded value and the literals written in it."""
    out: list[str] = []
    stack: list[Any] = [facts.value(expr).data]
    while stack and len(out) < 64:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, list):
            stack.extend(item)
    out += [
        n.value for n in ast.walk(expr) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ][:64]
    return out
