"""Content rules: characters that make code read differently from how it runs (bidi controls,
Trojan Source) and code carried by invisible characters (variation selectors, tag characters).

Bidi controls are looked for in Python and JavaScript source (data files may hold any
bytes); invisible runs in every text file and decoded payload. A right-to-left *mark*
(U+200F) in translated text is ordinary; overrides and isolates (U+202A-E, U+2066-9) are
what reorders code. One variation selector after an emoji, or the few tag characters of a
flag, are text; a run of them long enough to carry a program is not."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..facts import pyapi
from .base import Rule

if TYPE_CHECKING:
    from ..jspass import JsCheck
    from ..pypass import PyCheck

BIDI = Rule(
    id="CNT-BIDI-CONTROL",
    title="Bidirectional override or isolate characters in code (Trojan Source)",
    category="obfuscation",
    severity="critical",
    explanation=(
        "Right-to-left overrides and isolates reorder how a line is displayed, so a reviewer "
        "sees a comment or string where the interpreter sees code (CVE-2021-42574). Open the "
        "line in an editor that shows control characters and read it in logical order."
    ),
)
INVISIBLE = Rule(
    id="CNT-INVISIBLE-PAYLOAD",
    title="A long run of invisible characters (variation selectors, tag characters)",
    category="obfuscation",
    severity="high",
    explanation=(
        "Variation selectors and Unicode tag characters render as nothing; dozens in a row "
        "can carry a whole program, one byte per character, inside a string that looks "
        "empty. Decode them (code point minus the block start) and read what is run."
    ),
    strong=True,
)
INVISIBLE_RUN = Rule(
    id="CNT-INVISIBLE-EXEC",
    title="Code that loads evaluates text hidden in invisible characters",
    category="obfuscation",
    severity="critical",
    explanation=(
        "The module holds a long run of invisible characters and evaluates code where it loads "
        "(exec/eval/Function): the GlassWorm shape, where the payload is the invisible text. "
        "Decode the run offline and read it."
    ),
    strong=True,
)
RULES = (BIDI, INVISIBLE, INVISIBLE_RUN)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_RUN = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]{24,}|[\U000e0000-\U000e007f]{24,}")
# the first two bytes of every character `_RUN` matches, in UTF-8 (U+FE0x: EF B8; U+E00xx and
# U+E01xx: F3 A0); a file without them has no run, and a C search says so at once
_RUN_LEADS = (b"\xef\xb8", b"\xf3\xa0")
_JS_EVAL = re.compile(r"\beval\s*\(|\bFunction\s*\(|\bvm\.run|\b_compile\s*\(")


def _run_at(text: str) -> tuple[int, int] | None:
    """(line, character offset) of the first long invisible run."""
    m = _RUN.search(text)
    return (text.count("\n", 0, m.start()) + 1, m.start()) if m else None


# A line holding nothing but one string literal (a list of test strings): the reordering
# stops at the end of the line, so there is no code on it for the controls to move.
_LONE_LITERAL = re.compile(r"""\s*[rRbBuU]{0,2}("[^"\n]*"|'[^'\n]*')\s*[,)\]}]*\s*""")


def _bidi(text: str, inert: set[int] | frozenset[int] = frozenset()) -> int | None:
    for m in _BIDI.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        line = text.count("\n", 0, m.start()) + 1
        if line in inert:
            continue
        if not _LONE_LITERAL.fullmatch(text[start : end if end >= 0 else len(text)]):
            return line
    return None


def _inert_lines(c: PyCheck) -> set[int]:
    """Lines with no code for bidi controls to reorder: whole comment lines, and the inner
    lines of a docstring (a plugin's documentation quoting a Trojan Source example)."""
    f = c.facts
    out = {i for i, line in enumerate(f.lines, 1) if line.lstrip().startswith("#")}
    for k in f.constants:
        if id(k) in f.docstrings and k.end_lineno:
            out.update(range(k.lineno + 1, k.end_lineno))
    return out


def check_python(c: PyCheck) -> None:
    """Bidi controls in the source; invisible characters in a module that also evaluates code where it loads: the
    payload is run, so the literal weighs as load time."""
    if c.facts.src.isascii():  # (a flag of the string: both searches need a non-ASCII one)
        return
    bidi = _bidi(c.facts.src, _inert_lines(c)) if _BIDI.search(c.facts.src) else None
    if bidi is not None and c.ctx.origin is None:
        c.emit(BIDI, None, "", line=bidi)
    at = _run_at(c.facts.src)
    if at is None:
        return
    line, f = at[0], c.facts
    runs = [
        x.node for x in f.calls if f.qualname(x.node.func).removeprefix("builtins.") in pyapi.EXEC
    ]
    if any(f.loadtime_all or c.loadtime(n) for n in runs):
        reach = "import" if c.ctx.reach == "runtime" else c.ctx.reach
        c.emit(
            INVISIBLE_RUN, None, "exec/eval runs where the module loads.", line=line, reach=reach
        )


def check_javascript(c: JsCheck) -> None:
    if not c.text_pass:
        return
    text = c.data.decode("utf-8", "replace")
    m = _BIDI.search(text)
    if m is not None and c.ctx.origin is None:
        line = text.count("\n", 0, m.start()) + 1
        c.emit(BIDI, None, "", line=line, offset=len(text[: m.start()].encode("utf-8")))
    at = _run_at(text) if any(lead in c.data for lead in _RUN_LEADS) else None
    if at is None or not _JS_EVAL.search(text) or not (c.loadtime_all or c.entry):
        return
    offset = len(text[: at[1]].encode("utf-8"))
    c.emit(
        INVISIBLE_RUN, None, "eval/Function runs where the file loads.", line=at[0], offset=offset
    )


YARA = r"""
rule invisible_payload {
  meta: id = "CNT-INVISIBLE-PAYLOAD"
  strings:
    $vs = /(\xEF\xB8[\x80-\x8F]|\xF3\xA0[\x84-\x87][\x80-\xBF]){24,}/
    $tags = /\xF3\xA0[\x80-\x81][\x80-\xBF](\xF3\xA0[\x80-\x81][\x80-\xBF]){23,}/
  condition: any of them
}
"""
