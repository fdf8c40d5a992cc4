"""JS-EVAL-DECODED and JS-EVAL-DYNAMIC: eval/Function/vm/module._compile on decoded or
computed code (also reached as `globalThis['ev'+'al']` or `x.constructor.constructor`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..jspass import JsCheck

EVAL_DECODED = Rule(
    id="JS-EVAL-DECODED",
    title="eval/Function/vm runs data decoded in place (base64, hex, char codes)",
    category="obfuscation",
    severity="critical",
    explanation=(
        "Decoding and evaluating in one expression hides the payload from reviewers. Decode "
        "the literal offline and read it."
    ),
    strong=True,
)
EVAL_DYNAMIC = Rule(
    id="JS-EVAL-DYNAMIC",
    title="Install- or import-time JavaScript evaluates a computed string",
    category="dynamic-code",
    severity="medium",
    explanation="eval/new Function on a computed value cannot be reviewed in the source.",
)
RULES = (EVAL_DECODED, EVAL_DYNAMIC)
EVAL = {
    "eval", "Function", "vm.runInThisContext", "vm.runInNewContext", "vm.runInContext",
    "vm.Script", "vm.compileFunction", "module._compile",
}  # fmt: skip


_IDENT = re.compile(rb"[A-Za-z_$][\w$]*")


def _with_bindings(js: JsCheck, body: bytes, rounds: int = 2) -> bytes:
    """The evaluated expression's text, and what the constants it names are assigned, two
    levels deep (`const d = crypto.createDecipheriv(…); const src = d.update(…); eval(src)`)."""
    consts = js.facts.consts if js.facts is not None else {}
    seen: set[bytes] = set()
    out, frontier = [body], body
    for _ in range(rounds):
        added = []
        for name in set(_IDENT.findall(frontier[:4000])) - seen:
            seen.add(name)
            node = consts.get(name.decode("utf-8", "replace"))
            if node is not None:
                added.append(js.data[node.start_byte : min(node.end_byte, node.start_byte + 2000)])
        if not added:
            break
        frontier = b" ".join(added)
        out.append(frontier)
    return b" ".join(out)


def check_javascript(js: JsCheck) -> None:
    from ..jspass import DECODE_HINT

    facts = js.facts
    if facts is None:
        return
    for call, fn in facts.calls:
        q = facts.qualname(fn)
        if q not in EVAL:
            continue
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_child_count:
            continue
        computed = [a for a in args.named_children if a.type not in {"string", "template_string"}]
        # decoder names inside a string literal are the evaluated code's own text, not decoding
        body = b" ".join(js.data[a.start_byte : a.end_byte] for a in computed)
        if DECODE_HINT.search(_with_bindings(js, body)):
            js.emit(EVAL_DECODED, call, f"{q} runs data decoded in place.")
        elif computed and js.loadtime(call):
            if q == "Function" and args.named_children[-1].type in {"string", "template_string"}:
                continue
            if facts.fold(computed[-1]) is not None:
                continue  # folded to a constant: the folded code was scanned as a payload
            js.emit(EVAL_DYNAMIC, call, f"{q} on a computed value.")
