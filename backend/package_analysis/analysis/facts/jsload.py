"""What of one JavaScript file runs when it loads: its top level, the immediately invoked
wrappers, and the functions that code calls or hands over to run at once.

A function runs at load time when a load-time position of the file calls it by its local
name (`function go() {…} go();`, `const go = async () => {…}; go().catch(…)`, `go.call()`),
constructs it (`new Installer()`: its constructor), or hands it, or a function written in
place, to something that runs it at once or on the next ticks of the same process:
timers and microtasks (`setTimeout`, `setImmediate`, `process.nextTick`, `queueMicrotask`),
promise callbacks (`.then`, `.catch`, `.finally`, `new Promise(executor)`), array methods
that call their argument (`forEach`, `map`…), and `process.on`/`once` (exit and signal
handlers, like Python's `atexit`). What those functions call is followed the same way, to
a fixed point, with a class's own methods (`this.setup()`) and the methods of constant
object literals (`api.run()`). A function only exported, or registered on any other object
(`app.get('/', handler)`, a server's `on('request', …)`), runs when someone calls it: not
load time.

Names are the file's (the last function bound to a name wins, as `consts` does). A big file
read in windows (`jswindow`) joins the windows by name: the names load-time code calls
(`LoadTime.roots`) and each declared function's calls (`LoadTime.edges`), through `across`;
a window declaring a function that turns out to run, around a call a rule asked about, is
read again (`jswindow._again`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import tree_sitter

FUNCS = {
    "function_declaration", "function_expression", "function", "arrow_function",
    "method_definition", "generator_function_declaration", "generator_function",
}  # fmt: skip
# callees (a name or a member's property) that run the functions handed to them now or on
# the next ticks of this process
RUNS_HANDED = {
    "setTimeout", "setInterval", "setImmediate", "queueMicrotask", "nextTick", "then",
    "catch", "finally", "forEach", "map", "flatMap", "filter", "reduce", "reduceRight",
    "some", "every", "find", "findIndex", "findLast", "findLastIndex", "sort",
}  # fmt: skip
_PROCESS_EVENTS = {"on", "once", "addListener", "prependListener", "prependOnceListener"}
_SELF_CALLS = {"call", "apply"}  # go.call(this, …)


def invoked_now(fn: tree_sitter.Node) -> bool:
    """An immediately-invoked function: (function(){…})(), (() => …)(), fn.call(this)."""
    cur = fn.parent
    while cur is not None and cur.type == "parenthesized_expression":
        cur = cur.parent
    if cur is None:
        return False
    if cur.type == "call_expression":
        callee = cur.child_by_field_name("function")
        return callee is not None and callee.start_byte <= fn.start_byte < callee.end_byte
    if cur.type == "member_expression" and cur.parent is not None:
        prop = cur.child_by_field_name("property")
        return (
            prop is not None
            and prop.text in (b"call", b"apply")
            and cur.parent.type == "call_expression"
        )
    return cur.type == "unary_expression"  # !function(){…}()


def enclosing(
    node: tree_sitter.Node, memo: dict[int, tree_sitter.Node | None]
) -> tree_sitter.Node | None:
    """The innermost function around `node` that is not invoked where it is written (None:
    the file's top level). `memo` keeps the answer for every node walked through."""
    path: list[int] = []
    cur, found = node.parent, None
    while cur is not None:
        if cur.id in memo:
            found = memo[cur.id]
            break
        if cur.type in FUNCS and not invoked_now(cur):
            found = cur
            break
        path.append(cur.id)
        cur = cur.parent
    for n in path:
        memo[n] = found
    return found


def local_defs(
    fdefs: dict[str, tree_sitter.Node], consts: dict[str, tree_sitter.Node]
) -> dict[str, tree_sitter.Node]:
    """Each local name's function or class (declared, or a constant bound to one), and the
    methods of constant object literals as `name.method` (`const api = { run() {…} }`)."""
    out = dict(fdefs)
    for name, value in consts.items():
        if value.type in FUNCS or value.type == "class":
            out[name] = value
        elif value.type == "object":
            for member in value.named_children:
                key = member.child_by_field_name(
                    "name" if member.type == "method_definition" else "key"
                )
                fn = (
                    member
                    if member.type == "method_definition"
                    else member.child_by_field_name("value")
                )
                if key is not None and fn is not None and fn.type in FUNCS:
                    out[f"{name}.{_text(key).strip(chr(39) + chr(34))}"] = fn
    return out


@dataclass
class LoadTime:
    """One file's (or window's) answer: the ids of the functions that run at load, the
    names its load-time code calls (declared here or not), and for each function declared
    here, the names its own body calls: what `jswindow` joins across windows."""

    run: set[int] = field(default_factory=set)
    roots: set[str] = field(default_factory=set)
    edges: dict[str, set[str]] = field(default_factory=dict)


def loadtime_functions(
    calls: Iterable[tuple[tree_sitter.Node, tree_sitter.Node]],
    defs: dict[str, tree_sitter.Node],
    memo: dict[int, tree_sitter.Node | None],
    nested_before: int = 0,
    called: Iterable[str] = (),
    *,
    names: bool = False,
) -> LoadTime:
    """What runs at load time (module docstring). `defs`: `local_defs`; `calls`: (call or
    new expression, callee); before `nested_before` the code is inside a function an
    earlier window opened (not load time); `called`: names that load-time code elsewhere
    (an earlier window) calls. `names`: also the names called (for `across`), which costs
    a look at every call's place, not only at the calls of local functions."""
    named = {t.id: n for n, d in defs.items() if (t := runnable(d)) is not None}
    edges: dict[int | None, list[tree_sitter.Node]] = {}
    by_name: dict[int | None, set[str]] = {}
    for call, fn in calls:
        targets, called_names = _targets(call, fn, defs)
        if not targets and not (names and called_names):
            continue
        src = enclosing(call, memo)
        if src is None and call.start_byte < nested_before:
            continue  # inside a function an earlier window opened
        key = None if src is None else src.id
        edges.setdefault(key, []).extend(targets)
        if names:
            by_name.setdefault(key, set()).update(called_names)
    out = LoadTime()
    out.edges = {named[k]: v for k, v in by_name.items() if k in named}
    todo = list(edges.get(None, ()))
    todo += [t for n in called if (t := runnable(defs.get(n))) is not None]
    out.roots = set(by_name.get(None, ()))
    while todo:
        target = todo.pop()
        if target.id not in out.run:
            out.run.add(target.id)
            todo += edges.get(target.id, ())
            out.roots |= by_name.get(target.id, set())
    return out


def idle(
    asked: Iterable[tree_sitter.Node], defs: dict[str, tree_sitter.Node], run: set[int]
) -> set[str]:
    """The names of the functions around the functions in `asked` (where a rule asked about a
    call that did not run at load) that did not run at load either: were another window's
    load-time code to call one of them, the rule's answer would change."""
    named = {t.id: n for n, d in defs.items() if (t := runnable(d)) is not None}
    out: set[str] = set()
    seen: set[int] = set()
    for fn in asked:
        cur: tree_sitter.Node | None = fn
        while cur is not None and cur.id not in seen and cur.id not in run:
            seen.add(cur.id)
            name = named.get(cur.id)
            if name is not None:
                out.add(name)
            cur = cur.parent
    return out


def across(pieces: Iterable[LoadTime]) -> set[str]:
    """The names that run at load time in a file read in pieces (windows): from every
    piece's load-time calls, through every piece's declared functions' calls."""
    roots: set[str] = set()
    edges: dict[str, set[str]] = {}
    for lt in pieces:
        roots |= lt.roots
        for name, callees in lt.edges.items():
            edges.setdefault(name, set()).update(callees)
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += edges.get(name, ())
    return seen


def _targets(
    call: tree_sitter.Node, fn: tree_sitter.Node, defs: dict[str, tree_sitter.Node]
) -> tuple[list[tree_sitter.Node], list[str]]:
    """The local functions `call` runs, and the names it calls or hands over (local or not:
    another window may declare them)."""
    name, handed, called = "", False, []
    if fn.type == "identifier":
        name = _text(fn)
        handed = name in RUNS_HANDED or (call.type == "new_expression" and name == "Promise")
        if not handed:
            called.append(name)
    elif fn.type == "member_expression":
        prop, obj = fn.child_by_field_name("property"), fn.child_by_field_name("object")
        what = _text(prop) if prop is not None else ""
        if obj is not None and obj.type == "identifier":
            if what in _SELF_CALLS:
                name = _text(obj)
                called.append(name)
            elif f"{_text(obj)}.{what}" in defs:
                name = f"{_text(obj)}.{what}"  # api.run() of `const api = { run() {…} }`
        elif obj is not None and obj.type == "this":
            method = _own_method(call, what)  # this.setup() in a class's method
            if method is not None:
                return [method], []
        handed = what in RUNS_HANDED or (
            what in _PROCESS_EVENTS and obj is not None and _text(obj) == "process"
        )
    out = [t for t in (runnable(defs.get(name)),) if t is not None] if name else []
    args = call.child_by_field_name("arguments") if handed else None
    for arg in args.named_children if args is not None else ():
        if arg.type in FUNCS:
            out.append(arg)
        elif arg.type == "identifier":
            called.append(_text(arg))
            if (t := runnable(defs.get(_text(arg)))) is not None:
                out.append(t)
    return out, called


def _own_method(call: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
    """The method `name` of the class whose method holds `call` (None: not in a class)."""
    cur = call.parent
    while cur is not None and cur.type != "class_body":
        if cur.type in FUNCS and cur.type not in {"arrow_function", "method_definition"}:
            return None  # a plain function has its own `this`
        cur = cur.parent
    for member in cur.named_children if cur is not None else ():
        key = member.child_by_field_name("name")
        if member.type == "method_definition" and key is not None and _text(key) == name:
            return member
    return None


def runnable(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """The function a name runs: itself, or a class's constructor (None: not code)."""
    if node is None or node.type in FUNCS:
        return node
    if node.type in {"class_declaration", "class"}:
        body = node.child_by_field_name("body")
        for member in body.named_children if body is not None else ():
            key = member.child_by_field_name("name")
            if (
                member.type == "method_definition"
                and key is not None
                and key.text == b"constructor"
            ):
                return member
    return None


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")
