"""The JavaScript pass: facts for one file (tree-sitter), every rule's `check_javascript`,
and every literal that decodes scanned again with all passes.

Install-script files (and what they require) are load time as a whole (`install`); the
package's entry points (and what they require) are load time at their top level and inside
immediately-invoked functions (`import`). Other files only get the rules about hidden code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import tree_sitter
import yara_x

from .facts import decode, jsload, jswindow
from .facts.javascript import UNRESOLVED, JsFacts, parse
from .model import Reachability
from .rules import catalog, content
from .rules.base import FileCtx, Rule, Sink, line_of, snippet_at
from .rules.js_process_network import spawns
from .rules.py_beacon import PURE_BYTES

MAX_DECODE_DEPTH = 2
DECODE_HINT = re.compile(
    rb"(atob\(|String\.fromCharCode|fromCharCode\.apply|unescape\(|Buffer\.from\([^)]*['\"](base64|hex)['\"]"
    rb"|\.toString\(['\"](base64|hex)['\"]|decodeURIComponent\(escape|\.split\(['\"]['\"]\)\.reverse\(\)"
    rb"|createDecipher)"
)
_PREFILTER_EVAL = re.compile(
    rb"\b(eval|Function|runInThisContext|runInNewContext|_compile|constructor|Worker|import)\b"
    rb"\s*[\(\[\)'\"]"
)
_STRING = re.compile(rb"""(['"])([A-Za-z0-9+/=_\-\\x]{40,})\1""")
JS_CODE = re.compile(r"(require\(|child_process|eval\(|process\.env|https?\.request|\bexec\()")


@dataclass
class JsPayload:
    line: int
    offset: int
    chain: str
    text: str  # what the rules read
    # every piece is written as is in the file (a command line built from plain literals):
    # folded, not decoded
    literal: bool = False
    shown: str = ""  # what a person reads, when not `text` (a folded command's `${…}`)


@dataclass
class JsCheck:
    """What a `check_javascript` hook gets: the facts (None when the file was not parsed:
    only text-level rules apply) and a way to report."""

    data: bytes
    facts: JsFacts | None
    ctx: FileCtx
    sink: Sink
    loadtime_all: bool
    entry: bool
    payloads: list[JsPayload] = field(default_factory=list)
    # a big file is checked a window at a time (`facts/jswindow.py`): the rules that read
    # the whole text (not the facts) run once, with the last window
    text_pass: bool = True
    carry: dict[str, Any] = field(default_factory=dict)  # a rule's state across the windows

    def loadtime(self, node: tree_sitter.Node) -> bool:
        if self.loadtime_all:
            return True
        if not self.entry:
            return False
        if self.facts is None:
            return jsload.enclosing(node, {}) is None
        fn = jsload.enclosing(node, self.facts.scopes)
        if fn is not None:  # in a function: when the file's load-time code runs it
            runs = self.facts.runs_at_load(fn)
            if not runs and self.facts.span is not None:  # a window: another may run it
                self.facts.asked.append(fn)
            return runs
        return node.start_byte >= self.facts.nested_before

    @property
    def span(self) -> tuple[int, int]:
        """The bytes the facts hold calls of: the whole file, or its current window."""
        if self.facts is not None and self.facts.span is not None:
            return self.facts.span
        return 0, len(self.data)

    def emit(
        self,
        rule: Rule,
        node: tree_sitter.Node | None,
        detail: str = "",
        *,
        lt: bool = True,
        variant: str = "",
        line: int | None = None,
        offset: int = 0,
    ) -> None:
        reach: Reachability = self.ctx.reach
        if lt and self.entry and reach == "runtime":
            reach = "import"
        if node is not None:
            line = node.start_point[0] + 1
            end = node.end_point[0] + 1
            snippet = snippet_at(self.data, node.start_byte, node.end_byte - node.start_byte)
        else:
            end = None
            snippet = snippet_at(self.data, offset, 8)
        self.sink.add(
            rule, self.ctx, line, snippet, detail=detail, reach=reach, variant=variant, end_line=end
        )


def analyze(
    data: bytes,
    ctx: FileCtx,
    sink: Sink,
    scanner: yara_x.Scanner,
    *,
    loadtime_all: bool,
    entry: bool,
    depth: int = 0,
    facts: JsFacts | None = None,
) -> JsCheck:
    """Run the JavaScript rules over one file's bytes."""
    check = JsCheck(data, None, ctx, sink, loadtime_all, entry)
    if depth < MAX_DECODE_DEPTH:
        _literals(check, scanner, depth)
    if facts is None and (
        loadtime_all
        or entry
        or (_PREFILTER_EVAL.search(data) and DECODE_HINT.search(data))
        or PURE_BYTES.search(data)  # a helper that may send what it is given to a collector
    ):
        if len(data) > jswindow.window_bytes():
            context = entry and not loadtime_all  # else load time is all or nothing
            for window, check.text_pass in jswindow.windows(data, context=context):
                check.facts = window
                _checks(check, scanner, depth)
                check.facts = window = None  # one window's tree at a time
            return check
        facts = parse(data)
    check.facts = facts
    _checks(check, scanner, depth)
    return check


def _checks(check: JsCheck, scanner: yara_x.Scanner, depth: int) -> None:
    if check.facts is not None and depth < MAX_DECODE_DEPTH:
        _folded_evals(check, scanner, depth)
        _folded_commands(check, scanner, depth)
    for hook in catalog.checks("check_javascript"):
        hook(check)


def _literals(check: JsCheck, scanner: yara_x.Scanner, depth: int) -> None:
    budget = 200
    for m in _STRING.finditer(check.data):
        budget -= 1
        if budget < 0:
            break
        layers = decode.decode_layers(m.group(2))
        if layers is None:
            continue
        text = decode.as_text(layers[1])
        if text is None:
            continue
        chain = " → ".join(layers[0])
        _rescan(check, scanner, m.start(), chain, layers[1], text, depth)


def _folded_evals(check: JsCheck, scanner: yara_x.Scanner, depth: int) -> None:
    """What eval/Function/require get when their argument folds to a string: scanned too."""
    facts = check.facts
    assert facts is not None
    for call, fn in facts.calls:
        q = facts.qualname(fn)
        if q not in {
            "eval",
            "Function",
            "module._compile",
            "vm.runInThisContext",
            "vm.runInNewContext",
        }:
            continue
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_child_count:
            continue
        arg = args.named_children[-1]
        if arg.type in {"string", "template_string"}:
            continue
        text = facts.fold(arg)
        if text and len(text) >= 8:
            _rescan(check, scanner, call.start_byte, "folded string", text.encode(), text, depth)


_INLINE = {"-e", "--eval", "-p", "--print"}


def hook_code(
    hooks: dict[str, str], manifest: bytes, ctx: FileCtx, sink: Sink, scanner: yara_x.Scanner
) -> None:
    """The JavaScript a lifecycle script hands to `node -e` (also inside `sh -c '…'`): run
    through the JavaScript pass as install-time code, at the hook's line of package.json."""
    from .install_files import shell_commands
    from .layout import shell_words

    text = manifest.decode("utf-8", "replace")
    for name, cmd in list(hooks.items())[:20]:
        for line in shell_commands(cmd):
            words = shell_words(line)
            for i, w in enumerate(words[:-1]):
                if w in _INLINE and words[i - 1 : i] and words[i - 1].endswith(("node", "nodejs")):
                    code = words[i + 1]
                    at = text.find(f'"{name.split(":")[0]}"')
                    sub = FileCtx(ctx.path, "install", ctx.ecosystem).decoded_from(
                        "node -e", text.count("\n", 0, at) + 1 if at >= 0 else 1, cmd[:200], code
                    )
                    analyze(
                        code.encode(), sub, sink, scanner, loadtime_all=True, entry=False, depth=1
                    )


def _folded_commands(check: JsCheck, scanner: yara_x.Scanner, depth: int) -> None:
    """The command line a child_process call runs, folded from its pieces (concatenations,
    templates, constants, `[…].join(' ')`, an argument array), scanned like written text."""
    facts = check.facts
    assert facts is not None
    for call, fn in facts.calls:
        q = facts.qualname(fn)
        if not spawns(q) or q.endswith(".fork"):  # fork's argument is a module, not a command
            continue
        args = call.child_by_field_name("arguments")
        argv = args.named_children if args is not None else []
        if not argv or (argv[0].type == "string" and (len(argv) < 2 or argv[1].type != "array")):
            continue  # a plain literal: the content rules read it where it is written
        listed = argv[1] if len(argv) > 1 and argv[1].type == "array" else None
        pieces = [argv[0]]
        if argv[0].type == "object":  # the native spawn's options: {file, args: [...]}
            listed = next(
                (
                    p.child_by_field_name("value")
                    for p in argv[0].named_children
                    if p.type == "pair"
                    and facts.text(p.child_by_field_name("key")).strip("'\"") == "args"
                ),
                None,
            )
            pieces = []
        if listed is not None and listed.type == "array":
            pieces += listed.named_children
        words = [facts.fold_partial(a) for a in pieces]
        text = " ".join(words)
        if not text.strip() or text == UNRESOLVED:
            continue
        literal = all(w == UNRESOLVED or w.encode() in check.data for w in words)
        # a command the main module runs as it is required is import time, like the call
        ctx = check.ctx
        if check.entry and ctx.reach == "runtime" and check.loadtime(call):
            ctx = FileCtx(ctx.path, "import", ctx.ecosystem)
        shown = " ".join(facts.fold_partial(a, shown=True) for a in pieces)
        raw = text.encode()
        _rescan(
            check, scanner, call.start_byte, "folded command", raw, text, depth, ctx, shown, literal
        )


def _rescan(
    check: JsCheck,
    scanner: yara_x.Scanner,
    offset: int,
    chain: str,
    raw: bytes,
    text: str,
    depth: int,
    ctx: FileCtx | None = None,
    shown: str | None = None,
    literal: bool = False,
) -> None:
    """`raw` read by every pass; `shown` (else `text`) is what the evidence shows."""
    ctx = ctx or check.ctx
    line = line_of(check.data, offset)
    shown = text if shown is None else shown
    sub = ctx.decoded_from(chain, line, snippet_at(check.data, offset), shown)
    content.scan(scanner, raw, sub, check.sink)
    check.payloads.append(JsPayload(line, offset, chain, text, literal, shown))
    if JS_CODE.search(text):
        analyze(raw, sub, check.sink, scanner, loadtime_all=True, entry=False, depth=depth + 1)
