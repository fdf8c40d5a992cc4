"""Load time inside one module: from the top level (and the functions other modules call at
load time) through what runs: calls, classes' run methods, decorators that call what they
decorate, thread targets and atexit/signal callbacks, metaclasses and `__init_subclass__`."""

from __future__ import annotations

import ast
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .python import Call, PyFacts

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
# making an instance runs these; `__call__` runs only when an instance is called
_RUN_METHODS = {"__init__", "__new__", "__enter__", "__init_subclass__", "__set_name__"}
_META_METHODS = {"__new__", "__init__", "__prepare__", "__call__"}
_HANDOVER = {
    "register",
    "Thread",
    "Process",
    "Timer",
    "setup",
    "signal",
    "submit",
    "start_new_thread",
    "call_soon",
    "run_in_executor",
    "map",
}


def reached(f: PyFacts) -> set[int]:
    """Function ids that run at load time, from the top level through what it calls."""
    module = id(f.tree)
    reached = {module}
    by_owner: dict[int, list[Call]] = {}
    for c in f.calls:
        by_owner.setdefault(c.owner, []).append(c)
    frontier = [module]
    called = _called_instances(f)
    roots = [d for name in f.entered for d in f.defs.get(name, [])]
    for d in roots:
        frontier += _enter_def(d, reached, called)
    for cls in f.classes:  # metaclasses and __init_subclass__ run when a class is defined
        if f.owner.get(id(cls)) in reached and id(cls) not in f.guarded:
            frontier += _class_hooks(f, cls, reached)
    for fn in (d for ds in f.defs.values() for d in ds):
        if fn.decorator_list:  # a class's decorators run when it is defined, as a function's
            frontier += _decorated(f, fn, reached)
    for _ in range(8):
        new: list[int] = []
        for owner in frontier:
            for c in by_owner.get(owner, []):
                if c.guarded:
                    continue
                for name in called_names(c.node) | _resolved(f, c.node):
                    for d in f.defs.get(name, []):
                        new += _enter_def(d, reached, called)
                    lambdas = [b for b in f.bindings.get(name, []) if isinstance(b, ast.Lambda)]
                    new += _enter_lambdas(lambdas, reached)  # `f = lambda: …; f()`
                new += _enter_lambdas(handed_lambdas(c.node), reached)
        if not new:
            break
        frontier = new
    return reached


def _enter_def(d: Any, reached: set[int], called: Collection[str] = ()) -> list[int]:
    runs = _RUN_METHODS | ({"__call__"} if getattr(d, "name", "") in called else set())
    members = (
        [m for m in d.body if isinstance(m, _FUNCS) and m.name in runs]
        if isinstance(d, ast.ClassDef)
        else [d]
    )
    out = [id(m) for m in members if id(m) not in reached]
    reached.update(out)
    return out


def _called_instances(f: PyFacts) -> set[str]:
    """Classes whose instances the module calls: `C()()`, `x = C()` then `x()`, `@C()`.
    Read from the facts the one walk collected (its calls, bindings and definitions), not by
    walking the tree again."""
    out: set[str] = set()
    classes = [d for ds in f.defs.values() for d in ds if isinstance(d, ast.ClassDef)]
    if not any(isinstance(m, _FUNCS) and m.name == "__call__" for c in classes for m in c.body):
        return out
    names: set[str] = set()
    for c in f.calls:
        func = c.node.func
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Name):
            out.add(func.func.id)
        elif isinstance(func, ast.Name):
            names.add(func.id)
    for ds in f.defs.values():
        for d in ds:
            for dec in d.decorator_list:
                if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Name):
                    out.add(dec.func.id)
                elif isinstance(dec, ast.Name):
                    names.add(dec.id)
    for var in names:  # `x = C()` (or `x: C = C()`, `with C() as x`) and then `x()`
        for b in f.bindings.get(var, []):
            if isinstance(b, ast.Call) and isinstance(b.func, ast.Name):
                out.add(b.func.id)
    return out


def _class_hooks(f: PyFacts, cls: ast.ClassDef, reached: set[int]) -> list[int]:
    out: list[int] = []
    for kw in cls.keywords:
        if kw.arg == "metaclass" and isinstance(kw.value, ast.Name):
            for meta in f.defs.get(kw.value.id, []):
                if isinstance(meta, ast.ClassDef):
                    ms = [m for m in meta.body if isinstance(m, _FUNCS) and m.name in _META_METHODS]
                    out += [id(m) for m in ms if id(m) not in reached]
    for base in cls.bases:
        if isinstance(base, ast.Name):
            for b in f.defs.get(base.id, []):
                if isinstance(b, ast.ClassDef):
                    ms = [
                        m
                        for m in b.body
                        if isinstance(m, _FUNCS) and m.name in {"__init_subclass__", "__set_name__"}
                    ]
                    out += [id(m) for m in ms if id(m) not in reached]
    reached.update(out)
    return out


def _enter_lambdas(lambdas: list[ast.Lambda], reached: set[int]) -> list[int]:
    out = [id(lam) for lam in lambdas if id(lam) not in reached]
    reached.update(out)
    return out


def handed_lambdas(call: ast.Call) -> list[ast.Lambda]:
    """Lambdas a call runs or hands over to be run: `(lambda: …)()`, `Timer(5, lambda: …)`,
    `Thread(target=lambda: …)`, `atexit.register(lambda: …)`."""
    func = call.func
    if isinstance(func, ast.Lambda):
        return [func]
    last = last_name(func)
    handed = [k.value for k in call.keywords if k.arg in {"target", "callback", "function"}]
    if last in _HANDOVER or last in {"partial", "call_later", "submit", "apply_async"}:
        handed += call.args
    return [a for a in handed if isinstance(a, ast.Lambda)]


def _decorated(
    f: PyFacts, fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, reached: set[int]
) -> list[int]:
    """A decorator runs when the function is defined; it may call the function right away
    (`@(lambda f: f())`, a local decorator that calls its argument) or register it
    (`@atexit.register`)."""
    if f.owner.get(id(fn)) not in reached or id(fn) in f.guarded:
        return []
    out: list[int] = []
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        q = f.qualname(target)
        calls_it = isinstance(target, ast.Lambda) or q in {"atexit.register", "signal.signal"}
        for d in f.defs.get(q, []) if isinstance(target, ast.Name) else []:
            if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef) and id(d) not in reached:
                reached.add(id(d))
                out.append(id(d))
                params = {a.arg for a in d.args.args}
                calls_it |= any(  # in its own body: a wrapper it returns runs later
                    isinstance(c.func, ast.Name) and c.func.id in params
                    for c in _own_nodes(d)
                    if isinstance(c, ast.Call)
                )
        if calls_it and isinstance(fn, ast.ClassDef):
            out += _enter_def(fn, reached)  # `@(lambda c: c())`: an instance is made
        elif calls_it and id(fn) not in reached:
            reached.add(id(fn))
            out.append(id(fn))
    return out


def _own_nodes(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of a function's body, not those of the functions it defines."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = list(fn.body)
    while todo:
        node = todo.pop()
        out.append(node)
        if not isinstance(node, (*_FUNCS, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))
    return out


def _resolved(f: PyFacts, call: ast.Call) -> set[str]:
    """The local function a call reaches through a lookup the syntax does not name:
    `HANDLERS["go"]()`, `functools.partial(f, …)()`, `getattr(sys.modules[__name__], "f")()`,
    or a name bound to one of those or to the function (`report = partial(f, …); report()`,
    `g = f; g()`)."""
    if isinstance(call.func, ast.Name) and (
        call.func.id in f.defs or call.func.id not in f.bindings
    ):
        return set()
    name = f.qualname(call.func)
    return {name} if name and "." not in name and name in f.defs else set()


def last_name(func: ast.expr) -> str:
    """`register` of `atexit.register` or of `register`; '' for anything else."""
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def called_names(call: ast.Call) -> set[str]:
    """Functions a call runs, or hands to something that will run them
    (Thread(target=f), atexit.register(f), signal.signal(s, f), setup(cmdclass={...}))."""
    names: set[str] = set()
    func = call.func
    if isinstance(func, ast.Name):
        names.add(func.id)
    last = last_name(func)
    handed = [
        k.value for k in call.keywords if k.arg in {"target", "cmdclass", "callback", "function"}
    ]
    if last in _HANDOVER:
        handed += call.args
    for arg in handed:
        for m in ast.walk(arg):
            if isinstance(m, ast.Name):
                names.add(m.id)
    return names
