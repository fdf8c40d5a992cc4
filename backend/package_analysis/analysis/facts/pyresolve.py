"""Name resolution and constant folding for one Python module (on facts, not on the tree).

`qualname(expr)` names what an expression refers to, through `import … as`, `from x import y`,
assignment aliases, `getattr(mod, <folded>)`, `vars()`/`globals()`/`__dict__`/`__builtins__`
subscripts, `importlib.import_module`/`__import__` with folded names, `sys.modules[...]` and
`ctypes` libraries. `value(expr)` folds strings and follows where data comes from
(`values.Value`); method-call folding lives in `pyfold`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from . import pyexpr, pyfold, pyrefs
from .values import BUNDLED, DECODED, LITERAL, UNKNOWN, Step, Value, merge

MAX_DEPTH = 12
_BUILTIN_PREFIXES = ("builtins.", "__builtins__.", "__builtin__.")
_IMPORTERS = {"importlib.import_module", "__import__", "importlib.__import__"}
_CTYPES_LOADERS = {
    "ctypes.CDLL",
    "ctypes.PyDLL",
    "ctypes.WinDLL",
    "ctypes.OleDLL",
    "ctypes.cdll.LoadLibrary",
    "ctypes.windll.LoadLibrary",
    "ctypes.LibraryLoader",
    "ctypes.util.find_library",
}
_NAMESPACE_CALLS = {"globals", "locals", "vars"}
_ENVIRONS = re.compile(r"^(os\.environb|posix\.environb?|nt\.environ)(?=\.|$)")
PARTIALS = {"functools.partial", "functools.partialmethod"}
_LITERAL = frozenset({LITERAL})  # (one shared set: every constant's origin)


def normalise(q: str) -> str:
    """`builtins.exec` → `exec`; `ctypes.cdll.msvcrt.system` → `ctypes.lib.system`."""
    for prefix in _BUILTIN_PREFIXES:
        if q.startswith(prefix):
            return q[len(prefix) :]
    if "environ" in q:  # os.environb, posix.environ, nt.environ: the environment too
        q = _ENVIRONS.sub("os.environ", q)
    if q.startswith(("ctypes.cdll.", "ctypes.windll.")) and q.count(".") >= 3:
        parts = q.split(".")
        return "ctypes.lib." + ".".join(parts[3:])
    return q


class Resolver:
    def __init__(
        self,
        bindings: dict[str, list[Any]],
        *,
        line_text: Callable[[int], str],
        returns: dict[str, list[ast.expr]] | None = None,
        owner: dict[int, int] | None = None,
    ) -> None:
        self.bindings = bindings  # name → [module/function qualname str | assigned expr]
        self.returns = returns or {}  # local function name → its return expressions
        self.owner = owner or {}  # node id → owning function id
        self.params: dict[tuple[int, str], Value] = {}  # (function id, parameter) → handed
        self.fed: dict[str, list[ast.expr]] = {}  # object name → data put into it
        self.defaults: dict[tuple[int, str], ast.expr] = {}  # (function id, parameter) → default
        self.docs: dict[str, ast.expr] = {}  # def or class name → its docstring
        self.loop_items: set[int] = set()  # a loop variable's item: only in its own scope
        self.line_text = line_text
        self._values: dict[int, Value] = {}
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._active: set[int] = set()
        self._quals: dict[int, str] = {}
        # name → (its binding list, its length, assigned exprs, each one's owner)
        self._owners: dict[str, tuple[list[Any], int, list[Any], list[int | None]]] = {}
        self._here: dict[tuple[str, int | None], tuple[list[Any], int, list[Any]]] = {}

    # ---- what a name or expression refers to ----
    def qualname(self, node: ast.AST, depth: int = 0) -> str:
        # every rule asks for every call's name: a rule's question (no value being folded,
        # so no parameter of an inlined call in play) is answered once per node
        top = depth == 0 and not self._active
        if top and (known := self._quals.get(id(node))) is not None:
            return known
        out = normalise(self._qual(node, depth))
        if top:
            self._quals[id(node)] = out
        return out

    def _qual(self, node: ast.AST, depth: int) -> str:
        if depth > MAX_DEPTH:
            return ""
        if isinstance(node, ast.Name):
            default = self._default(node)
            if default is not None:
                return self.qualname(default, depth + 1)
            return self._name(node.id, depth)
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value, depth + 1)
            if node.attr == "__call__":  # `exec.__call__(src)` calls exec
                return base
            return f"{base}.{node.attr}" if base else ""
        if isinstance(node, ast.Call):
            return self._call_ref(node, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript_ref(node, depth)
        if isinstance(node, ast.NamedExpr):
            return self.qualname(node.value, depth + 1)
        return ""

    def _name(self, name: str, depth: int) -> str:
        bound = self.bindings.get(name)
        if not bound:
            return name
        named = [b for b in bound if id(b) not in self.loop_items] if self.loop_items else bound
        target = (named or bound)[-1]
        if isinstance(target, str):
            return target
        if isinstance(target, ast.Name | ast.Attribute | ast.Call | ast.Subscript):
            return self.qualname(target, depth + 1)
        if isinstance(target, ast.Await):  # `x = await open_connection(…)`: what it answers
            return self.qualname(target.value, depth + 1)
        return ""  # rebound to a value (`requests = []`): no longer the module

    def _default(self, node: ast.Name) -> ast.expr | None:
        """The default of the parameter a name is, when its function binds it nowhere else."""
        if not self.defaults:
            return None
        here = self.owner.get(id(node))
        default = self.defaults.get((here, node.id)) if here is not None else None
        if default is None or (here, node.id) in self.params:
            return None
        bound = self.bindings.get(node.id, [])
        if any(not isinstance(b, str) and self._bound_in(b) == here for b in bound):
            return None
        return default

    def _call_ref(self, node: ast.Call, depth: int) -> str:
        func = self.qualname(node.func, depth + 1)
        looked_up = pyrefs.lookup(self, node, func, depth)  # getattr(mod, "na" + "me"), …
        if looked_up is not None:
            return looked_up
        if func in _IMPORTERS and node.args:
            name = self.value(node.args[0]).text()
            return name or ""
        # a module loaded by path: `module_from_spec(spec_from_file_location("pkg.mod", p))`
        # is that module (its functions called through the object run like imported ones)
        if func == "importlib.util.spec_from_file_location" and node.args:
            return self.value(node.args[0]).text() or ""
        if func == "importlib.util.module_from_spec" and node.args:
            return self.qualname(node.args[0], depth + 1)
        if func in _CTYPES_LOADERS:
            return "ctypes.lib"
        if func in {"type"} and node.args:  # type(x).__call__ tricks stay unresolved
            return ""
        if func in PARTIALS and node.args:  # partial(f, …) is f with arguments bound
            return self.qualname(node.args[0], depth + 1)
        return f"{func}()" if func else ""

    def _subscript_ref(self, node: ast.Subscript, depth: int) -> str:
        key = self.value(node.slice).text()
        if not key:
            return ""
        base = node.value
        if isinstance(base, ast.Call):
            fn = self.qualname(base.func, depth + 1)
            if fn in _NAMESPACE_CALLS and not base.args:
                return self._name(key, depth + 1)
            if fn == "vars" and base.args:
                owner = self.qualname(base.args[0], depth + 1)
                return f"{owner}.{key}" if owner else ""
        if isinstance(base, ast.Attribute) and base.attr == "__dict__":
            owner = self.qualname(base.value, depth + 1)
            return f"{owner}.{key}" if owner else ""
        if isinstance(base, ast.Name):  # HANDLERS["go"] of HANDLERS = {"go": f, …}
            table = self._table(base)
            if table is not None:
                return self.qualname(table[key], depth + 1) if key in table else ""
        owner = self.qualname(base, depth + 1)
        if owner in {"__builtins__", "builtins", "__builtin__"}:
            return key
        if owner == "sys.modules":
            return key
        return ""

    def _table(self, name: ast.Name) -> dict[str, ast.expr] | None:
        """A name bound (last) to a dict literal: its constant string keys' values."""
        bound = [b for b in self.bindings.get(name.id, ()) if not isinstance(b, str)]
        if not bound or not isinstance(bound[-1], ast.Dict):
            return None
        table = bound[-1]
        return {
            k.value: v
            for k, v in zip(table.keys, table.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }

    def forget(self, node: ast.AST) -> None:
        self._values.pop(id(node), None)

    # ---- what an expression holds ----
    def value(self, node: ast.AST | None, depth: int = 0) -> Value:
        if node is None or depth > MAX_DEPTH:
            return UNKNOWN
        key = id(node)
        cached = self._values.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return UNKNOWN
        self._active.add(key)
        try:
            out = self._value(node, depth)
        except (ValueError, TypeError, OverflowError, MemoryError, IndexError, KeyError):
            out = UNKNOWN
        finally:
            self._active.discard(key)
        self._values[key] = out
        return out

    def _value(self, node: ast.AST, depth: int) -> Value:
        # the branch for the node's exact class (the chain below picks the same one: no
        # two branches take the same class); a subclass goes down the chain
        fold = _FOLD.get(type(node))
        if fold is not None:
            return fold(self, node, depth)
        return self._value_chain(node, depth)

    def _constant(self, node: ast.Constant, depth: int) -> Value:
        v = node.value
        if isinstance(v, str | bytes | int) and not isinstance(v, bool):
            return Value(v, _LITERAL)
        return UNKNOWN

    def _sequence(self, node: ast.List | ast.Tuple | ast.Set, depth: int) -> Value:
        items = [self.value(e, depth + 1) for e in node.elts]
        data = [i.data for i in items] if all(i.known for i in items) else None
        return merge(items, data)

    def _inner(self, node: ast.NamedExpr | ast.Await | ast.Starred, depth: int) -> Value:
        return self.value(node.value, depth + 1)

    def _call(self, node: ast.Call, depth: int) -> Value:
        return pyfold.call(self, node, depth)

    def _attribute(self, node: ast.Attribute, depth: int) -> Value:
        return pyfold.attribute(self, node, depth)

    def _value_chain(self, node: ast.AST, depth: int) -> Value:
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, str | bytes | int) and not isinstance(v, bool):
                return Value(v, _LITERAL)
            return UNKNOWN
        if isinstance(node, ast.Name):
            return self._name_value(node, depth)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items = [self.value(e, depth + 1) for e in node.elts]
            data = [i.data for i in items] if all(i.known for i in items) else None
            return merge(items, data)
        if isinstance(node, ast.Dict):
            items = [self.value(v, depth + 1) for v in node.values if v is not None]
            return merge(items)
        if isinstance(node, ast.BinOp):
            return self._binop(node, depth)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, depth)
        if isinstance(node, ast.FormattedValue):
            inner = self.value(node.value, depth + 1)
            return merge([inner], pyexpr.as_text(inner.data))
        if isinstance(node, ast.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, ast.Call):
            return pyfold.call(self, node, depth)
        if isinstance(node, ast.Attribute):
            return pyfold.attribute(self, node, depth)
        if isinstance(node, ast.NamedExpr | ast.Await | ast.Starred):
            return self.value(node.value, depth + 1)
        if isinstance(node, ast.IfExp):
            return merge([self.value(node.body, depth + 1), self.value(node.orelse, depth + 1)])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand, depth + 1)
            return Value(-inner.data, inner.origins) if isinstance(inner.data, int) else UNKNOWN
        if isinstance(node, ast.BoolOp):
            return merge([self.value(v, depth + 1) for v in node.values])
        if isinstance(node, ast.GeneratorExp | ast.ListComp | ast.SetComp | ast.DictComp):
            return pyexpr.comprehension(self, node, depth)
        return UNKNOWN

    def _name_value(self, node: ast.Name, depth: int) -> Value:
        own = self._bound_value(node, depth)
        fed = self.fed.get(node.id)
        if not fed:
            return own
        # an object that secrets or fetched data were put into holds them
        tainted = [v for v in (self.value(e, depth + 1) for e in fed[:8]) if v.tainted()]
        return merge([own, *tainted]) if tainted else own

    def _bound_value(self, node: ast.Name, depth: int) -> Value:
        default = self._default(node)
        if default is not None:
            return self.value(default, depth + 1)
        bound = self.bindings.get(node.id)
        if bound:
            exprs = self._bound_here(node.id, bound, self.owner.get(id(node)))
            if exprs:
                last = self.value(exprs[-1], depth + 1)
                if len(exprs) == 1 or last.tainted():
                    return last
                return merge([self.value(e, depth + 1) for e in exprs[-4:]], last.data)
        param = self.params.get((self.owner.get(id(node), 0), node.id))
        if param is None and node.id == "__file__":
            return Value(None, frozenset({BUNDLED}))
        return param if param is not None else UNKNOWN

    def _bound_here(self, name: str, bound: list[Any], here: int | None) -> list[Any]:
        """A name's assigned expressions, those bound in function `here` when there are
        any (a name bound in this function: its own bindings, not another function's).
        Memoised per name and function: a common name (`expr`, `args`) is bound in
        hundreds of functions and referenced thousands of times."""
        key = (name, here)
        known = self._here.get(key)
        if known is not None and known[0] is bound and known[1] == len(bound):
            return known[2]
        by_owner = self._owners.get(name)
        if by_owner is None or by_owner[0] is not bound or by_owner[1] != len(bound):
            exprs = [b for b in bound if not isinstance(b, str)]
            owners = [self._bound_in(e) for e in exprs]
            by_owner = (bound, len(bound), exprs, owners)
            self._owners[name] = by_owner
        exprs, owners = by_owner[2], by_owner[3]
        local = [e for e, o in zip(exprs, owners, strict=True) if o == here]
        out = local or [e for e in exprs if id(e) not in self.loop_items]
        self._here[key] = (bound, len(bound), out)
        return out

    def _bound_in(self, expr: Any) -> int | None:
        owner = self.owner.get(id(expr))
        if owner is None and isinstance(expr, ast.BinOp):  # `x += …`, made from its target
            owner = self.owner.get(id(expr.left))
        return owner

    def _binop(self, node: ast.BinOp, depth: int) -> Value:
        return pyexpr.binop(self, node, depth)

    def _fstring(self, node: ast.JoinedStr, depth: int) -> Value:
        parts = [self.value(v, depth + 1) for v in node.values]
        texts = [pyexpr.as_text(p.data) for p in parts]
        data = (
            "".join(t for t in texts if t is not None)
            if all(t is not None for t in texts)
            else None
        )
        return merge(parts, data)

    def _subscript(self, node: ast.Subscript, depth: int) -> Value:
        ref = self._subscript_ref(node, depth) if not isinstance(node.slice, ast.Slice) else ""
        if ref.startswith("os.environ"):
            return pyfold.source_value(self, node, ref)
        base = self.value(node.value, depth + 1)
        data = base.data
        if data is None:
            return merge([base])
        sl = node.slice
        if isinstance(sl, ast.Slice):
            lo, hi, st = (
                self.value(x, depth + 1).data if x is not None else None
                for x in (sl.lower, sl.upper, sl.step)
            )
            if all(x is None or isinstance(x, int) for x in (lo, hi, st)) and st != 0:
                if st == -1:
                    step = Step("transform", node.lineno, "reversed")
                    return base.then(data[slice(lo, hi, st)], DECODED, step)
                return base.then(data[slice(lo, hi, st)], "", None)
            return merge([base])
        index = self.value(sl, depth + 1).data
        if (
            isinstance(index, int)
            and isinstance(data, list | str | bytes)
            and -len(data) <= index < len(data)
        ):
            return merge([base], data[index])
        return merge([base])


_FOLD: dict[type, Callable[[Resolver, Any, int], Value]] = {
    ast.Constant: Resolver._constant,
    ast.Name: Resolver._name_value,
    ast.List: Resolver._sequence,
    ast.Tuple: Resolver._sequence,
    ast.Set: Resolver._sequence,
    ast.BinOp: Resolver._binop,
    ast.JoinedStr: Resolver._fstring,
    ast.Subscript: Resolver._subscript,
    ast.Call: Resolver._call,
    ast.Attribute: Resolver._attribute,
    ast.NamedExpr: Resolver._inner,
    ast.Await: Resolver._inner,
    ast.Starred: Resolver._inner,
}
