"""Big JavaScript files in windows: facts for one window at a time, so a file's syntax tree
never has to be held whole.

tree-sitter's tree costs about 22 bytes of memory per byte of source, and the facts' Python
objects about 9 more: typescript's 9 MB `lib/typescript.js` took ~275 MiB to hold, more
than a worker pod may use. A file over `window_bytes()` is parsed a window at a time, each
window parsed in place (tree-sitter's included ranges: every node keeps its position in the
whole file, so lines, snippets and byte offsets read as in a whole parse):

- a window ends after the last complete statement (or declaration, or object entry) that
  ends in its second half, found down the right edge of its tree, at the shallowest level
  that has one; the next window starts there (a line end when no statement fits);
- what a window's calls and constants need from earlier windows is carried: the module
  aliases (`const cp = require('child_process')`), the constants that fold to strings, what
  the others name (`const p = Function('return process')()`: process) and their source text,
  and which enclosing functions are still open where the window starts (read from the braces
  of the earlier windows' trees): code inside a function an earlier window opened is not
  load time, code inside an immediately invoked one (a bundle's wrapper) is; a rule that
  combines calls keeps its own state across the windows (`JsCheck.carry`);
- aliases the whole text declares in the plain form (`x = require('m')`) are known in every
  window, also before the line that declares them (a function defined above its import);
- which functions run at load time (`jsload`): a later window learns the names earlier
  load-time code called (a declaration hoisted below its call); when the last window is
  done, the windows are joined by name, and a window that declares a function another
  window's load-time code runs, around a call a rule asked about, is yielded again with it
  marked.

What a window cannot see: a folded or destructured alias, or a constant that is not a
string, declared in a later window than its use. The content rules still read every byte of
the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter

from . import jsload
from .javascript import BRACES, JsFacts, facts_of, language
from .jsload import FUNCS, invoked_now

ENV = "ANALYSIS_JS_WINDOW_BYTES"
DEFAULT_WINDOW = 256 << 10
MIN_WINDOW = 4096
_MARGIN = 256  # a statement that ends this close to the window's end may go on past it
_STATEMENT = re.compile(r".*(statement|declaration)$|pair|method_definition|field_definition")
_REQUIRE = re.compile(
    rb"require\s*\(\s*['\"`](?:node:)?([\w@./-]{1,100})['\"`]\s*\)"
    rb"(?=\s*(?:[;,)}\n]|$))"  # the whole value: not `require('m').createRequire(…)`
)
_ASSIGNED = re.compile(rb"([A-Za-z_$][\w$]*)\s*=\s*$")
CARRIED = 65536  # constants carried forward, of each kind (a hostile file may declare millions)
_FOLDS = {"string", "template_string", "binary_expression", "call_expression"}
_brace_query: tree_sitter.Query | None = None
_NAMES = {"member_expression", "subscript_expression", "call_expression", "identifier"}


def window_bytes() -> int:
    """ANALYSIS_JS_WINDOW_BYTES (at least 4 KiB), else 256 KiB: files larger are windowed."""
    raw = os.environ.get(ENV, "").strip()
    try:
        return max(int(raw), MIN_WINDOW) if raw else DEFAULT_WINDOW
    except ValueError:
        return DEFAULT_WINDOW


def windows(
    data: bytes,
    size: int | None = None,
    *,
    context: bool = True,
    facts: bool = True,
    invoked_run: bool = True,
) -> Iterator[tuple[JsFacts | None, bool]]:
    """(facts of each window in order (None: it could not be parsed), whether it is the last).
    `context`: follow which functions are open across windows, and which run at load time
    (only load time needs it): a window declaring a function that a later window's
    load-time code runs is yielded again after the last, with that function marked;
    `facts=False`: the windows' trees and context only, no calls or constants;
    `invoked_run=False`: a function invoked where it is written counts as a function too."""
    size = size or window_bytes()
    aliases = _plain_aliases(data) if facts else {}
    carried = _Carried()
    open_fns: list[bool] = []  # the braces open where the window starts: True for a function's
    done: list[tuple[_Window, set[str], jsload.LoadTime]] = []  # (with `context` and `facts`)
    lo, row = 0, 0
    while lo < len(data):
        at = _Window(lo, min(lo + size, len(data)), row)
        tree = at.parse(data)
        if tree is None:
            cut = at.hi if at.hi == len(data) else _line_cut(data, lo, at.hi, size)
            yield None, cut >= len(data)
        else:
            cut = at.cut = at.hi if at.hi == len(data) else _cut(tree, data, lo, at.hi, size)
            held = JsFacts(data, tree, span=(lo, cut))
            braces: list[tree_sitter.Node] | None = [] if context else None
            if facts:
                held.aliases.update(aliases)
                held.strings, held.names, held.texts = carried.strings, carried.names, carried.texts
                held.called_before = carried.called
                facts_of(held, braces)
            elif braces is not None:
                braces += _braces(tree, lo, cut)
            if braces is not None:
                held.nested_before, open_fns, held.open_bodies = _context(
                    braces, lo, cut, open_fns, invoked_run
                )
                at.nested_before, at.open_bodies = held.nested_before, held.open_bodies
            yield held, cut >= len(data)
            if facts:  # (the window's facts are done with: what it tells is added in place)
                aliases.update(held.aliases)
                carried.add(held)
            if facts and context:
                lt = held.load_time()
                if len(carried.called) < CARRIED:  # load-time calls of names not declared
                    carried.called.update(lt.roots - held.defs.keys())  # (yet: hoisted)
                idle = jsload.idle(held.asked, held.defs, lt.run)  # (the rules have asked)
                done.append((at, idle, jsload.LoadTime(roots=lt.roots, edges=lt.edges)))
            del held, tree, braces
        row += data.count(b"\n", lo, cut)
        lo = cut
    yield from _again(data, done, aliases, carried)


@dataclass
class _Window:
    """Where a window is: its bytes `lo`..`hi` (parsed), `cut` (where the next starts), its
    first line, and what the functions open around it left (`_context`)."""

    lo: int
    hi: int
    row: int
    cut: int = 0
    nested_before: int = 0
    open_bodies: list[int] = field(default_factory=list)

    def parse(self, data: bytes) -> tree_sitter.Tree | None:
        parser = tree_sitter.Parser(language()[0])
        lo, hi = self.lo, self.hi
        start = tree_sitter.Point(self.row, lo - (data.rfind(b"\n", 0, lo) + 1))
        end = tree_sitter.Point(
            self.row + data.count(b"\n", lo, hi), hi - (data.rfind(b"\n", 0, hi) + 1)
        )
        try:
            parser.included_ranges = [tree_sitter.Range(start, end, lo, hi)]
            return parser.parse(data)
        except (ValueError, MemoryError, RecursionError):
            return None


def _again(
    data: bytes,
    done: list[tuple[_Window, set[str], jsload.LoadTime]],
    aliases: dict[str, str],
    carried: _Carried,
) -> Iterator[tuple[JsFacts | None, bool]]:
    """The windows that declare functions other windows' load-time code runs (declared
    before the call, or called from a function another window declares) around a call a
    rule asked about, parsed again with those functions marked: what runs in them at load
    time is seen (the rules' findings elsewhere in the window repeat, and the sink keeps
    one of each). A rule that never asked about a call there would answer the same."""
    runs = jsload.across(lt for _, _, lt in done) if done else set()
    for at, idle, _ in done:
        need = idle & runs
        tree = at.parse(data) if need else None
        if tree is None:
            continue
        held = JsFacts(data, tree, span=(at.lo, at.cut))
        held.aliases.update(aliases)
        held.strings, held.names, held.texts = carried.strings, carried.names, carried.texts
        held.called_before = need
        facts_of(held)
        held.nested_before, held.open_bodies = at.nested_before, at.open_bodies
        yield held, False
        del held, tree


def _braces(tree: tree_sitter.Tree, lo: int, cut: int) -> list[tree_sitter.Node]:
    global _brace_query
    if _brace_query is None:
        _brace_query = tree_sitter.Query(language()[0], BRACES)
    cursor = tree_sitter.QueryCursor(_brace_query)
    cursor.set_byte_range(lo, cut)
    return cursor.captures(tree.root_node).get("brace", [])


def _plain_aliases(data: bytes) -> dict[str, str]:
    """`name = require('module')` anywhere in the text (found from each `require`)."""
    out = {}
    for m in _REQUIRE.finditer(data):
        before = _ASSIGNED.search(data, max(m.start() - 100, 0), m.start())
        if before is not None:
            out[before.group(1).decode()] = m.group(1).decode()
    return out


def _cut(tree: tree_sitter.Tree, data: bytes, lo: int, hi: int, size: int) -> int:
    """Where the next window starts: after the last complete statement that ends in the
    second half of this one, at the shallowest level of the tree's right edge that has one."""
    floor, limit = lo + size // 2, hi - _MARGIN
    node = tree.root_node
    for _ in range(64):
        inside = None
        for child in reversed(node.children):
            if child.end_byte <= limit:
                if child.end_byte > floor and not child.has_error and _STATEMENT.match(child.type):
                    return child.end_byte
                break
            if child.start_byte < limit:
                inside = child
                break
        if inside is None:
            break
        node = inside
    return _line_cut(data, lo, hi, size)


def _line_cut(data: bytes, lo: int, hi: int, size: int) -> int:
    at = data.rfind(b"\n", lo + size // 2, hi - _MARGIN)
    return at + 1 if at >= 0 else hi


def _context(
    braces: list[tree_sitter.Node], lo: int, cut: int, open_fns: list[bool], invoked_run: bool
) -> tuple[int, list[bool], list[int]]:
    """Where the functions open at `lo` (from earlier windows) are all closed (`lo` when
    none is open), the braces open at `cut` (the next window's `open_fns`), and where the
    bodies of the functions this window opened and left open begin."""
    braces.sort(key=lambda n: n.start_byte)
    stack = [(fn, -1) for fn in open_fns]  # (a function's body, where it opened: -1 before)
    nested_before = lo if not any(open_fns) else cut
    for node in braces:
        at = node.start_byte
        if at >= cut:
            break
        if node.type == "{":
            stack.append((_function_body(node, invoked_run), at))
        elif node.parent is not None and node.parent.type == "template_substitution":
            continue
        elif stack:
            stack.pop()
            if nested_before == cut and not any(fn for fn, where in stack if where < 0):
                nested_before = at
    opened = [where for fn, where in stack if fn and where >= 0]
    return nested_before, [fn for fn, _ in stack], opened


# what may stand before a function that is invoked where it is written: `(function () {`,
# `((m) => {` wrapping a bundle, `!function () {`
_WRAPS = {"(", "!", "~", "+", "-", "void", "parenthesized_expression", "unary_expression"}


def _function_body(brace: tree_sitter.Node, invoked_run: bool = True) -> bool:
    """A `{` that opens the body of a function (with `invoked_run`: one that is not invoked
    where it is written). In a window's tree a function cut by the window's end may be
    only tokens under an ERROR: its body's `{` then follows `=>` or the parameters."""
    block = brace.parent
    if block is None:
        return False
    if block.type == "statement_block":
        fn = block.parent
        if fn is None or fn.type not in FUNCS:
            return False
        if not invoked_run:
            return True
        if invoked_now(fn):
            return False
        return fn.parent is None or fn.parent.type not in _WRAPS  # invoked past the window?
    if block.type != "ERROR":
        return False
    before = brace.prev_sibling
    if before is not None and before.type == "=>":
        before = before.prev_sibling  # the parameters
    elif before is None or before.type != "formal_parameters":
        return False
    before = before.prev_sibling if before is not None else None
    while before is not None and before.type in {"identifier", "function", "*", "async"}:
        before = before.prev_sibling  # the name, `function`, `async`, `*`
    return not invoked_run or before is None or before.type not in _WRAPS


@dataclass
class _Carried:
    """What a window's constants tell the windows after it (at most `CARRIED` of each)."""

    strings: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    texts: dict[str, bytes] = field(default_factory=dict)
    called: set[str] = field(default_factory=set)

    def add(self, facts: JsFacts) -> None:
        """What the (finished) window `facts` adds, in place."""
        for name, value in facts.consts.items():
            t = value.type
            if t in _FOLDS and len(self.strings) < CARRIED:
                text = facts.fold(value)
                if text is not None and len(text) <= 4096:
                    self.strings[name] = text
            if t in _NAMES and len(self.names) < CARRIED:
                q = facts.qualname(value)
                if q and q != name:
                    self.names[name] = q
            if t not in FUNCS and len(self.texts) < CARRIED:
                text_ = facts.const_text(name)
                if text_ is not None:
                    self.texts[name] = text_
