"""JavaScript facts on tree-sitter's grammar (parsed, never run): one parse, C-side queries
for calls, declarations and imports, then resolution on those nodes only.

`qualname(node)` names what is called through `require` (also of a folded or constant
specifier), ES-module `import`, destructuring, `globalThis`/`global`/`window`/`self`
subscripts, `x.constructor.constructor` (→ `Function`) and `module._compile`;
`fold(node)` folds strings (concatenation, templates, `String.fromCharCode`, `join`,
`split('').reverse().join('')`, `Buffer.from(…, 'base64'|'hex').toString()`, `atob`).
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_javascript

MAX_DEPTH = 10
_GLOBALS = {"globalThis", "global", "window", "self", "GLOBAL", "root"}
_FUNCS = {
    "function_declaration", "function_expression", "function", "arrow_function",
    "method_definition", "generator_function_declaration", "generator_function",
}  # fmt: skip
_QUERY = """
[(call_expression function: (_) @fn) (new_expression constructor: (_) @fn)] @call
(variable_declarator name: (_) @name value: (_) @value) @decl
(assignment_expression left: (identifier) @name right: (_) @value) @assign
(import_statement source: (string) @source) @import
"""
_lock = threading.Lock()
_lang: tuple[tree_sitter.Language, tree_sitter.Query] | None = None


def language() -> tuple[tree_sitter.Language, tree_sitter.Query]:
    global _lang
    with _lock:
        if _lang is None:
            lang = tree_sitter.Language(tree_sitter_javascript.language())
            _lang = (lang, tree_sitter.Query(lang, _QUERY))
        return _lang


@dataclass
class JsFacts:
    data: bytes
    tree: tree_sitter.Tree
    calls: list[tuple[tree_sitter.Node, tree_sitter.Node]] = field(default_factory=list)
    consts: dict[str, tree_sitter.Node] = field(default_factory=dict)  # name → assigned value
    aliases: dict[str, str] = field(default_factory=dict)  # name → module or module.member
    requires: list[str] = field(default_factory=list)  # every folded require/import specifier

    def text(self, node: tree_sitter.Node | None, limit: int = 300) -> str:
        if node is None:
            return ""
        end = min(node.end_byte, node.start_byte + limit)
        return self.data[node.start_byte : end].decode("utf-8", "replace")

    # ---- strings ----
    def fold(self, node: tree_sitter.Node | None, depth: int = 0) -> str | None:
        if node is None or depth > MAX_DEPTH:
            return None
        t = node.type
        if t == "string":
            return _unquote(self.text(node, 1 << 20))
        if t == "template_string":
            if any(c.type == "template_substitution" for c in node.named_children):
                parts = []
                for c in node.named_children:
                    if c.type == "template_substitution":
                        inner = self.fold(
                            c.named_children[0] if c.named_children else None, depth + 1
                        )
                        if inner is None:
                            return None
                        parts.append(inner)
                    else:
                        parts.append(self.text(c, 1 << 20))
                return "".join(parts)
            return self.text(node, 1 << 20)[1:-1]
        if t == "parenthesized_expression" and node.named_child_count:
            return self.fold(node.named_children[-1], depth + 1)
        if t == "binary_expression" and self.text(node.child_by_field_name("operator")) == "+":
            a = self.fold(node.child_by_field_name("left"), depth + 1)
            b = self.fold(node.child_by_field_name("right"), depth + 1)
            return a + b if a is not None and b is not None else None
        if t == "identifier":
            value = self.consts.get(self.text(node))
            return self.fold(value, depth + 1) if value is not None and value != node else None
        if t == "number":
            return self.text(node)
        if t == "call_expression":
            return self._fold_call(node, depth)
        return None

    def _fold_call(self, node: tree_sitter.Node, depth: int) -> str | None:
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        argv = args.named_children if args is not None else []
        callee = self.text(fn)
        if callee == "String.fromCharCode":
            codes = [self.text(a) for a in argv]
            if codes and all(c.isdigit() for c in codes):
                return "".join(chr(int(c)) for c in codes if int(c) < 0x110000)
            return None
        if callee == "atob" and argv:
            return _b64(self.fold(argv[0], depth + 1))
        if fn is None or fn.type != "member_expression":
            return None
        obj, prop = fn.child_by_field_name("object"), self.text(fn.child_by_field_name("property"))
        if prop == "join" and obj is not None:
            sep = self.fold(argv[0], depth + 1) if argv else ","
            items = self._items(obj, depth)
            return sep.join(items) if items is not None and sep is not None else None
        if prop == "toString" and obj is not None and obj.type == "call_expression":
            inner_fn = self.text(obj.child_by_field_name("function"))
            inner_args = obj.child_by_field_name("arguments")
            ia = inner_args.named_children if inner_args is not None else []
            if inner_fn == "Buffer.from" and len(ia) >= 2:
                payload, enc = self.fold(ia[0], depth + 1), self.fold(ia[1], depth + 1)
                if enc == "base64":
                    return _b64(payload)
                if enc == "hex" and payload is not None:
                    try:
                        return bytes.fromhex(payload).decode("utf-8", "replace")
                    except ValueError:
                        return None
        if prop in {"toLowerCase", "toUpperCase", "trim"} and obj is not None:
            s = self.fold(obj, depth + 1)
            return (
                None
                if s is None
                else {"toLowerCase": s.lower(), "toUpperCase": s.upper(), "trim": s.strip()}[prop]
            )
        return None

    def _items(self, node: tree_sitter.Node, depth: int) -> list[str] | None:
        """A list of strings: an array literal, or `s.split(x)` / `.reverse()` of one."""
        if node.type == "array":
            folded = [self.fold(c, depth + 1) for c in node.named_children]
            strings = [i for i in folded if i is not None]
            return strings if len(strings) == len(folded) else None
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "member_expression":
                obj = fn.child_by_field_name("object")
                prop = self.text(fn.child_by_field_name("property"))
                if obj is None:
                    return None
                if prop == "reverse":
                    items = self._items(obj, depth + 1)
                    return items[::-1] if items is not None else None
                if prop == "split":
                    args = node.child_by_field_name("arguments")
                    s = self.fold(obj, depth + 1)
                    sep = (
                        self.fold(args.named_children[0], depth + 1)
                        if args is not None and args.named_children
                        else None
                    )
                    if s is None or sep is None:
                        return None
                    return list(s) if sep == "" else s.split(sep)
        if node.type == "identifier":
            value = self.consts.get(self.text(node))
            return self._items(value, depth + 1) if value is not None else None
        return None

    # ---- names ----
    def required(self, call: tree_sitter.Node, depth: int = 0) -> str | None:
        """The module a `require(...)`/`import(...)` call loads, folded, or None."""
        fn = call.child_by_field_name("function")
        if depth > MAX_DEPTH:
            return None
        name = self.qualname(fn, depth + 1) if fn is not None and fn.type != "import" else "import"
        if name not in {"require", "import", "module.require", "process.mainModule.require"}:
            return None
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_child_count:
            return None
        spec = self.fold(args.named_children[0], depth + 1)
        return spec.removeprefix("node:") if spec is not None else None

    def qualname(self, node: tree_sitter.Node | None, depth: int = 0) -> str:
        if node is None or depth > MAX_DEPTH:
            return ""
        t = node.type
        if t == "parenthesized_expression" and node.named_child_count:
            return self.qualname(node.named_children[-1], depth + 1)
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
            return name
        if t in {"member_expression", "subscript_expression"}:
            obj = node.child_by_field_name("object")
            if t == "member_expression":
                prop = self.text(node.child_by_field_name("property"))
            else:
                prop = self.fold(node.child_by_field_name("index")) or ""
            if not prop:
                return ""
            if prop == "constructor" and obj is not None:
                base = self.qualname(obj, depth + 1)
                if base.endswith("constructor") or obj.type in _FUNCS or base == "Function":
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
            return ""
        if t in {"array", "object", "string"}:
            return {"array": "Array", "object": "Object", "string": "String"}[t]
        return ""


def parse(data: bytes) -> JsFacts | None:
    lang, query = language()
    try:
        tree = tree_sitter.Parser(lang).parse(data)
    except (ValueError, MemoryError, RecursionError):
        return None
    facts = JsFacts(data, tree)
    imports: list[tree_sitter.Node] = []
    for _, caps in tree_sitter.QueryCursor(query).matches(tree.root_node):
        if "call" in caps:
            facts.calls.append((caps["call"][0], caps["fn"][0]))
        elif "name" in caps and "value" in caps:
            name = caps["name"][0]
            if name.type == "identifier":
                facts.consts[facts.text(name)] = caps["value"][0]
            if "decl" in caps:
                _alias(facts, name, caps["value"][0])
        elif "import" in caps:
            imports.append(caps["import"][0])
    for call, _fn in facts.calls:
        spec = facts.required(call)
        if spec is not None:
            facts.requires.append(spec)
    for node in imports:
        _es_import(facts, node)
    return facts


def _alias(facts: JsFacts, name: tree_sitter.Node, value: tree_sitter.Node) -> None:
    if value.type == "await_expression" and value.named_child_count:
        value = value.named_children[0]
    if value.type != "call_expression":
        return
    module = facts.required(value)
    if module is None:
        return
    if name.type == "identifier":
        facts.aliases[facts.text(name)] = module
    elif name.type == "object_pattern":
        for child in name.named_children:
            key = child.child_by_field_name("value") or child
            if key.type in {"identifier", "shorthand_property_identifier_pattern"}:
                prop = child.child_by_field_name("key") or key
                facts.aliases[facts.text(key)] = f"{module}.{facts.text(prop)}"


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


def top_level(node: tree_sitter.Node) -> bool:
    """Runs when the file is loaded: not inside a function other than an IIFE."""
    cur = node.parent
    while cur is not None:
        if cur.type in _FUNCS and not invoked_now(cur):
            return False
        cur = cur.parent
    return True


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] in "'\"`" and text[-1] == text[0]:
        body = text[1:-1]
        if "\\" in body:
            try:
                return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
            except (UnicodeDecodeError, UnicodeEncodeError):
                return body
        return body
    return text


def _b64(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return base64.b64decode(text + "==").decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
