"""JS-COLLECTOR-SEND: an exported JavaScript function sends what it is given to a collector
host (the npm side of `PY-COLLECTOR-SEND`: a trojan helper that waits to be called)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..facts.javascript import UNRESOLVED
from .base import Rule
from .js_process_network import NETWORK_CALLS
from .py_beacon import PURE

if TYPE_CHECKING:
    import tree_sitter

    from ..facts.javascript import JsFacts
    from ..jspass import JsCheck

COLLECTOR_SEND = Rule(
    id="JS-COLLECTOR-SEND",
    title="A JavaScript function sends the data it is given to a collector host",
    category="exfiltration",
    severity="critical",
    explanation=(
        "A function the package ships builds a request to a host that only collects "
        "requests (a request bin, an interaction server, a tunnel, a throw-away deploy) "
        "around a value it does not hold itself (its argument, the environment). Whatever "
        "the caller passes, a wallet key or a token, leaves the machine when it is called. "
        "Check who is told to call it and with what."
    ),
    strong=True,
)
RULES = (COLLECTOR_SEND,)
# `axios.post(url, body)`, `fetch(url, {body})`: the verbs whose later arguments carry data
_VERBS = NETWORK_CALLS | {"axios.put", "axios.patch", "got.post", "needle.post"}


def _free(facts: JsFacts, node: tree_sitter.Node) -> bool:
    """A value not written in the code (an options object: one of its values)."""
    if node.type == "object":
        pairs = [p.child_by_field_name("value") for p in node.named_children if p.type == "pair"]
        return any(v is not None and _free(facts, v) for v in pairs) or any(
            p.type != "pair"
            for p in node.named_children  # `{...data}`, `{key}`
        )
    return facts.fold(node) is None and node.type not in {"number", "true", "false", "null"}


def check_javascript(js: JsCheck) -> None:
    facts = js.facts
    if facts is None:
        return
    for call, fn in facts.calls:
        q = facts.qualname(fn)
        if q not in _VERBS:
            continue
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_child_count:
            continue
        url = facts.fold_partial(args.named_children[0])
        m = PURE.search(url.replace(UNRESOLVED, "\0"))
        if not m:
            continue
        rest = args.named_children[1:]
        carried = UNRESOLVED in url or any(_free(facts, a) for a in rest)
        if carried:
            host = m.group(0).lstrip("/.:@\"' ")
            js.emit(
                COLLECTOR_SEND,
                call,
                f"Calls {q} on {host!r} with data handed in.",
                lt=js.loadtime(call),
            )
