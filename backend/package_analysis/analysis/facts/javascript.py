"""JavaScript facts on tree-sitter's grammar (parsed, never run): one parse, C-side queries
for calls, declarations and imports, then resolution on those nodes only.

`qualname(node)` names what is called through `require` (also of a folded or constant
specifier), ES-module `import` and `import()` (also its `.then(m => …)` parameter), the
loader behind them (`module.constructor._load`, `require('module')._load`,
`process.mainModule.require`, a `createRequire(…)` require, `process.getBuiltinModule`,
`process.binding('spawn_sync')`), destructuring, `globalThis`/`global`/`window`/`self`
subscripts, `(0, eval)`, `x.constructor.constructor` (→ `Function`) and `module._compile`;
strings fold as `jsfold.py` says.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import tree_sitter
import tree_sitter_javascript

from . import jsload
from .jsfold import MAX_DEPTH, UNRESOLVED, JsFolding, _unquote

__all__ = ["UNRESOLVED", "JsFacts", "facts_of", "parse"]

_GLOBALS = {"globalThis", "global", "window", "self", "GLOBAL", "root"}
_FUNCTION = {"Function", "Function.prototype"}  # `.constructor` of these is Function
# every way a script gets a module by name: `require`, `import()`, the loader behind them
# (`module.constructor._load`, `require('module')._load`), the main module's own require,
# `process.getBuiltinModule`, and a require made by `createRequire` (see `qualname`)
LOADERS = {
    "require", "import", "module.require", "process.mainModule.require",
    "module.constructor._load", "process.mainModule.constructor._load", "module._load",
    "module.Module._load", "process.getBuiltinModule", "require.main.require",
    "process.binding",
}  # fmt: skip
_LOADER_NAMES = {name.rsplit(".", 1)[-1] for name in LOADERS}
_BINDINGS = {"spawn_sync": "child_process", "process_wrap": "child_process"}
_RETURNED = re.compile(r"\s*return\s+(process|this|global|globalThis|require)\s*;?\s*")
_QUERY = """
[(call_expression function: (_) @fn) (new_expression constructor: (_) @fn)] @call
(variable_declarator name: (_) @name value: (_) @value) @decl
(assignment_expression left: (identifier) @name right: (_) @value) @assign
(import_statement source: (string) @source) @import
[(function_declaration name: (identifier) @fname) (generator_function_declaration
  name: (identifier) @fname) (class_declaration name: (identifier) @fname)] @fdef
"""
BRACES = '["{" "}"] @brace\n'  # every brace token (`jswindow` follows what is open)
_lock = threading.Lock()
_lang: tuple[tree_sitter.Language, tree_sitter.Query] | None = None
_braces: tree_sitter.Query | None = None


def _brace_query() -> tree_sitter.Query:
    global _braces
    lang = language()[0]
    with _lock:
        if _braces is None:
            _braces = tree_sitter.Query(lang, _QUERY + BRACES)
        return _braces


def language() -> tuple[tree_sitter.Language, tree_sitter.Query]:
    global _lang
    with _lock:
        if _lang is None:
            lang = tree_sitter.Language(tree_sitter_javascript.language())
            _lang = (lang, tree_sitter.Query(lang, _QUERY))
        return _lang


@dataclass
class JsFacts(JsFolding):
    data: bytes
    tree: tree_sitter.Tree
    calls: list[tuple[tree_sitter.Node, tree_sitter.Node]] = field(default_factory=list)
    consts: dict[str, tree_sitter.Node] = field(default_factory=dict)  # name → assigned value
    aliases: dict[str, str] = field(default_factory=dict)  # name → module or module.member
    requires: list[str] = field(default_factory=list)  # every folded require/import specifier
    # from earlier windows of a big file (`jswindow`): constants folded to strings, what the
    # others name (`const p = Function('return process')()`: process) and their text
    strings: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    texts: dict[str, bytes] = field(default_factory=dict)
    # a window of a big file (`jswindow`): the bytes whose calls these facts hold, and where
    # the function an earlier window opened around them closes (before it: not load time)
    span: tuple[int, int] | None = None
    nested_before: int = 0
    open_bodies: list[int] = field(default_factory=list)  # functions left open at its end
    # what runs at load time (`jsload`): local functions by name, names earlier windows'
    # load-time code called, and (once asked) the answer, `jsload.LoadTime`
    defs: dict[str, tree_sitter.Node] = field(default_factory=dict, repr=False)
    called_before: set[str] = field(default_factory=set, repr=False)
    scopes: dict[int, Any] = field(default_factory=dict, repr=False)  # `jsload.enclosing`'s memo
    asked: list[tree_sitter.Node] = field(default_factory=list, repr=False)  # `jsload.idle`
    _load: jsload.LoadTime | None = field(default=None, repr=False)

    def runs_at_load(self, fn: tree_sitter.Node) -> bool:
        """Whether function `fn` runs when the file loads (its top level does)."""
        return fn.id in self.load_time().run

    def load_time(self) -> jsload.LoadTime:
        if self._load is None:
            self._load = jsload.loadtime_functions(
                self.calls, self.defs, self.scopes, self.nested_before, self.called_before,
                names=self.span is not None,
            )  # fmt: skip
        return self._load

    # qualname of a node at a depth (by its id, unique in the tree), once `parse` has every
    # alias: the rules ask again for the same callees (eval, child_process, install-time
    # passes), and a chain of calls asks about the same nodes at each depth (minified
    # `a.b(…).c(…).d(…)`: without it, 3 questions a level, 3**MAX_DEPTH in all)
    # (`facts_of` forgets it whenever an alias or a constant is added)
    _names: dict[tuple[int, int], str] = field(default_factory=dict, repr=False)

    def const_text(self, name: str, limit: int = 2000) -> bytes | None:
        """The source of what constant `name` is assigned (at most `limit` bytes), or None."""
        node = self.consts.get(name)
        if node is None:
            return self.texts.get(name)
        return self.data[node.start_byte : min(node.end_byte, node.start_byte + limit)]

    # ---- names ----
    def required(self, call: tree_sitter.Node, depth: int = 0) -> str | None:
        """The module a `require(...)`/`import(...)` call loads, folded, or None."""
        fn = call.child_by_field_name("function")
        if depth > MAX_DEPTH:
            return None
        # `a.b(…)` names `….b` (or Function/constructor/module._compile): a loader only when
        # `b` is a loader's own last name
        if (
            fn is not None
            and fn.type == "member_expression"
            and self.text(fn.child_by_field_name("property")) not in _LOADER_NAMES
        ):
            return None
        name = self.qualname(fn, depth + 1) if fn is not None and fn.type != "import" else "import"
        if name not in LOADERS:
            return None
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_child_count:
            return None
        spec = self.fold(args.named_children[0], depth + 1)
        if name == "process.binding":  # the native layer under a built-in module
            return _BINDINGS.get(spec or "")
        return spec.removeprefix("node:") if spec is not None else None

    def qualname(self, node: tree_sitter.Node | None, depth: int = 0) -> str:
        if node is None or depth > MAX_DEPTH:
            return ""
        key = (node.id, depth)
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self._qualname(node, depth)
        return name

    def _qualname(self, node: tree_sitter.Node, depth: int) -> str:
        t = node.type
        if t == "import":  # `import(…)`: the loader
            return "import"
        if t in {"parenthesized_expression", "sequence_expression"} and node.named_child_count:
            return self.qualname(node.named_children[-1], depth + 1)  # `(0, eval)(…)`
        if t == "identifier":
            name = self.text(node)
            if name in self.aliases:
                return self.aliases[name]
            value = self.consts.get(name)
            if (
                value is not None
                and value.type
                in {"member_expression", "subscript_expression", "call_expression", "identifier"}
                and value != node
            ):
                return self.qualname(value, depth + 1) or name
            return self.names.get(name, name) if value is None else name
        if t in {"member_expression", "subscript_expression"}:
            obj = node.child_by_field_name("object")
            if t == "member_expression":
                prop = self.text(node.child_by_field_name("property"))
            else:
                prop = self.fold(node.child_by_field_name("index")) or ""
                loaded = self.mapped(obj, depth + 1)
                if loaded is not None:  # `['child_process'].map(require)[0]`
                    return loaded[int(prop)] if prop.isdigit() and int(prop) < len(loaded) else ""
            if not prop:
                return ""
            if prop == "constructor" and obj is not None:
                base, inner = self.qualname(obj, depth + 1), obj
                while inner.type == "parenthesized_expression" and inner.named_child_count:
                    inner = inner.named_children[-1]  # `(async function () {}).constructor`
                if base.endswith("constructor") or inner.type in jsload.FUNCS or base in _FUNCTION:
                    return "Function"
                return f"{base}.constructor" if base else "constructor"
            base = self.qualname(obj, depth + 1)
            if base in _GLOBALS:
                return prop
            if prop == "_compile":
                return "module._compile"
            return f"{base}.{prop}" if base else ""
        if t == "call_expression":
            req = self.required(node, depth + 1)
            if req is not None:
                return req
            made = self.qualname(node.child_by_field_name("function"), depth + 1)
            if made.endswith("createRequire"):
                return "require"
            return self._bound(node, made, depth)
        if t in {"array", "object", "string"}:
            return {"array": "Array", "object": "Object", "string": "String"}[t]
        return ""

    def _bound(self, call: tree_sitter.Node, made: str, depth: int) -> str:
        """What a bound function runs: `f.bind(obj)` is f; `Function.prototype.call.bind(f)`
        (and apply's) calls f."""
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "call_expression":  # `Function('return process')()`
            inner = fn.child_by_field_name("arguments")
            maker = self.qualname(fn.child_by_field_name("function"), depth + 1)
            body = self.fold(inner.named_children[-1]) if inner and inner.named_children else None
            m = _RETURNED.fullmatch(body or "") if maker == "Function" else None
            if m is not None:
                return "globalThis" if m.group(1) == "this" else m.group(1)
        if made.endswith((".call.bind", ".apply.bind")) and made.startswith("Function"):
            args = call.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            return self.qualname(first, depth + 1)
        if made.endswith(".bind") and fn is not None and fn.type == "member_expression":
            return self.qualname(fn.child_by_field_name("object"), depth + 1)
        return ""

    def mapped(self, node: tree_sitter.Node | None, depth: int = 0) -> list[str] | None:
        """The modules `['a', 'b'].map(require)` loads, in order, or None."""
        if node is None or node.type != "call_expression" or depth > MAX_DEPTH:
            return None
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if fn is None or fn.type != "member_expression" or args is None:
            return None
        if self.text(fn.child_by_field_name("property")) != "map" or not args.named_children:
            return None
        array = fn.child_by_field_name("object")
        if array is None or self.qualname(args.named_children[0], depth + 1) not in LOADERS:
            return None
        if array.type == "identifier" and self.text(array) in self.consts:
            array = self.consts[self.text(array)]
        if array.type != "array":
            return None
        return [(self.fold(e, depth + 1) or "").removeprefix("node:") for e in array.named_children]

    def handed(self, call: tree_sitter.Node, fn: tree_sitter.Node) -> tree_sitter.Node | None:
        """The function a call runs through another one: `Reflect.apply(f, …)`,
        `Reflect.construct(F, …)`, `f.call(…)`, `f.apply(…)`."""
        q = self.qualname(fn)
        if q in {"Reflect.apply", "Reflect.construct"}:
            args = call.child_by_field_name("arguments")
            return args.named_children[0] if args is not None and args.named_children else None
        if fn.type == "member_expression" and self.text(fn.child_by_field_name("property")) in {
            "call",
            "apply",
        }:
            return fn.child_by_field_name("object")
        return None


def parse(data: bytes) -> JsFacts | None:
    lang, _ = language()
    try:
        tree = tree_sitter.Parser(lang).parse(data)
    except (ValueError, MemoryError, RecursionError):
        return None
    return facts_of(JsFacts(data, tree))


def facts_of(facts: JsFacts, braces: list[tree_sitter.Node] | None = None) -> JsFacts:
    """Calls, constants and aliases from the facts' tree (of its `span` only, if set); with
    `braces`, also every `{` and `}` token there, in the same walk (`jswindow`)."""
    query = language()[1] if braces is None else _brace_query()
    cursor = tree_sitter.QueryCursor(query)
    lo, hi = facts.span or (0, len(facts.data))
    if facts.span is not None:
        cursor.set_byte_range(lo, hi)
    imports: list[tree_sitter.Node] = []
    defs: dict[str, tree_sitter.Node] = {}
    for _, caps in cursor.matches(facts.tree.root_node):
        if "call" in caps:
            if lo <= caps["call"][0].start_byte < hi:
                facts.calls.append((caps["call"][0], caps["fn"][0]))
        elif "name" in caps and "value" in caps:
            name = caps["name"][0]
            if name.type == "identifier":
                facts.consts[facts.text(name)] = caps["value"][0]
            if "decl" in caps:
                _alias(facts, name, caps["value"][0])
            facts._names.clear()  # a name may now read otherwise
        elif "import" in caps:
            imports.append(caps["import"][0])
        elif "fdef" in caps:
            defs[facts.text(caps["fname"][0])] = caps["fdef"][0]
        elif "brace" in caps and braces is not None:
            braces.append(caps["brace"][0])
    for call, fn in facts.calls:
        spec = facts.required(call)
        if spec is not None:
            facts.requires.append(spec)
        elif (
            fn.type == "member_expression"
            and facts.text(fn.child_by_field_name("property")) == "then"
        ):
            _then_alias(facts, call, fn)
            facts._names.clear()
    for node in imports:
        _es_import(facts, node)
        facts._names.clear()
    for call, fn in list(facts.calls):  # `Reflect.apply(cp.exec, …)`: cp.exec runs here
        handed = facts.handed(call, fn)
        if handed is not None and facts.qualname(handed):
            facts.calls.append((call, handed))
    facts.defs = jsload.local_defs(defs, facts.consts)
    return facts


def _alias(facts: JsFacts, name: tree_sitter.Node, value: tree_sitter.Node) -> None:
    if value.type == "await_expression" and value.named_child_count:
        value = value.named_children[0]
    if value.type != "call_expression":
        return
    loaded = facts.mapped(value)
    if loaded is not None and name.type == "array_pattern":  # `const [cp] = [...].map(require)`
        for ident, mod in zip(name.named_children, loaded, strict=False):
            if ident.type == "identifier" and mod:
                facts.aliases[facts.text(ident)] = mod
        facts.requires += [m for m in loaded if m]
        return
    module = facts.required(value)
    if module is None:
        return
    if name.type == "identifier":
        facts.aliases[facts.text(name)] = module
    elif name.type == "object_pattern":
        _alias_pattern(facts, name, module)


def _alias_pattern(facts: JsFacts, pattern: tree_sitter.Node, module: str) -> None:
    for child in pattern.named_children:
        key = child.child_by_field_name("value") or child
        if key.type in {"identifier", "shorthand_property_identifier_pattern"}:
            prop = child.child_by_field_name("key") or key
            facts.aliases[facts.text(key)] = f"{module}.{facts.text(prop)}"


def _then_alias(facts: JsFacts, call: tree_sitter.Node, fn: tree_sitter.Node) -> None:
    """`import('x').then(m => m.f())`: the callback's first parameter is the module."""
    loaded = fn.child_by_field_name("object")
    module = (
        facts.required(loaded) if loaded is not None and loaded.type == "call_expression" else None
    )
    args = call.child_by_field_name("arguments")
    if module is None or args is None or not args.named_child_count:
        return
    callback = args.named_children[0]
    if callback.type not in jsload.FUNCS:
        return
    params = callback.child_by_field_name("parameters") or callback.child_by_field_name("parameter")
    if params is None:
        return
    first = params if params.type == "identifier" else next(iter(params.named_children), None)
    if first is not None and first.type == "identifier":
        facts.aliases[facts.text(first)] = module
    elif first is not None and first.type == "object_pattern":
        _alias_pattern(facts, first, module)


def _es_import(facts: JsFacts, node: tree_sitter.Node) -> None:
    source = node.child_by_field_name("source")
    module = _unquote(facts.text(source)).removeprefix("node:")
    facts.requires.append(module)
    for clause in (c for c in node.named_children if c.type == "import_clause"):
        for part in clause.named_children:
            if part.type == "identifier":  # default import
                facts.aliases[facts.text(part)] = module
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None:
                    facts.aliases[facts.text(ident)] = module
            elif part.type == "named_imports":
                for spec in part.named_children:
                    names = [c for c in spec.named_children if c.type == "identifier"]
                    if names:
                        facts.aliases[facts.text(names[-1])] = f"{module}.{facts.text(names[0])}"
