"""The JavaScript pass: facts for one file (tree-sitter), every rule's `check_javascript`,
and every literal that decodes scanned again with all passes.

Install-script files (and what they require) are load time as a whole (`install`); the
package's entry points (and what they require) are load time at their top level and inside
immediately-invoked functions (`import`). Other files only get the rules about hidden code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter
import yara_x

from .facts import decode
from .facts.javascript import JsFacts, parse, top_level
from .model import Reachability
from .rules import catalog, content
from .rules.base import FileCtx, Rule, Sink, line_of, snippet_at

MAX_DECODE_DEPTH = 2
DECODE_HINT = re.compile(
    rb"(atob\(|String\.fromCharCode|fromCharCode\.apply|unescape\(|Buffer\.from\([^)]*['\"](base64|hex)['\"]"
    rb"|\.toString\(['\"](base64|hex)['\"]|decodeURIComponent\(escape|\.split\(['\"]['\"]\)\.reverse\(\)"
    rb"|createDecipher)"
)
_PREFILTER_EVAL = re.compile(
    rb"\b(eval|Function|runInThisContext|runInNewContext|_compile|constructor)\b\s*[\(\[\)'\"]"
)
_STRING = re.compile(rb"""(['"])([A-Za-z0-9+/=_\-\\x]{40,})\1""")
JS_CODE = re.compile(r"(require\(|child_process|eval\(|process\.env|https?\.request|\bexec\()")


@dataclass
class JsPayload:
    line: int
    offset: int
    chain: str
    text: str


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

    def loadtime(self, node: tree_sitter.Node) -> bool:
        return self.loadtime_all or (self.entry and top_level(node))

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
        loadtime_all or entry or (_PREFILTER_EVAL.search(data) and DECODE_HINT.search(data))
    ):
        facts = parse(data)
    check.facts = facts
    if facts is not None and depth < MAX_DECODE_DEPTH:
        _folded_evals(check, scanner, depth)
    for hook in catalog.checks("check_javascript"):
        hook(check)
    return check


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


def _rescan(
    check: JsCheck,
    scanner: yara_x.Scanner,
    offset: int,
    chain: str,
    raw: bytes,
    text: str,
    depth: int,
) -> None:
    ctx = check.ctx
    line = line_of(check.data, offset)
    sub = ctx.decoded_from(chain, line, snippet_at(check.data, offset), text)
    content.scan(scanner, raw, sub, check.sink)
    check.payloads.append(JsPayload(line, offset, chain, text))
    if JS_CODE.search(text):
        analyze(raw, sub, check.sink, scanner, loadtime_all=True, entry=False, depth=depth + 1)
