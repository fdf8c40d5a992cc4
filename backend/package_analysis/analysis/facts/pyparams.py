"""What a module's own call sites hand the parameters of its functions (`Resolver.params`):
the values a parameter holds when the function runs, followed across the calls the module
makes (`f(a)`, `g = f; g(a)`, `functools.partial(f, a)`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from .pyresolve import PARTIALS
from .values import Value

if TYPE_CHECKING:
    from .python import PyFacts


def handed(f: PyFacts) -> dict[tuple[int, str], Value]:
    """What local call sites hand each parameter (values followed across the calls seen):
    tainted data from any site (the last seen), else a folded string or number when every
    site that hands the parameter hands that same one (`_post(URL, key)` at import: the
    helper's request goes to URL). Sites that disagree leave it unknown, as a value only
    known at run time does: no one of them may stand for the others (`run("os", cmd)`
    beside `run("json", x)` must not read `__import__(m).system` as `json.system`). A call
    through a name bound to the function counts (`g = f; g(…)`); `functools.partial(f, a,
    …)` hands `a, …` to f's first parameters, and the partial's own call (`partial(f,
    a)(b)`) the next ones."""
    handed: dict[tuple[int, str], list[Value]] = {}
    for c in f.calls:
        node = c.node
        func: ast.expr = node.func
        args, skip = node.args, 0
        made = _partial(f, func)
        if made is not None:  # `partial(f, a)(b)`, `p = partial(f, a); p(b)`: b is f's second
            func, skip = made.args[0], len(made.args) - 1
        elif (
            args and isinstance(args[0], ast.Name) and args[0].id in f.defs and _is_partial(f, node)
        ):
            func, args = args[0], args[1:]
        if isinstance(func, ast.Lambda):  # `(lambda c: exec(c))(src)`
            defs: list[Any] = [func]
        elif isinstance(func, ast.Name):
            target = func.id if func.id in f.defs else f.resolver.qualname(func)
            defs = f.defs.get(target, [])
        else:
            continue
        for d in defs:
            if not isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            params = [a.arg for a in d.args.args]
            pairs = list(zip(params[skip:], args, strict=False))
            pairs += [(k.arg, k.value) for k in node.keywords if k.arg in params]
            for name, arg in pairs:
                handed.setdefault((id(d), name), []).append(f.resolver.value(arg))
    out: dict[tuple[int, str], Value] = {}
    for key, values in handed.items():
        tainted = [v for v in values if v.tainted()]
        if tainted:
            out[key] = tainted[-1]
        elif isinstance(values[0].data, str | bytes | int) and all(
            v.data == values[0].data for v in values[1:]
        ):
            out[key] = values[0]
    return out


def _is_partial(f: PyFacts, call: ast.Call) -> bool:
    return f.resolver.qualname(call.func) in PARTIALS


def _partial(f: PyFacts, func: ast.expr) -> ast.Call | None:
    """The `partial(g, …)` call a called expression is: written in place, or the last value
    of a name that is not one of the module's functions."""
    made: object = func
    if isinstance(func, ast.Name) and func.id not in f.defs:
        bound = f.bindings.get(func.id)
        made = bound[-1] if bound else None
    if isinstance(made, ast.Call) and made.args and _is_partial(f, made):
        return made
    return None
