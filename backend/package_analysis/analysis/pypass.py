"""The Python pass: facts for one module, then every rule's `check_python` over them, then
every payload decoded statically from the module through all passes again.

Load-time code is what runs when the file is used as intended without calling anything:
setup.py and in-tree build backends (reachability `install`, except code behind a guard no
installer meets and commands pip never runs), .pth lines, and the top level of every other
module plus whatever it calls or hands over (`import`). Rules about ordinary APIs (processes,
network, exec) only fire on load-time code; rules about hiding code fire everywhere.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yara_x

from .facts import decode, pyapi
from .facts.python import PyFacts, parse
from .facts.values import DECODED, Value
from .model import Reachability
from .rules import catalog, content
from .rules.base import FileCtx, Rule, Sink

MAX_DECODE_DEPTH = 3
EMBEDDED = "code embedded in a string"
_CODE_HINT = re.compile(r"\b(import|exec|eval|urlopen|system|Popen|socket|requests)\b")
_EMBEDDED_B64 = re.compile(rb"[A-Za-z0-9+/]{80,}={0,2}")
_FOLDABLE = (ast.BinOp, ast.JoinedStr, ast.List, ast.Tuple, ast.Call, ast.Subscript)
_JS_HINT = re.compile(r"(require\(|child_process|eval\(|process\.env|https?\.request|\bexec\()")


@dataclass
class Payload:
    """Bytes a literal (or a folded expression) decodes to, found on `line`."""

    line: int
    chain: str
    data: bytes
    node: ast.AST | None = None


@dataclass
class PayloadCheck:
    """What a `check_payload` hook gets: a payload decoded from a literal of `parent`."""

    parent: PyCheck
    node: ast.AST
    chain: str
    data: bytes
    text: str | None
    marshal: bool
    python_code: bool


@dataclass
class PyCheck:
    """What a `check_python` hook gets: the facts and a way to report."""

    facts: PyFacts
    ctx: FileCtx
    sink: Sink
    depth: int = 0
    payloads: list[Payload] = field(default_factory=list)
    load_calls: set[int] = field(default_factory=set)
    codec: str = ""  # a PEP 263 coding cookie's codec, when the file has one
    programs: set[bytes] = field(default_factory=set)  # texts already analysed as code
    bundle: Callable[[str], bytes | None] | None = None  # a file beside the module, by path

    @property
    def embedded(self) -> bool:
        return self.ctx.origin is not None and self.ctx.origin[0] == EMBEDDED

    def reach(self, node: ast.AST) -> Reachability:
        if self.facts.loadtime_all or not self.facts.loadtime(node):
            return self.ctx.reach
        return "import" if self.ctx.reach == "runtime" else self.ctx.reach

    def loadtime(self, node: ast.AST) -> bool:
        return self.facts.loadtime(node)

    def emit(
        self,
        rule: Rule,
        node: ast.AST | None,
        detail: str = "",
        *,
        variant: str = "",
        load_time_only: bool = False,
        chain: Value | None = None,
        sink_text: str = "",
        reach: Reachability | None = None,
        line: int | None = None,
    ) -> None:
        """Report `rule` at `node`. A load-time-only rule is not reported for test or doc
        code, nor for a program runtime code only keeps as text."""
        if load_time_only and (
            self.ctx.reach in {"test", "docs"} or (self.embedded and self.ctx.reach == "runtime")
        ):
            return
        line = line or getattr(node, "lineno", None)
        end = node.end_lineno if isinstance(node, ast.expr) else None  # a call, not a class
        steps = None
        if chain is not None and chain.tainted() and line:
            steps = [s.as_dict(self.ctx.path) for s in chain.steps]
            steps.append(
                {
                    "role": "sink",
                    "file": self.ctx.path,
                    "line": line,
                    "text": sink_text or self.facts.line_text(line)[:200],
                }
            )
        self.sink.add(
            rule,
            self.ctx,
            line,
            self.facts.line_text(line, end) if line else "",
            detail=detail,
            reach=reach or (self.reach(node) if node is not None else self.ctx.reach),
            variant=variant,
            chain=steps,
            end_line=end,
        )


def analyze(
    src: str,
    ctx: FileCtx,
    sink: Sink,
    scanner: yara_x.Scanner,
    *,
    loadtime_all: bool,
    is_setup: bool = False,
    depth: int = 0,
    facts: PyFacts | None = None,
    codec: str = "",
    bundle: Callable[[str], bytes | None] | None = None,
) -> PyCheck | None:
    """Run the Python rules over one module. Returns the check (prose lines, load-time call
    lines, payloads), or None when the source does not parse."""
    facts = facts or parse(src, is_setup=is_setup, loadtime_all=loadtime_all)
    if facts is None:
        return None
    check = PyCheck(facts, ctx, sink, depth, codec=codec, bundle=bundle)
    try:
        for hook in catalog.checks("check_python"):
            hook(check)
        check.load_calls = _load_calls(facts)
        if depth < MAX_DECODE_DEPTH:
            _executed(check, scanner)
            _literals(check, scanner)
            _commands(check, scanner)
            _bundled(check, scanner)
    except RecursionError as exc:  # folding a payload nested too deep
        sink.rule_failed(ctx.path, "payload folding", exc)
    return check


class LazyProse:
    """The docstring and comment lines of a module the prefilter did not parse, for the
    content rules (a match there weighs as documentation): parsed only when one matches."""

    def __init__(self, text: str, comments: set[int]) -> None:
        self.text, self.comments = text, comments
        self._lines: set[int] | None = None

    def __bool__(self) -> bool:
        return True

    def __contains__(self, line: object) -> bool:
        if line in self.comments:
            return True
        if self._lines is None:
            facts = parse(self.text, is_setup=False, loadtime_all=False)
            self._lines = facts.prose if facts is not None else self.comments
        return line in self._lines


def parse_error(src: str) -> str:
    """Why `src` does not parse, in a few words."""
    try:
        ast.parse(src.replace("\0", " "))
    except SyntaxError as exc:
        return f"{type(exc).__name__} on line {exc.lineno}"
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return type(exc).__name__
    return "too deep to walk"


def _load_calls(facts: PyFacts) -> set[int]:
    from .facts import pyapi

    out: set[int] = set()
    for c in facts.calls:
        n = c.node
        if facts.loadtime(n) and pyapi.runs_code(facts.qualname(n.func)):
            out.update(range(n.lineno, (n.end_lineno or n.lineno) + 1))
    return out


def _literals(check: PyCheck, scanner: yara_x.Scanner) -> None:
    """Every literal that decodes, every folded expression that yields decoded data, and
    every string that is itself a program: scanned again with all passes."""
    facts = check.facts
    budget = 300
    seen: set[bytes] = set()
    for node in facts.constants:
        if id(node) in facts.docstrings or not isinstance(node.value, str | bytes):
            continue
        value = node.value
        raw = value.encode("utf-8", "replace") if isinstance(value, str) else value
        if len(raw) < 24:
            continue
        budget -= 1
        if budget < 0:
            break
        _payload(check, scanner, node, raw, "", seen)
    exprs = [a for c in facts.calls for a in c.node.args[:2]]
    exprs += [e for bound in facts.bindings.values() for e in bound if isinstance(e, _FOLDABLE)]
    for arg in exprs:  # folded expressions: joined fragments, chr lists, XOR, reversed
        if isinstance(arg, ast.Constant | ast.Name) or budget < 0:
            continue
        v = facts.value(arg)
        folded = v.raw()
        if folded is None or len(folded) < 24 or folded in seen or folded in check.programs:
            continue
        budget -= 1
        seen.add(folded)
        if DECODED in v.origins:  # decoded in place: through every pass again
            steps = [s.text.split(":")[0] for s in v.steps if s.role == "transform"]
            _rescan(check, scanner, arg, " → ".join(steps) or "a decoder", folded)
        else:  # joined fragments: their text, and the program they spell if they spell one
            content.scan(scanner, folded, _sub(check, arg, "joined fragments", folded), check.sink)
            _payload(check, scanner, arg, folded, "", seen, decode_literal=False)


def _executed(check: PyCheck, scanner: yara_x.Scanner) -> None:
    """A string handed to exec/eval/compile is code wherever it is written (a docstring,
    `__doc__`, a name bound to a literal): its text through every pass, where the call runs."""
    f = check.facts
    for c in f.calls:
        node = c.node
        if not node.args or f.qualname(node.func) not in pyapi.EXEC:
            continue
        arg = node.args[0]
        v = f.value(arg)
        raw = v.raw()
        if raw is None or len(raw) < 8 or DECODED in v.origins or raw in check.programs:
            continue
        if isinstance(arg, ast.Constant) and b"\n" not in raw and b";" not in raw:
            continue  # one statement written in the call (six's `exec("exec code in ns")`)
        check.programs.add(raw)
        sub = _sub(check, node, "a string run as code", raw)
        sub = dataclasses.replace(sub, reach=check.reach(node))
        content.scan(scanner, raw, sub, check.sink)
        analyze(raw.decode("utf-8", "replace"), sub, check.sink, scanner, loadtime_all=True,
                depth=check.depth + 1)  # fmt: skip
        if len(check.programs) > 50:
            return


def _commands(check: PyCheck, scanner: yara_x.Scanner) -> None:
    """The command line a load-time process runs, read by the content rules where it runs:
    a hidden PowerShell or a download-and-run built in variables weighs as install or import
    time code, not as text in a module."""
    from .facts import pyapi

    f = check.facts
    for c in f.calls:
        node = c.node
        if not node.args or not f.loadtime(node) or not pyapi.is_process(f.qualname(node.func)):
            continue
        text = f.pieces(node.args[0]).replace("\0", " ")
        if len(text.strip()) < 16:
            continue
        # read as the string literal it is (`"gemini --yolo …"`): rules anchor a program's
        # name on the quote before it
        data = f'"{text}"'.encode("utf-8", "replace")
        sub = dataclasses.replace(_sub(check, node, "command line", data), reach=check.reach(node))
        content.scan(scanner, data, sub, check.sink)


def _bundled(check: PyCheck, scanner: yara_x.Scanner) -> None:
    """A file the package carries beside the module, run as code (`runpy.run_path` of a
    `.dat`, `exec(open(here / "x.txt").read())`): its text through every pass, where the
    call runs. Modules (`.py`) are scanned on their own."""
    from .facts import pybundle

    if check.bundle is None:
        return
    seen: set[str] = set()
    for c in check.facts.calls:
        path = pybundle.run_file(check.facts, c.node)
        if path is None or path.endswith((".py", ".pyw")) or path in seen or len(seen) >= 20:
            continue
        seen.add(path)
        data = check.bundle(path)
        if data is None:
            continue
        chain = f"runs the package file {path}"
        sub = dataclasses.replace(_sub(check, c.node, chain, data), reach=check.reach(c.node))
        check.payloads.append(Payload(c.node.lineno, chain, data, c.node))
        content.scan(scanner, data, sub, check.sink)
        text = decode.as_text(data)
        if text is not None:
            analyze(text, sub, check.sink, scanner, loadtime_all=True, depth=check.depth + 1)


def _payload(
    check: PyCheck,
    scanner: yara_x.Scanner,
    node: ast.AST,
    raw: bytes,
    how: str,
    seen: set[bytes],
    *,
    decode_literal: bool = True,
) -> None:
    long = decode_literal and len(raw) >= decode.MIN_LITERAL
    layers = decode.decode_layers(raw) if long else None
    if layers is not None:
        _rescan(check, scanner, node, " → ".join(layers[0]), layers[1])
        seen.add(raw)
        return
    for m in _EMBEDDED_B64.finditer(raw[: decode.MAX_DECODED]):
        inner = decode.decode_layers(m.group(0))
        if inner is not None:
            _rescan(
                check,
                scanner,
                node,
                " → ".join(["embedded " + inner[0][0], *inner[0][1:]]),
                inner[1],
            )
    if b"\n" in raw or b";" in raw:
        text = raw.decode("utf-8", "replace")
        if _CODE_HINT.search(text) and raw not in check.programs:
            analyze(
                text,
                _sub(check, node, EMBEDDED, raw),
                check.sink,
                scanner,
                loadtime_all=True,
                depth=check.depth + 1,
            )


def _sub(check: PyCheck, node: ast.AST, chain: str, data: bytes) -> FileCtx:
    line = getattr(node, "lineno", 0) or 0
    text = data[:2000].decode("utf-8", "replace")
    return check.ctx.decoded_from(chain, line, check.facts.line_text(line), text)


def _rescan(
    check: PyCheck, scanner: yara_x.Scanner, node: ast.AST, chain: str, data: bytes
) -> None:
    """A decoded payload goes through every pass: content, Python, JavaScript."""
    from .jspass import analyze as js_analyze

    sub = _sub(check, node, chain, data)
    line = getattr(node, "lineno", 0) or 0
    check.programs.add(data)
    check.payloads.append(Payload(line, chain, data, node))
    marshal = decode.looks_like_marshal(data)
    text = None if marshal else decode.as_text(data)
    content.scan(scanner, data, sub, check.sink)
    parsed = None
    if text is not None:
        parsed = analyze(text, sub, check.sink, scanner, loadtime_all=True, depth=check.depth + 1)
    code = (parsed is not None and bool(parsed.facts.calls or parsed.facts.imports_from)) or (
        parsed is not None and "import " in text if text else False
    )
    payload = PayloadCheck(check, node, chain, data, text, marshal, code)
    for hook in catalog.checks("check_payload"):
        hook(payload)
    if (
        text is not None
        and not code
        and _JS_HINT.search(text)
        and check.depth + 1 < MAX_DECODE_DEPTH
    ):
        js_analyze(
            data, sub, check.sink, scanner, loadtime_all=True, entry=False, depth=check.depth + 1
        )


def node_args(node: ast.Call) -> list[Any]:
    return [*node.args, *(k.value for k in node.keywords)]
