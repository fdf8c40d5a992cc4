"""The one walk of a module's tree that builds the Python facts (`walk`), and the children
of an AST node without `ast.iter_child_nodes`' per-field Python loop.

For every node class the parser makes, a small generated function returns the node's
children, last first (ready for a stack), in the order `ast.iter_child_nodes` gives them,
minus the `ctx` / `op` / `ops` members: those are shared singletons (one `ast.Load()` for
the whole interpreter), so no fact can be about one of them. `SINGLETONS[cls]` is how many
such members a node of `cls` has (`ast.Compare` adds `len(node.ops)`), for a walk that must
count the nodes `ast.iter_child_nodes` would have given. The fields come from each class's
ASDL signature (its docstring, `Call(expr func, expr* args, keyword* keywords)`); a class
whose signature cannot be read is left out, and the caller falls back to
`ast.iter_child_nodes` for it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .python import PyFacts

_NODE_TYPES = {
    "expr", "stmt", "keyword", "arg", "arguments", "alias", "withitem", "comprehension",
    "excepthandler", "match_case", "pattern", "type_ignore",
}  # fmt: skip
_SINGLETON_TYPES = {"expr_context", "operator", "boolop", "unaryop", "cmpop"}
_PLAIN_TYPES = {"identifier", "string", "constant", "int"}
_MAY_HOLD_NONE = {("Dict", "keys"), ("arguments", "kw_defaults")}  # `{**x}`, `*, a`
_SIGNATURE = re.compile(r"(\w+)\((.*)\)")

Kids = Callable[[ast.AST], list[ast.AST]]


def _leaf(node: ast.AST) -> list[ast.AST]:
    return []


def _compile(cls: type[ast.AST]) -> tuple[Kids, int] | None:
    match = _SIGNATURE.fullmatch((cls.__doc__ or "").strip().split("\n")[0])
    if match is None or match.group(1) != cls.__name__:
        return None
    fields = [p.split() for p in match.group(2).split(",")] if match.group(2) else []
    if [name for _t, name in fields] != list(cls._fields):
        return None
    parts, singletons, filtered = [], 0, False
    for kind, name in fields:
        base = kind.rstrip("*?")
        if base in _SINGLETON_TYPES:
            singletons += not kind.endswith("*")  # `ops` (cmpop*) is counted by the caller
            continue
        if base in _PLAIN_TYPES:
            continue
        if base not in _NODE_TYPES:
            return None
        if kind.endswith("*"):
            parts.append(f"*n.{name}")
            filtered |= (cls.__name__, name) in _MAY_HOLD_NONE
        else:
            parts.append(f"n.{name}")
            filtered |= kind.endswith("?")
    if not parts:
        return _leaf, singletons
    items = ", ".join(parts)
    body = f"[c for c in ({items},) if c is not None][::-1]" if filtered else f"[{items}][::-1]"
    namespace: dict[str, Kids] = {}
    exec(f"def kids(n):\n    return {body}\n", namespace)  # noqa: S102 - our own text
    return namespace["kids"], singletons


KIDS: dict[type[ast.AST], Kids] = {}
SINGLETONS: dict[type[ast.AST], int] = {}
for _cls in vars(ast).values():
    if isinstance(_cls, type) and issubclass(_cls, ast.AST) and _cls._fields:
        _got = _compile(_cls)
        if _got is not None:
            KIDS[_cls], SINGLETONS[_cls] = _got
for _cls in (ast.Pass, ast.Break, ast.Continue):  # no fields at all
    KIDS[_cls], SINGLETONS[_cls] = _leaf, 0


def iter_kids(node: ast.AST) -> list[ast.AST]:
    """Every child `ast.iter_child_nodes` gives, last first (for a class not in KIDS)."""
    return list(ast.iter_child_nodes(node))[::-1]


BUCKETS = (
    "owner", "guarded", "calls", "classes", "defs", "imports_from", "subscripts", "constants",
    "names", "docstrings", "bindings", "returns", "fed", "defaults", "loop_items",
)  # fmt: skip
_BINDS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)
# what the walk does with a node, by its class (None: nothing but its children)
_KIND = {
    cls: i
    for i, group in enumerate(
        [
            (ast.Name,),  # 0: a name; its only child is its ctx
            (ast.Constant,),  # 1: no children
            (ast.Call,),  # 2
            (ast.Attribute, ast.Expr, ast.keyword),  # 3: the commonest, nothing to record
            _BINDS,  # 4
            (ast.Subscript,),  # 5
            (ast.FunctionDef, ast.AsyncFunctionDef),  # 6
            (ast.Lambda,),  # 7
            (ast.If,),  # 8
            (ast.ClassDef,),  # 9
            (ast.Import,),  # 10
            (ast.ImportFrom,),  # 11
            (ast.Return,),  # 12
            (ast.withitem,),  # 13
            (ast.Module,),  # 14
            (ast.Compare,),  # 15: its `ops` are singletons
            (ast.For, ast.AsyncFor, ast.comprehension),  # 16: a loop variable
        ]
    )
    for cls in group
}


def walk(f: PyFacts, *, exact: bool, limit: int, record: tuple[Callable[..., Any], ...]) -> bool:
    """Depth first, each node's children in `ast.iter_child_nodes` order (an `if`: its body,
    its else, its test; a function: its body, then its decorators and defaults, not its
    parameters). `exact`: every child, singletons included, stopping after `limit` nodes;
    else the singletons only counted, and False as soon as the count passes `limit`.
    `record`: the facts module's Call, bind, docstring and guard (what each node adds)."""
    make_call, bind, docstring, guard = record
    module = id(f.tree)
    stack: list[tuple[Any, int, bool]] = [(f.tree, module, False)]
    pop, push, extend = stack.pop, stack.append, stack.extend
    owners, guarded_ids, names, constants = f.owner, f.guarded, f.names, f.constants
    kids_of, singletons, kind_of = KIDS, SINGLETONS, _KIND.get
    count = 0
    while stack:
        if exact and count >= limit:
            break
        node, owner, guarded = pop()
        count += 1
        key = id(node)
        owners[key] = owner
        if guarded:
            guarded_ids.add(key)
        cls = type(node)
        kind = kind_of(cls)
        if kind == 0:  # Name
            names.add(node.id)
            if exact:
                push((node.ctx, owner, guarded))
            else:
                count += 1
            continue
        if kind == 1:  # Constant
            constants.append(node)
            continue
        if kind == 2:
            f.calls.append(make_call(node, owner, guarded))
        elif kind == 4:
            bind(f, node)
        elif kind == 5:
            f.subscripts.append(node)
        elif kind == 6 or kind == 9:  # a def, a class
            f.defs.setdefault(node.name, []).append(node)
            if kind == 9:
                f.classes.append(node)
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstring(f, body[0])
        elif kind is None or kind == 3:
            pass
        elif kind == 8:  # If: its body under its guard
            push((node.test, owner, guarded))
            extend([(s, owner, guarded) for s in reversed(node.orelse)])
            body_guard = guarded or guard(f, node.test)
            extend([(s, owner, body_guard) for s in reversed(node.body)])
            continue
        elif kind == 10:
            for a in node.names:
                top = a.name if a.asname else a.name.split(".")[0]
                f.bindings.setdefault(a.asname or top, []).append(top)
        elif kind == 11:
            f.imports_from.append(node)
            prefix = "." * node.level + (node.module or "")
            for a in node.names:
                target = f"{prefix}.{a.name}" if node.module else f"{prefix}{a.name}"
                f.bindings.setdefault(a.asname or a.name, []).append(target)
        elif kind == 12:
            if node.value is not None and owner != module:
                f.returns.setdefault(str(owner), []).append(node.value)
        elif kind == 13:
            if isinstance(node.optional_vars, ast.Name):
                f.bindings.setdefault(node.optional_vars.id, []).append(node.context_expr)
        elif kind == 14:
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstring(f, first)
        elif kind == 15 and not exact:
            count += len(node.ops)
        elif kind == 16 and isinstance(node.target, ast.Name):
            item = _element(node.iter)  # `for p in glob(…)`: p is one of its items
            owners[id(item)] = owner
            f.loop_items.add(id(item))
            f.bindings.setdefault(node.target.id, []).append(item)
        if kind == 6 or kind == 7:  # decorators and defaults run where the def runs
            args = node.args
            outer = [*getattr(node, "decorator_list", []), *args.defaults]
            outer += [d for d in args.kw_defaults if d is not None]
            _defaults(f.defaults, key, args)
            extend([(c, owner, guarded) for c in reversed(outer)])
            run = node.body if kind == 6 else [node.body]
            extend([(c, key, guarded) for c in reversed(run)])
            continue
        kids = None if exact else kids_of.get(cls)
        if kids is None:
            extend([(c, owner, guarded) for c in iter_kids(node)])
            continue
        count += singletons[cls]
        if count > limit:
            return False
        children = kids(node)
        if children:
            extend([(c, owner, guarded) for c in children])
    return exact or count <= limit


def _defaults(out: dict[tuple[int, str], ast.expr], key: int, args: ast.arguments) -> None:
    """A parameter's default, by (function id, parameter): what the name holds in the body
    when no caller hands it anything (`lambda c=…, f=os.system: f(c)`)."""
    pos = [*args.posonlyargs, *args.args]
    pairs = [*zip(pos[len(pos) - len(args.defaults) :], args.defaults, strict=True)]
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    for a, d in pairs:
        out[(key, a.arg)] = d


_REORDER = {"reversed", "sorted", "list", "tuple", "set", "iter", "frozenset"}


def _element(iterable: ast.expr) -> ast.expr:
    """An item of what a loop walks, as an expression: its first element (folded data and
    origins follow the iterable's). The item of `reversed(x)` or `sorted(x)` is an item of x
    (the order of a list is no decoding of its items)."""
    while (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.func.id in _REORDER
        and len(iterable.args) == 1
    ):
        iterable = iterable.args[0]
    item = ast.Subscript(value=iterable, slice=ast.Constant(0), ctx=ast.Load())
    return ast.copy_location(item, iterable)
