"""JS-EVAL-DECODED and JS-EVAL-DYNAMIC: eval/Function/vm/module._compile on decoded or
computed code (also reached as `globalThis['ev'+'al']` or `x.constructor.constructor`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .base import Rule

if TYPE_CHECKING:
    import tree_sitter

    from ..facts.javascript import JsFacts
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
EVAL_FETCHED = Rule(
    id="JS-EVAL-FETCHED",
    title="Install- or import-time JavaScript runs code it downloads",
    category="download-exec",
    severity="critical",
    explanation=(
        "The response of a network call reaches eval/Function/vm (inside the call's callback, "
        "along its promise chain, or handed over as `.then(eval)`), or is written to a file "
        "that the same callback then requires, imports or runs with Node: whatever the server "
        "sends on the day of the install runs with the installing user's rights. Nothing in the "
        "package shows what that code is."
    ),
    strong=True,
)
RULES = (EVAL_DECODED, EVAL_DYNAMIC, EVAL_FETCHED)
EVAL = {
    "eval", "Function", "vm.runInThisContext", "vm.runInNewContext", "vm.runInContext",
    "vm.Script", "vm.compileFunction", "module._compile",
}  # fmt: skip


_IDENT = re.compile(rb"[A-Za-z_$][\w$]*")
# code hidden in a file that is no script (stego: bytes after a PNG's IEND, a font, a blob)
_MEDIA_READ = re.compile(
    rb"readFile(?:Sync)?\s*\([^;]{0,200}?([\w.-]+\.(?:png|jpe?g|gif|ico|bmp|webp|svg|woff2?|ttf"
    rb"|otf|mp3|wav|mp4|dat|bin))\b",
    re.I,
)


def _with_bindings(js: JsCheck, body: bytes, rounds: int = 2) -> bytes:
    """The evaluated expression's text, and what the constants it names are assigned, two
    levels deep (`const d = crypto.createDecipheriv(…); const src = d.update(…); eval(src)`)."""
    facts = js.facts
    seen: set[bytes] = set()
    out, frontier = [body], body
    for _ in range(rounds):
        added = []
        for name in set(_IDENT.findall(frontier[:4000])) - seen:
            seen.add(name)
            text = facts.const_text(name.decode("utf-8", "replace")) if facts else None
            if text is not None:
                added.append(text)
        if not added:
            break
        frontier = b" ".join(added)
        out.append(frontier)
    return b" ".join(out)


_FIRST_ONLY = {"worker_threads.Worker", "import"}  # their other argument is options
_EVAL_OPTION = re.compile(r"\beval\s*:\s*(true|!0|1)\b")


def _evaluator(facts: JsFacts, call: tree_sitter.Node, fn: tree_sitter.Node) -> str:
    """What runs a call's code argument: an EVAL name, a worker started from source
    (`new Worker(src, {eval: true})`), an `import()` of a `data:` URL; '' when none."""
    q = facts.qualname(fn)
    if q in EVAL:
        return q
    if q not in _FIRST_ONLY:
        return ""
    args = call.child_by_field_name("arguments")
    kids = args.named_children if args is not None else []
    if q == "import":
        return q if kids and facts.fold_partial(kids[0]).lower().startswith("data:") else ""
    return q if len(kids) > 1 and _EVAL_OPTION.search(facts.text(kids[1])) else ""


def _network_root(facts: JsFacts, call: tree_sitter.Node) -> tuple[str, Any]:
    """The network call a promise chain (`fetch(u).then(…).then(…)`) or a callback-taking
    call (`https.get(u, cb)`) starts from: (its name, its node), or ('', None)."""
    from .js_process_network import NETWORK_CALLS

    node: tree_sitter.Node | None = call
    for _ in range(8):
        if node is None or node.type != "call_expression":
            return "", None
        fn = node.child_by_field_name("function")
        q = facts.qualname(fn)
        if q in NETWORK_CALLS:
            return q, node
        if fn is None or fn.type != "member_expression":
            return "", None
        node = fn.child_by_field_name("object")  # `x.then(…)`, `res.on(…)`: go to x
        while node is not None and node.type in {"parenthesized_expression", "await_expression"}:
            node = node.named_children[-1] if node.named_child_count else None
    return "", None


def _fetched(js: JsCheck, call: tree_sitter.Node) -> str:
    """The load-time network call whose callback (at any depth) holds `call`, or ''."""
    return _fetching(js, call)[0]


def _fetching(js: JsCheck, call: tree_sitter.Node) -> tuple[str, Any]:
    """(name, node) of the load-time network call whose callback holds `call`, or ('', None)."""
    assert js.facts is not None
    cur = call.parent
    while cur is not None:
        if cur.type == "arguments" and cur.parent is not None:
            root, node = _network_root(js.facts, cur.parent)
            if root:
                return (root, node) if js.loadtime(node) else ("", None)
        cur = cur.parent
    return "", None


# a response gathered in its callbacks: `body += chunk`, `body = body + chunk`, `parts.push(c)`
_GATHERED = re.compile(rb"([A-Za-z_$][\w$]*)\s*(?:\+=|=\s*\1\s*\+|\.push\()")


def _runs_response(js: JsCheck, call: tree_sitter.Node) -> str:
    """A process call whose command is the response itself: a name the network call's
    callbacks gather the body into (`d += chunk` … `exec(d)`), or an awaited body."""
    facts = js.facts
    args = call.child_by_field_name("arguments")
    if facts is None or args is None or not args.named_child_count:
        return ""
    command = args.named_children[0]
    if command.type == "string":
        return ""
    root, node = _fetching(js, call)
    if root:
        gathered = set(_GATHERED.findall(js.data[node.start_byte : node.end_byte]))
        used = set(_IDENT.findall(js.data[command.start_byte : command.end_byte]))
        return root if gathered & used else ""
    return _fetched_value(js, command)


# a file loaded as code, by path: `require(p)`, `import(p)`, a Node child on it
_LOADS_FILE = {"require", "import", "module.require", "child_process.fork"}
_NODE_RUNNERS = {
    "child_process.spawn", "child_process.spawnSync", "child_process.execFile",
    "child_process.execFileSync",
}  # fmt: skip
_WRITES_FILE = {
    "fs.writeFileSync", "fs.writeFile", "fs.promises.writeFile", "fs.appendFileSync",
    "fs.appendFile", "fs.createWriteStream", "fsPromises.writeFile", "fs/promises.writeFile",
    "fs/promises.appendFile",
}  # fmt: skip
# what a response is read through: `await (await fetch(u)).text()`, `(await axios.get(u)).data`
_BODY_READERS = {"text", "json", "arrayBuffer", "buffer", "blob", "bytes"}
_BODY_FIELDS = {"data", "body"}


def _fetched_value(js: JsCheck, node: tree_sitter.Node | None, depth: int = 0) -> str:
    """The network call whose response a value is, awaited and read in the same file
    (`const r = await fetch(u); const code = await r.text()`), or ''."""
    from .js_process_network import NETWORK_CALLS

    facts = js.facts
    while node is not None and node.type in {"await_expression", "parenthesized_expression"}:
        node = node.named_children[-1] if node.named_child_count else None
    if facts is None or node is None or depth > 6:
        return ""
    if node.type == "identifier":
        bound = facts.consts.get(facts.text(node))
        return _fetched_value(js, bound, depth + 1) if bound is not None else ""
    if node.type in {"array", "template_string", "binary_expression", "template_substitution"}:
        return next((r for k in node.named_children if (r := _fetched_value(js, k, depth + 1))), "")
    if node.type == "member_expression":
        if facts.text(node.child_by_field_name("property")) in _BODY_FIELDS:
            return _fetched_value(js, node.child_by_field_name("object"), depth + 1)
        return ""
    if node.type != "call_expression":
        return ""
    fn = node.child_by_field_name("function")
    q = facts.qualname(fn)
    if q in NETWORK_CALLS:
        return q if js.loadtime(node) else ""
    if fn is None or fn.type != "member_expression":
        return ""
    if facts.text(fn.child_by_field_name("property")) not in _BODY_READERS:
        return ""
    return _fetched_value(js, fn.child_by_field_name("object"), depth + 1)


_FUNCTIONS = {"arrow_function", "function_expression", "function_declaration", "function"}


def _loaded_path(facts: JsFacts, call: tree_sitter.Node, q: str) -> str:
    """The text of the path a call loads as JavaScript (`require(p)`, `fork(p)`,
    `spawn(process.execPath, [p])`, `execFile('node', [p])`); '' for none or a literal."""
    args = call.child_by_field_name("arguments")
    kids = args.named_children if args is not None else []
    first: tree_sitter.Node | None = None
    if q in _LOADS_FILE and kids:
        first = kids[0]
    elif q in _NODE_RUNNERS and len(kids) > 1 and kids[1].type == "array":
        node = facts.text(kids[0]).strip("'\"`")
        if node not in {"process.execPath", "node", "process.argv[0]"}:
            return ""
        items = kids[1].named_children
        first = items[0] if items else None
    else:
        return ""
    return "" if first is None or first.type == "string" else facts.text(first)


def _writes(facts: JsFacts) -> list[tuple[int, str, tree_sitter.Node]]:
    """(offset, path text, data) of every file write in the file (`fs.writeFileSync(p, d)`),
    in order; read once per file, and only when something loads a computed path."""
    out = []
    for other, fn in facts.calls:
        if facts.qualname(fn) in _WRITES_FILE:
            args = other.child_by_field_name("arguments")
            kids = args.named_children if args is not None else []
            if kids:
                out.append((other.start_byte, facts.text(kids[0]), kids[-1]))
    return sorted(out, key=lambda w: w[0])


def _write_of(
    writes: list[tuple[int, str, tree_sitter.Node]], call: tree_sitter.Node, path: str
) -> tree_sitter.Node | None:
    """The data written to the file `path` names, before `call`, in the function holding it."""
    scope = call.parent
    while scope is not None and scope.type not in _FUNCTIONS:
        scope = scope.parent
    lo = scope.start_byte if scope is not None else 0
    return next((d for at, p, d in writes if lo <= at < call.start_byte and p == path), None)


def check_javascript(js: JsCheck) -> None:
    from ..jspass import DECODE_HINT
    from .js_process_network import spawns

    writes: list[tuple[int, str, tree_sitter.Node]] | None = None

    facts = js.facts
    if facts is None:
        return
    for call, fn in facts.calls:
        q = _evaluator(facts, call, fn)
        if not q and spawns(facts.qualname(fn)) and (root := _runs_response(js, call)):
            what = facts.qualname(fn)
            js.emit(EVAL_FETCHED, call, f"{what} runs the command {root} returned.")
            continue
        if not q and (path := _loaded_path(facts, call, facts.qualname(fn))):
            writes = _writes(facts) if writes is None else writes
            data = _write_of(writes, call, path)
            root = "" if data is None else (_fetched(js, call) or _fetched_value(js, data))
            if root:
                what = facts.qualname(fn)
                js.emit(
                    EVAL_FETCHED, call, f"{what} runs a file written with what {root} returned."
                )
            continue
        if not q:
            if (
                fn.type == "member_expression"
                and facts.text(fn.child_by_field_name("property")) == "then"
            ):
                args = call.child_by_field_name("arguments")
                handed = (
                    args.named_children[0] if args is not None and args.named_child_count else None
                )
                if handed is not None and facts.qualname(handed) in EVAL:
                    root, node = _network_root(facts, call)
                    if root and js.loadtime(node):
                        js.emit(
                            EVAL_FETCHED,
                            call,
                            f"{root}'s response is handed to {facts.qualname(handed)}.",
                        )
            continue
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_child_count:
            continue
        code = args.named_children[:1] if q in _FIRST_ONLY else args.named_children
        computed = [a for a in code if a.type not in {"string", "template_string"}]
        # decoder names inside a string literal are the evaluated code's own text, not decoding
        body = b" ".join(js.data[a.start_byte : a.end_byte] for a in computed)
        root = _fetched(js, call) if computed else ""
        if computed and not root:  # `const code = await (await fetch(u)).text(); eval(code)`
            root = next((r for a in computed if (r := _fetched_value(js, a))), "")
        if root:
            js.emit(EVAL_FETCHED, call, f"{q} runs what {root} returned.")
        elif DECODE_HINT.search(_with_bindings(js, body)):
            js.emit(EVAL_DECODED, call, f"{q} runs data decoded in place.")
        elif m := _MEDIA_READ.search(_with_bindings(js, body)):
            name = m.group(1).decode("utf-8", "replace")
            js.emit(EVAL_DECODED, call, f"{q} runs bytes read from a media or data file ({name}).")
        elif computed and js.loadtime(call):
            if q == "Function" and args.named_children[-1].type in {"string", "template_string"}:
                continue
            if facts.fold(computed[-1]) is not None:
                continue  # folded to a constant: the folded code was scanned as a payload
            js.emit(EVAL_DYNAMIC, call, f"{q} on a computed value.")
