"""Which lines of a file run only when a function is called (not at import), or never (blank
lines and comments: a changed banner or licence header is not code that runs), read without
running anything."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..inputs import lines
from .lines import Lines

_BLOCK_END = re.compile(r":\s*(#.*)?$")


def _python_lazy(data: bytes) -> set[int]:
    """Lines inside function bodies, from indentation in one pass (no parse: it is fast,
    and a file that does not parse still has lines that run on import). A line that cannot
    be placed counts as running on import."""
    lazy: set[int] = set()
    stack: list[tuple[int, bool]] = []  # (indent of the block header, inside a function)
    for n, line in enumerate(lines(data.decode("utf-8", "replace")), 1):
        body = line.lstrip()
        if not body or body.startswith("#"):
            lazy.add(n)  # runs never (a line in a string literal: the string's lines count)
            continue
        indent = len(line) - len(body)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        inside = bool(stack) and stack[-1][1]
        if inside:
            lazy.add(n)
        if _BLOCK_END.search(body):
            starts_def = body.startswith(("def ", "async def "))
            stack.append((indent, inside or starts_def))
    return lazy


_BODIES = "\n".join(
    f"({t} body: (statement_block) @body)"
    for t in (
        "function_declaration", "function_expression", "arrow_function",
        "method_definition", "generator_function_declaration", "generator_function",
    )
)  # fmt: skip
_BODIES += "\n(comment) @comment"
_query: list[object] = []


def _javascript_lazy(data: bytes) -> Lines:
    """Lines strictly inside a function's body (the first and last share code with the
    outside; an immediately invoked function's body too, as the diff has always counted
    it). Parsed a window at a time (`facts/jswindow.py`): a big bundle's tree is never held
    whole."""
    try:
        import tree_sitter

        from ..facts import javascript, jswindow

        if not _query:
            _query.append(tree_sitter.Query(javascript.language()[0], _BODIES))
        query = _query[0]
        assert isinstance(query, tree_sitter.Query)
        lazy = Lines()
        rows, counted = 0, 0  # the newlines before `counted` (windows come in order)
        for window, _ in jswindow.windows(data, facts=False, invoked_run=False):
            if window is None or window.span is None:
                continue
            lo, cut = window.span
            rows, counted = rows + data.count(b"\n", counted, lo), lo
            if window.nested_before > lo:  # inside a function an earlier window opened
                lazy.add(rows + 1, rows + data.count(b"\n", lo, window.nested_before))
            end = rows + data.count(b"\n", lo, cut) + 1  # inside one it opened, to its end
            for at in window.open_bodies:
                lazy.add(rows + data.count(b"\n", lo, at) + 2, end)
            cursor = tree_sitter.QueryCursor(query)
            cursor.set_byte_range(lo, cut)
            caps = cursor.captures(window.tree.root_node)
            for body in caps.get("body", []):
                if body.end_point[0] - body.start_point[0] >= 2:
                    lazy.update(range(body.start_point[0] + 2, body.end_point[0] + 1))
            for note in caps.get("comment", []):
                lazy.update(
                    _comment_lines(data, note.start_byte, note.end_byte, note.start_point[0])
                )
        lazy.update(_blank_lines(data))
    except Exception:  # a parser failure only means every line counts as load-time
        return Lines()
    return lazy


def _comment_lines(data: bytes, start: int, end: int, row: int) -> range:
    """The lines a comment fills alone (1-based): those it spans, less its first when code
    comes before it on that line and its last when code follows it there."""
    first, last = row + 1, row + 1 + data.count(b"\n", start, end)
    if data[data.rfind(b"\n", 0, start) + 1 : start].strip():
        first += 1
    eol = data.find(b"\n", end)
    if data[end : len(data) if eol < 0 else eol].strip():
        last -= 1
    return range(first, last + 1)


_BLANK = re.compile(rb"^[ \t\r\f\v]*$", re.M)


def _blank_lines(data: bytes) -> Iterator[int]:
    """The blank lines of `data` (1-based), found without splitting it."""
    row, at = 1, 0
    for m in _BLANK.finditer(data):
        row += data.count(b"\n", at, m.start())
        at = m.start()
        yield row
