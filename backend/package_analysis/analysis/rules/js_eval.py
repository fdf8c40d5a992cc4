"""JS-EVAL-DECODED and JS-EVAL-DYNAMIC: eval/Function/vm/module._compile on decoded or
computed code (also reached as `globalThis['ev'+'al']` or `x.constructor.constructor`)."""

from __future__ import annotations

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
        if DECODE_HINT.search(body):
            js.emit(EVAL_DECODED, call, f"{q} runs data decoded in place.")
        elif computed and js.loadtime(call):
            if q == "Function" and args.named_children[-1].type in {"string", "template_string"}:
                continue
            if facts.fold(computed[-1]) is not None:
                continue  # folded to a constant: the folded code was scanned as a payload
            js.emit(EVAL_DYNAMIC, call, f"{q} on a computed value.")
