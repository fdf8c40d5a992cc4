"""Python 2 source read as Python 3, line for line, when it does not parse as it is.

Old packages (and old malware: a `setup.py` from 2017 still installs on a Python 2
interpreter) use statements Python 3 rejects: `print x`, `exec code`, `except E, e:`,
`raise E, "m"`, octal `0755`, long `10L`, backquotes, `<>`. A module that does not parse
would only get the content rules; rewritten here it gets the whole Python pass. Every
rewrite keeps the line count and each statement on its line, so findings point at the
original lines. This is a reading aid, not a translator: what it cannot rewrite stays
unparsed."""

from __future__ import annotations

import ast
import re

_STRING = re.compile(
    r"""(?x) [uUbB]?[rR]? (?: '''[\s\S]*?''' | \"\"\"[\s\S]*?\"\"\"
        | '(?:\\.|[^'\\\n])*' | "(?:\\.|[^"\\\n])*" )"""
)
_PRINT = re.compile(r"^(\s*)print\b(?!\s*\()\s*(>>\s*[^,]+,\s*)?(.*?)\s*(,?)\s*$")
_EXEC = re.compile(r"^(\s*)exec\b(?!\s*\()\s+(.+?)(\s+in\s+.+)?\s*$")
_EXCEPT = re.compile(r"^(\s*except\s+[^:]+?)\s*,\s*([A-Za-z_]\w*)\s*:")
_RAISE = re.compile(r"^(\s*raise\s+[A-Za-z_][\w.]*)\s*,\s*(.+?)\s*$")
_OCTAL = re.compile(r"(?<![\w.])0([0-7]+)\b")
_LONG = re.compile(r"(?<![\w.])(\d+)[lL]\b")
_UR = re.compile(r"(?<![\w])[uU][rR](?=['\"])")


def _code_and_strings(line: str) -> list[tuple[bool, str]]:
    """The line cut into (is_code, text) pieces, strings apart from code."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in _STRING.finditer(line):
        out.append((True, line[pos : m.start()]))
        out.append((False, m.group(0)))
        pos = m.end()
    out.append((True, line[pos:]))
    return out


def _fix_code(code: str) -> str:
    code = _OCTAL.sub(r"0o\1", code)
    code = _LONG.sub(r"\1", code)
    code = code.replace("<>", "!=").replace("`", " ")
    return _UR.sub("r", code)


def _fix_line(line: str) -> str:
    if "#" in line and not any(q in line for q in "'\""):
        line = line[: line.index("#")]
    line = "".join(_fix_code(t) if code else t for code, t in _code_and_strings(line))
    m = _PRINT.match(line)
    if m and not re.match(r"^\s*print\s*=", line):
        indent, target, args, _ = m.groups()
        file = f", file={target.strip()[2:].strip(' ,')}" if target else ""
        return f"{indent}print({args}{file})" if args or file else f"{indent}print()"
    m = _EXEC.match(line)
    if m:
        return f"{m.group(1)}exec({m.group(2)})"
    m = _EXCEPT.match(line)
    if m:
        return f"{m.group(1)} as {m.group(2)}:" + line[m.end() :]
    m = _RAISE.match(line)
    if m and not line.rstrip().endswith((",", "(", "\\")):
        return f"{m.group(1)}({m.group(2)})"
    return line


_BAD_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\(x(?![0-9a-fA-F]{2})|u(?![0-9a-fA-F]{4})|N(?!\{))")


def as_py3(src: str) -> ast.Module | None:
    """The tree of `src` read with Python 2 statements rewritten, or None. A truncated
    `\\x` escape (a string Python 2 kept as bytes, Python 3 refuses) is read as text."""
    for attempt in (_statements, _escapes):
        fixed = attempt(src)
        if fixed is None or fixed == src:
            continue
        try:
            return ast.parse(fixed)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            src = fixed
    return None


def _statements(src: str) -> str | None:
    if not re.search(r"\bprint\b|\bexec\b|\bexcept\b|\braise\b|\b0[0-7]|\d[lL]\b|<>|`", src):
        return None
    return "\n".join(_fix_line(line) for line in src.split("\n"))


def _escapes(src: str) -> str | None:
    return _BAD_ESCAPE.sub(lambda m: m.group(1) + "\\\\" + m.group(2), src)
