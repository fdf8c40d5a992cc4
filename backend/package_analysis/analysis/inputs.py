"""Files as an installer reads them: a UTF-8 BOM is stripped, a PEP 263 coding cookie is
honoured, a NUL byte does not make a source file binary, nothing is silently truncated.

A file larger than MAX_WHOLE_BYTES is scanned in part (its head, its tail and every long
line between) and reported as partly skipped; the engine lists every skip with its reason.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

MAX_WHOLE_BYTES = 64 * 1024 * 1024
PART_BYTES = 8 * 1024 * 1024
LONG_LINE = 4096
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_LONE_CR = re.compile(rb"\r(?!\n)")
_UTF8 = {"utf-8", "utf8", "utf_8", "utf-8-sig"}


@dataclass
class Input:
    data: bytes  # as read (BOM stripped)
    partial: str = ""  # why only part of the file was read, or ""


def read(path: Path) -> Input:
    """The file's bytes; a huge file's head, tail and long lines (see module docstring)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        if size <= MAX_WHOLE_BYTES:
            data = fh.read()
            return Input(data.removeprefix(codecs.BOM_UTF8))
        head = fh.read(PART_BYTES)
        middle: list[bytes] = []
        kept = 0
        while fh.tell() < size - PART_BYTES and kept < PART_BYTES:
            line = fh.readline(1 << 22)
            if len(line) >= LONG_LINE:
                middle.append(line)
                kept += len(line)
        fh.seek(max(size - PART_BYTES, fh.tell()))
        tail = fh.read(PART_BYTES)
    data = b"\n".join([head, *middle, tail]).removeprefix(codecs.BOM_UTF8)
    why = (
        f"{size >> 20} MiB: scanned the first and last {PART_BYTES >> 20} MiB "
        "and the long lines between"
    )
    return Input(data, why)


def universal_newlines(data: bytes) -> bytes:
    """A Python module's bytes with the line ends CPython reads: it takes a lone `\r` for a
    line end too (old Mac files; or a file written so that every tool but Python sees one
    long line). Unchanged when there is none."""
    if b"\r" not in data or not _LONE_CR.search(data):
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def python_source(data: bytes) -> tuple[str, str]:
    """(text, codec) as CPython decodes a module: the PEP 263 cookie of line 1 or 2 wins,
    else UTF-8; undecodable bytes become U+FFFD instead of failing. `codec` is "" when the
    file names none. Line ends as CPython reads them (`universal_newlines`)."""
    data = universal_newlines(data)
    codec = ""
    for line in data.split(b"\n", 2)[:2]:
        m = _COOKIE.match(line)
        if m:
            codec = m.group(1).decode("ascii", "replace")
            break
        if line.strip() and not line.lstrip().startswith(b"#"):
            break
    name = codec or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        name = "utf-8"
    if name.lower() in _UTF8:
        return data.decode("utf-8", "replace"), codec
    try:
        return data.decode(name, "replace"), codec
    except (LookupError, UnicodeError, TypeError, ValueError):
        return data.decode("utf-8", "replace"), codec


def line_map(data: bytes, codec: str, text: str) -> tuple[int, ...] | None:
    """For a module whose codec turns bytes into extra line breaks (UTF-7 `+AAo-`): the file
    line of each decoded line, so findings point at the line a reviewer opens. None when
    the lines match."""
    if not codec or text.count("\n") == data.count(b"\n"):
        return None
    out: list[int] = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            piece = raw.decode(codec, "replace")
        except (LookupError, UnicodeError, TypeError, ValueError):
            return None
        out += [n] * (piece.count("\n") + 1)
    return tuple(out)


def lines(text: str, *, universal: bool = False) -> list[str]:
    """A text's lines as the engine numbers them everywhere (the content rules count `\\n`;
    `\\r\\n` is one; a Python module's lone `\\r` was made a `\\n` on reading, as CPython
    reads it: `universal_newlines`). Not `str.splitlines()`: it also breaks at
    form feeds, `\\x0b`, `\\x1c`-`\\x1e`, `\\x85` and U+2028/U+2029, which stay inside a line
    for Python, so every line after one would be numbered one too far (a snippet showing
    the wrong line, a comment line's number landing on the code below it). `universal`: a
    lone `\\r` ends a line too (a file read in text mode: site.py reading a `.pth`)."""
    if universal:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = text.split("\n")
    if out[-1] == "":
        out.pop()
    return [x.removesuffix("\r") for x in out] if "\r" in text else out
