"""A big Python module is parsed in pieces (`facts/pychunks.py`) into the very tree a whole
parse gives: checked node by node, positions included, on the engine's own sources and on
modules built to put a cut where it must not be."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from package_analysis.analysis.facts import pychunks

BACKEND = Path(__file__).parents[2]
SMALL = 1024


def _same(src: str, size: int = SMALL) -> None:
    whole = ast.dump(ast.parse(src), include_attributes=True)
    assert ast.dump(pychunks.parse(src, size), include_attributes=True) == whole


def _method(i: int) -> str:
    return (
        f"    def m{i}(self, x):\n"
        f'        """Method {i}: a cut before the next line is inside this string.\n'
        f'    def not_a_method(self):\n        """\n'
        f"        return [x, {i}, 'y' * {i}]\n\n"
    )


def _big_class(n: int = 60) -> str:
    return "@decorated\nclass Big(Base, metaclass=Meta):\n    '''Doc.'''\n" + "".join(
        _method(i) for i in range(n)
    )


CASES = {
    # a class bigger than a piece, cut at its body's indentation
    "big-class": "import os\n\n" + _big_class() + "\nx = Big()\n",
    # column-0 lines that look like statements inside strings: a cut there does not parse
    "code-in-strings": "".join(
        f'S{i} = """\ndef f{i}():\n    pass\nclass C{i}:\n    x = 1\n"""\n' for i in range(80)
    ),
    # a cut before `else:` / `except:` at column 0 leaves a half statement
    "compound": "".join(
        f"if x{i}:\n    a = [{i}] * 40\nelse:\n    b = {i}\n"
        f"try:\n    c = {i}\nexcept E:\n    pass\n"
        for i in range(80)
    ),
    # brackets and continuations open across lines that start at column 0
    "open-brackets": "".join(
        f"v{i} = call(\nfirst,\nsecond{i},\n)\nw{i} = 1 + \\\n2\n" for i in range(120)
    ),
    "class-with-continued-header": "class K(\n    A,\n    B,\n):\n"
    + "".join(_method(i) for i in range(40)),
    # characters str.splitlines() breaks at and Python does not: a form feed (also alone on
    # a line), \x1c-\x1e, \x85, U+2028 in comments and strings; pieces land on their lines
    "line-breaks-python-does-not-count": "\x0c\nimport os\n"
    + "".join(
        f"def f{i}():  # \x1c\x1d\x1e\n    return '{i}\x85\u2028'\n\x0c\n\n" for i in range(120)
    ),
    # Windows line ends: one line each; a lone CR (a line end to the parser) is parsed whole
    "crlf": "".join(f"def f{i}():\r\n    return [{i}] * 40\r\n\r\n" for i in range(120)),
    "lone-cr": "a = 1\r" + "".join(f"def f{i}():\n    return [{i}] * 40\n\n" for i in range(150)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_module_parsed_in_pieces_is_the_module_parsed_whole(case: str) -> None:
    assert len(CASES[case]) > 4 * SMALL
    _same(CASES[case])


def test_the_engines_own_sources_parse_the_same_in_pieces() -> None:
    files = sorted((BACKEND / "package_analysis").rglob("*.py"))
    assert len(files) > 100
    for path in files:
        _same(path.read_text("utf-8"))


def test_a_big_class_is_really_cut() -> None:
    lines = pychunks._lines(CASES["big-class"])
    pychunks._pieces(lines, SMALL)  # not the fallback: raises when a piece does not parse
    runs = pychunks._runs(lines, 3, len(lines), "    ", SMALL)
    assert len(runs) > 5


def test_what_does_not_parse_raises_as_a_whole_parse_does() -> None:
    src = "x = 1\n" * 400 + "def broken(:\n"
    with pytest.raises(SyntaxError) as whole:
        ast.parse(src)
    with pytest.raises(SyntaxError) as pieces:
        pychunks.parse(src, SMALL)
    assert pieces.value.lineno == whole.value.lineno
