"""A big Python module parsed in pieces, into the very tree a whole parse gives.

CPython's parser holds about twice the finished tree while it works (its tokens and memo):
kubernetes' 2.3 MB `core_v1_api.py` takes 61 MiB at the peak of `ast.parse` for a 26 MiB
tree. A module over `CHUNK_BYTES` is cut at lines that start a statement at the module's
top level, or, inside a class bigger than a piece, at its body's indentation; each piece is
parsed alone at its own lines (a class's later pieces under a stand-in header), and the
statements are put back together in order. A cut inside a string, a bracket or a compound
statement leaves a piece that does not parse (an unterminated string, an open bracket, a
block without its body, an `else` without its `if`): then the module is parsed whole, as
before. So the result is always the tree of the whole text, only its peak is smaller.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

CHUNK_BYTES = 256 << 10
MAX_GROW = 4
_TOP = re.compile(r"[A-Za-z_@]")  # a line that may start a statement at column 0
_HEADER = "class _:\n"
_LONE_CR = re.compile(r"\r(?!\n)")  # a line end for the parser, not for `_lines`: parsed whole


def _lines(src: str) -> list[str]:
    """The lines as the parser counts them, ends kept: split at `\n` only (`str.splitlines`
    also splits at form feeds, `\x1c`-`\x1e`, `\x85`, U+2028/29, which stay inside a line
    for Python, and every piece after one would be placed lines too far down)."""
    out = [line + "\n" for line in src.split("\n")]
    out[-1] = out[-1][:-1]
    return out if out[-1] else out[:-1]


def parse(src: str, size: int = CHUNK_BYTES) -> ast.Module:
    """`ast.parse(src)` with a smaller peak; raises what `ast.parse` raises."""
    if len(src) <= size or _LONE_CR.search(src):
        return ast.parse(src)
    try:
        return _pieces(_lines(src), size)
    except (SyntaxError, ValueError, IndexError):
        return ast.parse(src)


def _pieces(lines: list[str], size: int) -> ast.Module:
    def piece(lo: int, hi: int) -> list[ast.stmt]:
        text = "".join(lines[lo:hi])
        if len(text) > size and lines[lo].startswith(("class ", "@")):
            return [_class(lines, lo, hi, size)]
        return ast.parse("\n" * lo + text).body

    return ast.Module(body=_grown(_runs(lines, 0, len(lines), "", size), piece), type_ignores=[])


def _grown(
    runs: list[tuple[int, int]], piece: Callable[[int, int], list[ast.stmt]]
) -> list[ast.stmt]:
    """The statements of each run in turn; a run that does not parse (cut inside a string, a
    bracket, a compound statement) grows by the next run, up to `MAX_GROW` times."""
    body: list[ast.stmt] = []
    i = 0
    while i < len(runs):
        lo, hi = runs[i]
        for grow in range(MAX_GROW + 1):
            try:
                body += piece(lo, hi)
                break
            except SyntaxError:
                if grow == MAX_GROW or i + 1 >= len(runs):
                    raise
                i += 1
                hi = runs[i][1]
        i += 1
    return body


def _runs(lines: list[str], lo: int, hi: int, indent: str, size: int) -> list[tuple[int, int]]:
    """Consecutive line ranges, each starting at a line indented by exactly `indent` that may
    start a statement (or at `lo`): as few as keep each under `size` characters where the
    statements allow, a statement bigger than that alone."""
    starts = [lo] + [
        i
        for i in range(lo + 1, hi)
        if lines[i].startswith(indent)
        and _TOP.match(lines[i], len(indent))
        and not lines[i - 1].rstrip().endswith(("\\", ","))
    ]
    out: list[tuple[int, int]] = []
    start, held = lo, 0
    for a, b in zip(starts, [*starts[1:], hi], strict=True):
        grown = sum(len(x) for x in lines[a:b])
        if held and held + grown > size:  # the group so far is a piece
            out.append((start, a))
            start, held = a, 0
        held += grown
        if held > size:  # one statement over the size: a piece of its own
            out.append((start, b))
            start, held = b, 0
    if start < hi:
        out.append((start, hi))
    return out


def _class(lines: list[str], start: int, end: int, size: int) -> ast.ClassDef:
    """A top-level class over `size`: its decorators, header and first statements parsed as
    written, the rest of its body in pieces under a stand-in header (on the line before the
    piece: every line is where it is written)."""
    indent = _body_indent(lines, start, end)
    if indent is None:
        raise ValueError("no class body")
    first = start
    while first < end and not lines[first].startswith(indent):  # decorators and the header
        first += 1
    held: list[ast.ClassDef] = []

    def piece(lo: int, hi: int) -> list[ast.stmt]:
        if lo == first:  # the class as written, so far
            tree = ast.parse("\n" * start + "".join(lines[start:hi])).body
        else:
            tree = ast.parse("\n" * (lo - 1) + _HEADER + "".join(lines[lo:hi])).body
        if len(tree) != 1 or not isinstance(tree[0], ast.ClassDef):
            raise ValueError("not one class")
        if lo == first:
            held[:] = [tree[0]]
        return tree[0].body

    body = _grown(_runs(lines, first, end, indent, size), piece)
    cls = held[0]
    cls.body = body
    cls.end_lineno, cls.end_col_offset = body[-1].end_lineno, body[-1].end_col_offset
    return cls


def _body_indent(lines: list[str], start: int, end: int) -> str | None:
    """The indentation of the class body: of the first line after the header's colon line
    that holds code."""
    for i in range(start, end):
        line = lines[i]
        stripped = line.lstrip(" \t")
        if i > start and line[:1] in {" ", "\t"} and stripped and not stripped.startswith("#"):
            return line[: len(line) - len(stripped)]
    return None
