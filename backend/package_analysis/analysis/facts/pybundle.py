"""Code a module runs from a file the package carries beside it.

`runpy.run_path(os.path.join(os.path.dirname(__file__), "data", "defaults.dat"))`,
`exec(open(here / "cfg.txt").read())`, `SourceFileLoader("x", path).load_module()`: the file
is not a `.py` module, so on its own it weighs as data; what runs is its text. This module
answers, for one call, which file of the package (relative to the module's folder) a sink
runs, when the path is built from `__file__` and literals (joins, `/`, `with_name`, `..`).
"""

from __future__ import annotations

import ast
import posixpath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .python import PyFacts

# sinks that run the text of their first argument
_TEXT_SINKS = {"exec", "eval", "compile", "builtins.exec", "builtins.eval", "builtins.compile"}
# sinks that run the file at a path
_PATH_SINKS = {
    "runpy.run_path": 0,
    "importlib.machinery.SourceFileLoader": 1,
    "importlib.machinery.SourcelessFileLoader": 1,
    "importlib.util.spec_from_file_location": 1,
}
_READERS = {"read", "read_text", "read_bytes"}
_DIRNAMES = {"os.path.dirname", "posixpath.dirname", "ntpath.dirname"}
_ABSOLUTE = {"os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath", "str"}
_JOINS = {"os.path.join", "posixpath.join", "ntpath.join"}
_PATHS = {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath"}
_HERE = "\0here"  # the module's own file
MAX_DEPTH = 12


def run_file(f: PyFacts, call: ast.Call) -> str | None:
    """The package file (relative to the module's folder, `..` allowed) whose text `call`
    runs, or None."""
    name = f.qualname(call.func).removeprefix("builtins.")
    if name in _TEXT_SINKS and call.args:
        return _read_of(f, call.args[0], 0)
    if name.endswith(".load_module") or name.endswith(".exec_module"):
        return None  # the loader's own call is the sink below
    index = _PATH_SINKS.get(name)
    if index is not None and len(call.args) > index:
        return _file(f, call.args[index], 0)
    return None


def _read_of(f: PyFacts, node: ast.AST, depth: int) -> str | None:
    """`open(P).read()`, `Path(P).read_text()`, `P.read_text()`, or a name bound to one."""
    node = _bound(f, node, depth)
    if not isinstance(node, ast.Call) or depth > MAX_DEPTH:
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "decode":
        return _read_of(f, func.value, depth + 1)
    if not isinstance(func, ast.Attribute) or func.attr not in _READERS:
        return None
    target = _bound(f, func.value, depth)
    if isinstance(target, ast.Call) and f.qualname(target.func) in {"open", "io.open"}:
        return _file(f, target.args[0], depth + 1) if target.args else None
    return _file(f, target, depth + 1)


def _file(f: PyFacts, node: ast.AST, depth: int) -> str | None:
    path = _path(f, node, depth)
    if path is None or path == _HERE or not path.startswith(_HERE + "/"):
        return None
    rel = posixpath.normpath(path[len(_HERE) + 1 :])
    return rel if rel not in {".", ""} else None


def _bound(f: PyFacts, node: ast.AST, depth: int) -> ast.AST:
    """A plain name bound once to an expression: that expression."""
    while isinstance(node, ast.Name) and depth < MAX_DEPTH:
        bound = [b for b in f.bindings.get(node.id, []) if isinstance(b, ast.expr)]
        if len(bound) != 1:
            break
        node, depth = bound[0], depth + 1
    return node


def _path(f: PyFacts, node: ast.AST, depth: int) -> str | None:
    """The path an expression spells: `_HERE` for the module's file, `_HERE/..` for its
    folder, then literal parts; None when any part is unknown."""
    if depth > MAX_DEPTH:
        return None
    node = _bound(f, node, depth)
    if isinstance(node, ast.Name) and node.id == "__file__":
        return _HERE
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _join(_path(f, node.left, depth + 1), _path(f, node.right, depth + 1))
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return _parent(_path(f, node.value, depth + 1))
    if not isinstance(node, ast.Call):
        return None
    args = node.args
    if isinstance(node.func, ast.Attribute) and node.func.attr in {"resolve", "absolute"}:
        return _path(f, node.func.value, depth + 1)
    if isinstance(node.func, ast.Attribute) and node.func.attr in {"joinpath", "with_name"}:
        base = _path(f, node.func.value, depth + 1)
        if node.func.attr == "with_name":
            base = _parent(base)
        parts = [_path(f, a, depth + 1) for a in args]
        for part in parts:
            base = _join(base, part)
        return base
    name = f.qualname(node.func)
    if name in _DIRNAMES and len(args) == 1:
        return _parent(_path(f, args[0], depth + 1))
    if (name in _ABSOLUTE or name in _PATHS) and len(args) == 1:
        return _path(f, args[0], depth + 1)
    if name in _JOINS | _PATHS and args:
        out = _path(f, args[0], depth + 1)
        for a in args[1:]:
            out = _join(out, _path(f, a, depth + 1))
        return out
    return None


def _parent(path: str | None) -> str | None:
    if path is None:
        return None
    if path == _HERE:
        return _HERE + "/."
    if path.startswith(_HERE + "/"):
        return path + "/.."
    return posixpath.dirname(path) if "/" in path else None


def _join(base: str | None, part: str | None) -> str | None:
    if base is None or part is None or part.startswith(("/", _HERE)):
        return None
    return base.rstrip("/") + "/" + part.replace("\\", "/")
