"""Folding of operators and comprehensions for `pyresolve.Resolver.value`: `+ % * ^ - //`
on folded operands (characters XORed one by one are decoded data), and comprehensions
evaluated on folded data (`chr(c ^ k) for c in data`) or, unfolded, holding the origins of
what they iterate and make."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from .values import DECODED, LITERAL, Step, Value, merge

if TYPE_CHECKING:
    from .pyresolve import Resolver


def binop(r: Resolver, node: ast.BinOp, depth: int) -> Value:
    left, right = r.value(node.left, depth + 1), r.value(node.right, depth + 1)
    a: Any = left.data
    b: Any = right.data
    data: Any = None
    if isinstance(node.op, ast.Add):
        if type(a) is type(b) and isinstance(a, str | bytes | list | int):
            data = a + b
    elif isinstance(node.op, ast.Mod) and isinstance(a, str) and b is not None:
        args = tuple(b) if isinstance(b, list) else (b,)
        data = a % tuple(as_text(x) if isinstance(x, bytes) else x for x in args)
    elif isinstance(node.op, ast.Mult):
        if isinstance(a, str | bytes) and isinstance(b, int) and 0 <= b * len(a) < 1 << 20:
            data = a * b
    elif isinstance(node.op, ast.BitXor) and isinstance(a, int) and isinstance(b, int):
        data = a ^ b
    elif isinstance(node.op, ast.BitXor) and (_ord(node.left) or _ord(node.right)):
        # characters XORed one by one in a loop (`out += chr(ord(c) ^ ord(k))`): the
        # text is not folded, but what it builds is decoded, not written in the code
        step = Step("transform", node.lineno, "XOR of characters")
        return merge([left, right]).then(None, DECODED, step)
    elif isinstance(node.op, ast.Sub) and isinstance(a, int) and isinstance(b, int):
        data = a - b
    elif isinstance(node.op, ast.FloorDiv) and isinstance(a, int) and isinstance(b, int) and b:
        data = a // b  # a size: `(n.bit_length() + 7) // 8`
    return merge([left, right], data)


def comprehension(r: Resolver, node: ast.expr, depth: int) -> Value:
    """`chr(c ^ k) for c in data` and friends: evaluated on folded data, nothing else."""
    if not isinstance(node, ast.GeneratorExp | ast.ListComp):
        return _items(r, node, depth)
    if len(node.generators) != 1 or node.generators[0].ifs:
        return _items(r, node, depth)
    gen = node.generators[0]
    source = _zipped(r, gen.iter, depth) or _range(r, gen.iter, depth)
    source = source or r.value(gen.iter, depth + 1)
    items = source.data
    if isinstance(items, str | bytes):
        items = list(items)
    if not isinstance(items, list) or len(items) > 200_000:
        return _items(r, node, depth)
    target = gen.target
    out: list[Any] = []
    for index, item in enumerate(items):
        env: dict[str, Any] = {}
        if isinstance(target, ast.Name):
            env[target.id] = item
        elif isinstance(target, ast.Tuple) and len(target.elts) == 2:  # enumerate(...)
            names = [e.id if isinstance(e, ast.Name) else "" for e in target.elts]
            pair = item if isinstance(item, list | tuple) and len(item) == 2 else (index, item)
            env.update(zip(names, pair, strict=True))
        else:
            return merge([source])
        got = _eval_small(node.elt, env, r, depth)
        if got is None:
            return _items(r, node, depth)
        out.append(got)
    xor = any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitXor) for n in ast.walk(node.elt))
    step = Step("transform", node.lineno, "XOR with a constant key") if xor else None
    return source.then(out, DECODED if xor else "", step)


_CYCLES = {"itertools.cycle", "cycle"}


def _range(r: Resolver, node: ast.expr, depth: int) -> Value | None:
    """`range(0, len(bits), 8)` on folded numbers."""
    if not (isinstance(node, ast.Call) and 1 <= len(node.args) <= 3 and not node.keywords):
        return None
    if r.qualname(node.func, depth + 1) != "range":
        return None
    bounds = [_eval_small(a, {}, r, depth) for a in node.args]  # (`len(bits)` too)
    if not all(isinstance(b, int) for b in bounds) or (len(bounds) == 3 and not bounds[2]):
        return None
    span = range(*bounds)
    return Value(list(span), frozenset({LITERAL})) if len(span) <= 200_000 else None


def _zipped(r: Resolver, node: ast.expr, depth: int) -> Value | None:
    """`zip(data, cycle(key))` / `zip(a, b)` on folded data: the pairs (a cycled key
    repeats to the other's length)."""
    if not (isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords):
        return None
    if r.qualname(node.func, depth + 1) != "zip":
        return None
    cols: list[tuple[list[Any], bool]] = []
    values = []
    for arg in node.args:
        call = arg if isinstance(arg, ast.Call) and len(arg.args) == 1 else None
        cycled = call is not None and r.qualname(call.func, depth + 1) in _CYCLES
        v = r.value(call.args[0] if call is not None and cycled else arg, depth + 1)
        data = list(v.data) if isinstance(v.data, str | bytes | list) else None
        if not data:
            return None
        cols.append((data, cycled))
        values.append(v)
    fixed = [len(c) for c, cyc in cols if not cyc]
    if not fixed or min(fixed) > 200_000:
        return None
    n = min(fixed)
    (a, _), (b, _) = cols
    return merge(values, [(a[i % len(a)], b[i % len(b)]) for i in range(n)])


def _items(r: Resolver, node: ast.expr, depth: int) -> Value:
    """What an unfolded comprehension holds: the origins of what it iterates and of the
    items it makes (`{p: open(p).read() for p in glob(…)}` holds what the files hold)."""
    elts = [getattr(node, "elt", None)]
    if isinstance(node, ast.DictComp):
        elts = [node.key, node.value]
    gens = getattr(node, "generators", [])
    parts = [r.value(e, depth + 1) for e in [*elts, *(g.iter for g in gens)] if e is not None]
    return merge(parts)


def _eval_small(expr: ast.AST, env: dict[str, Any], r: Resolver, depth: int) -> Any:
    """A tiny evaluator for comprehension elements: names, constants, chr/ord, + - ^ %,
    subscripts of folded values. Anything else is unknown (None)."""
    if isinstance(expr, ast.Name):
        if expr.id in env:
            return env[expr.id]
        return r.value(expr, depth + 1).data
    if isinstance(expr, ast.Constant):
        return expr.value if isinstance(expr.value, int | str | bytes) else None
    if isinstance(expr, ast.BinOp):
        a, b = _eval_small(expr.left, env, r, depth), _eval_small(expr.right, env, r, depth)
        if isinstance(a, int) and isinstance(b, int):
            ops = {ast.BitXor: a ^ b, ast.Add: a + b, ast.Sub: a - b}
            if isinstance(expr.op, ast.Mod):
                return a % b if b else None
            return ops.get(type(expr.op))
        return None
    if isinstance(expr, ast.IfExp):  # `'1' if ch == '\u200c' else '0'`
        test = _eval_small(expr.test, env, r, depth)
        return (
            None if test is None else _eval_small(expr.body if test else expr.orelse, env, r, depth)
        )
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
        a, b = (
            _eval_small(expr.left, env, r, depth),
            _eval_small(expr.comparators[0], env, r, depth),
        )
        return None if a is None or b is None else _compare(expr.ops[0], a, b)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and len(expr.args) == 2:
        v, base = (_eval_small(a, env, r, depth) for a in expr.args)
        if expr.func.id == "int" and isinstance(v, str) and isinstance(base, int) and len(v) < 64:
            return int(v, base)  # `int(bits[i:i + 8], 2)` (ValueError: the resolver's unknown)
        return None
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and len(expr.args) == 1:
        v = _eval_small(expr.args[0], env, r, depth)
        if expr.func.id == "chr" and isinstance(v, int) and 0 <= v < 0x110000:
            return chr(v)
        if expr.func.id == "ord" and isinstance(v, str) and len(v) == 1:
            return ord(v)
        if expr.func.id == "len" and isinstance(v, str | bytes | list):
            return len(v)
        return None
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Slice):
        base = _eval_small(expr.value, env, r, depth)
        sl = expr.slice
        lo, hi = (
            None if x is None else _eval_small(x, env, r, depth) for x in (sl.lower, sl.upper)
        )
        whole = sl.step is None and all(x is None or isinstance(x, int) for x in (lo, hi))
        return base[lo:hi] if isinstance(base, str | bytes | list) and whole else None
    if isinstance(expr, ast.Subscript):
        base, idx = _eval_small(expr.value, env, r, depth), _eval_small(expr.slice, env, r, depth)
        if isinstance(base, str | bytes | list) and isinstance(idx, int) and 0 <= idx < len(base):
            return base[idx]
    return None


def _compare(op: ast.cmpop, a: Any, b: Any) -> bool | None:
    if isinstance(op, ast.Eq | ast.NotEq):
        return (a == b) == isinstance(op, ast.Eq)
    if isinstance(op, ast.In | ast.NotIn) and isinstance(b, str | bytes | list):
        if isinstance(b, str | bytes) and type(a) is not type(b):
            return None
        return (a in b) == isinstance(op, ast.In)
    return None


def as_text(data: Any) -> str | None:
    """How a folded value reads inside a string (`f"{n}"`, `"%s" % b`)."""
    if isinstance(data, str):
        return data
    if isinstance(data, int) and not isinstance(data, bool):
        return str(data)
    if isinstance(data, bytes):
        return repr(data)
    return None


def _ord(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ord"
        and len(node.args) == 1
    )
