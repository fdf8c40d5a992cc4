"""Calls that hand a library callable over to be called later: `Thread(target=os.system,
args=(cmd,))`, `atexit.register(os.system, cmd)`, `map(os.system, [cmd])`,
`functools.partial(os.system, cmd)`, `loop.call_soon(exec, src)`. What they will run is
recorded as a call of its own (`os.system(cmd)`), at the handing call's place and with its
owner, so every rule sees it as it sees a direct call. A local function handed over is not
copied: load time enters it (`loadtime.called_names`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .loadtime import last_name

if TYPE_CHECKING:
    from .python import Call, PyFacts

# handing call's last name → index of the callable among its positional arguments
_POSITION = {
    "register": 0, "submit": 0, "call_soon": 0, "call_soon_threadsafe": 0, "partial": 0,
    "map": 0, "start_new_thread": 0, "call_later": 1, "call_at": 1, "run_in_executor": 1,
    "Timer": 1, "apply_async": 0, "apply": 0, "starmap": 0,
    # operator.call(f, *args); ExitStack().callback(f, *args) at the stack's close;
    # weakref.finalize(obj, f, *args) when obj goes or at exit; sched's enter(delay,
    # priority, f, args)
    "call": 0, "callback": 0, "finalize": 1, "enter": 2, "enterabs": 2,
}  # fmt: skip
_KEYWORDS = {"target", "function", "func", "fn"}
_SPREAD = {"start_new_thread", "enter", "enterabs"}  # the arguments as one tuple: f(fn, (a, b))
_ONE_EACH = {"map", "starmap"}  # called once per item of the iterable


def synthesize(f: PyFacts, call_type: type[Call]) -> None:
    """Append a call for each library callable handed over (at most 200 per module)."""
    made = 0
    for c in list(f.calls):
        node = c.node
        func = node.func
        last = last_name(func)
        keyed = next((k for k in node.keywords if k.arg in _KEYWORDS), None)
        handed: ast.expr | None
        called = _methodcaller(f, node)
        if called is not None:  # methodcaller("system", cmd)(os) → os.system(cmd)
            handed, args, kwargs = called
        elif keyed is None and last not in _POSITION:
            continue
        else:
            handed, args, kwargs = _handed(node, last, keyed)
        if handed is None:
            continue
        if isinstance(handed, ast.Call):  # Thread(target=partial(os.system, cmd))
            inner = handed.func
            if last_name(inner) != "partial" or not handed.args:
                continue
            args = [*handed.args[1:], *args]
            kwargs = [*handed.keywords, *kwargs]
            handed = handed.args[0]
        if not _library_callable(f, handed):
            continue
        new = ast.Call(func=handed, args=args, keywords=kwargs)
        ast.copy_location(new, node)
        new.end_lineno, new.end_col_offset = node.end_lineno, node.end_col_offset
        f.owner[id(new)] = c.owner
        if c.guarded:
            f.guarded.add(id(new))
        f.calls.append(call_type(new, c.owner, c.guarded))
        made += 1
        if made >= 200:
            return


def _methodcaller(
    f: PyFacts, node: ast.Call
) -> tuple[ast.expr, list[ast.expr], list[ast.keyword]] | None:
    """`operator.methodcaller(name, *args)(obj)`: the method of obj named by the folded name,
    with the arguments given to methodcaller."""
    inner = node.func
    if not (isinstance(inner, ast.Call) and inner.args and len(node.args) == 1):
        return None
    if f.qualname(inner.func) != "operator.methodcaller":
        return None
    name = f.value(inner.args[0]).text()
    if not name or not name.isidentifier():
        return None
    method = ast.Attribute(value=node.args[0], attr=name, ctx=ast.Load())
    ast.copy_location(method, node)
    return method, list(inner.args[1:]), list(inner.keywords)


def _handed(
    node: ast.Call, last: str, keyed: ast.keyword | None
) -> tuple[ast.expr | None, list[ast.expr], list[ast.keyword]]:
    """The callable, and the positional and keyword arguments it will be called with."""
    if keyed is not None:
        args_kw = next((k.value for k in node.keywords if k.arg == "args"), None)
        args = list(args_kw.elts) if isinstance(args_kw, ast.Tuple | ast.List) else []
        kw = next((k.value for k in node.keywords if k.arg == "kwargs"), None)
        kwargs = (
            [ast.keyword(arg=k.value, value=v) for k, v in zip(kw.keys, kw.values, strict=False)
             if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if isinstance(kw, ast.Dict)
            else []
        )  # fmt: skip
        return keyed.value, args, kwargs
    at = _POSITION[last]
    if len(node.args) <= at or any(isinstance(a, ast.Starred) for a in node.args[: at + 1]):
        return None, [], []
    rest = node.args[at + 1 :]
    if last in _SPREAD:
        rest = list(rest[0].elts) if rest and isinstance(rest[0], ast.Tuple | ast.List) else []
    elif last in _ONE_EACH:
        items = rest[0] if rest else None
        first = items.elts[0] if isinstance(items, ast.List | ast.Tuple) and items.elts else items
        rest = [first] if first is not None else []
    keywords = [k for k in node.keywords if k.arg is not None] if last == "partial" else []
    return node.args[at], list(rest), keywords


def _library_callable(f: PyFacts, handed: ast.expr) -> bool:
    """A function of a module or a builtin that runs code (not a local def, not a lambda:
    load time enters those)."""
    if isinstance(handed, ast.Name):
        return handed.id not in f.defs and handed.id in {"exec", "eval", "compile", "execfile"}
    if not isinstance(handed, ast.Attribute):
        return False
    return "." in f.qualname(handed)
