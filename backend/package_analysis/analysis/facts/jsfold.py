"""String folding for the JavaScript facts: what an expression evaluates to when it is
built from constants (concatenation, templates, `String.fromCharCode`, `join`,
`split('').reverse().join('')`, `Buffer.from(…, 'base64'|'hex').toString()`, `atob`), read
from the tree, never run."""

from __future__ import annotations

import base64
import binascii

import tree_sitter

MAX_DEPTH = 10
UNRESOLVED = "https://(unresolved)"  # a value only known when the code runs


class JsFolding:
    """Folding over one file's tree; `JsFacts` supplies its bytes and its constants."""

    data: bytes
    consts: dict[str, tree_sitter.Node]
    # constants an earlier window of the same file folded to strings (`jswindow`)
    strings: dict[str, str]

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
            if value is None:
                return self.strings.get(self.text(node))
            return self.fold(value, depth + 1) if value != node else None
        if t == "number":
            return self.text(node)
        if t == "call_expression":
            return self._fold_call(node, depth)
        return None

    def fold_partial(
        self, node: tree_sitter.Node | None, depth: int = 0, shown: bool = False
    ) -> str:
        """Like `fold`, but a piece that does not fold (a variable, a call) reads as
        `UNRESOLVED`: what a command line is built around, e.g. `curl ${url} | sh`.
        `shown`: the text a person reads instead, each such piece as the code that gives it
        (`${process.execPath} -p …`), not the placeholder the rules match on."""
        whole = self.fold(node, depth)
        if whole is not None:
            return whole
        if node is None or depth > MAX_DEPTH:
            return self._unknown(node, shown)
        t = node.type
        if t == "parenthesized_expression" and node.named_child_count:
            return self.fold_partial(node.named_children[-1], depth + 1, shown)
        if t == "binary_expression" and self.text(node.child_by_field_name("operator")) == "+":
            left = self.fold_partial(node.child_by_field_name("left"), depth + 1, shown)
            return left + self.fold_partial(node.child_by_field_name("right"), depth + 1, shown)
        if t == "template_string":
            parts = []
            for c in node.named_children:
                if c.type == "template_substitution":
                    inner = c.named_children[0] if c.named_children else None
                    parts.append(self.fold_partial(inner, depth + 1, shown))
                else:
                    parts.append(self.text(c, 1 << 20))
            return "".join(parts)
        if t == "identifier":
            value = self.consts.get(self.text(node))
            if value is not None and value != node:
                return self.fold_partial(value, depth + 1, shown)
        return self._unknown(node, shown)

    def _unknown(self, node: tree_sitter.Node | None, shown: bool) -> str:
        if not shown or node is None:
            return UNRESOLVED
        code = " ".join(self.text(node, 200).split())
        return "${" + (code if len(code) <= 60 else code[:59] + "…") + "}"

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
