"""Names reached by lookup calls instead of attribute syntax, for `Resolver.qualname`:
`getattr(mod, "na" + "me")`, `mod.__getattribute__(…)`, `mod.__dict__.get(…)`,
`sys.modules.get(…)`, `operator.attrgetter(…)(mod)`, `functools.reduce(getattr, […], mod)`,
`eval("ex" + "ec")` (an eval of a folded text that only names something is that thing).
The looked-up name is folded; the object is resolved like any other."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pyresolve import Resolver

_REDUCERS = {"functools.reduce", "reduce", "_functools.reduce"}
_DOTTED = re.compile(r"\s*[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\s*")


def lookup(r: Resolver, node: ast.Call, func: str, depth: int) -> str | None:
    """The qualified name a lookup call returns ('' when it cannot be folded), or None when
    the call is no lookup."""
    args = node.args
    if func == "getattr" and len(args) >= 2:
        if _this_module(r, args[0], depth):  # getattr(sys.modules[__name__], "f"): f
            name = r.value(args[1]).text()
            return r.qualname(ast.Name(name, ast.Load()), depth + 1) if name else ""
        return _join(r.qualname(args[0], depth + 1), r.value(args[1]).text())
    if func.endswith(".__getattribute__") and args:
        return _join(func.removesuffix(".__getattribute__"), r.value(args[0]).text())
    if func.endswith(".__dict__.get") and args:
        return _join(func.removesuffix(".__dict__.get"), r.value(args[0]).text())
    if func == "sys.modules.get" and args:
        return r.value(args[0]).text() or ""
    if func in _REDUCERS and len(args) == 3 and r.qualname(args[0], depth + 1) == "getattr":
        names = r.value(args[1]).data
        if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
            return _join(r.qualname(args[2], depth + 1), ".".join(names))
        return ""
    named = r.value(args[0]).text() if func == "eval" and args else None
    if named and _DOTTED.fullmatch(named):
        head, _, rest = named.strip().partition(".")
        base = r.qualname(ast.Name(head, ast.Load()), depth + 1)
        return _join(base, rest) if rest else base
    inner = node.func
    if (
        isinstance(inner, ast.Call)
        and args
        and len(inner.args) == 1
        and r.qualname(inner.func, depth + 1) == "operator.attrgetter"
    ):
        return _join(r.qualname(args[0], depth + 1), r.value(inner.args[0]).text())
    return None


def _this_module(r: Resolver, node: ast.expr, depth: int) -> bool:
    """`sys.modules[__name__]`: the module the code is in."""
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Name)
        and node.slice.id == "__name__"
        and r.qualname(node.value, depth + 1) == "sys.modules"
    )


def _join(base: str, attr: str | None) -> str:
    return f"{base}.{attr}" if base and attr else ""
