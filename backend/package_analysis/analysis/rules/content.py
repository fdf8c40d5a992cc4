"""Content rules: the YARA source of every `cnt_*` module, compiled once per process with
YARA-X, run over text files and decoded payloads."""

from __future__ import annotations

import re
import threading
from collections.abc import Container

import yara_x

from . import catalog
from .base import FileCtx, Sink, line_of, snippet_at

SCAN_TIMEOUT_SECONDS = 10
_lock = threading.Lock()
_compiled: yara_x.Rules | None = None


def compiled() -> yara_x.Rules:
    """The compiled rule set (compiled on first use, then shared by the whole process)."""
    global _compiled
    with _lock:
        if _compiled is None:
            rules = yara_x.compile(catalog.yara_source())
            for rule in rules.scan(b"").matching_rules:  # pragma: no cover - a rule bug
                raise ValueError(f"content rule {rule.identifier} matches empty input")
            _compiled = rules
        return _compiled


def rule_ids() -> set[str]:
    """Catalog ids the YARA sources declare (each rule's `meta: id`)."""
    return set(re.findall(r'meta:\s*id\s*=\s*"([A-Z0-9-]+)"', catalog.yara_source()))


def new_scanner() -> yara_x.Scanner:
    scanner = yara_x.Scanner(compiled())
    scanner.set_timeout(SCAN_TIMEOUT_SECONDS)
    scanner.max_matches_per_pattern(20)
    return scanner


def scan(
    scanner: yara_x.Scanner,
    data: bytes,
    ctx: FileCtx,
    sink: Sink,
    prose: Container[int] | None = None,
    load_calls: set[int] | None = None,
    tooling: set[int] | None = None,
) -> list[str]:
    """Run the content rules over `data`; add one finding per matching rule. Returns the ids.
    A match on a `prose` line (docstring, comment) weighs as documentation; one on the line
    of a call that runs code at load time weighs as load time."""
    shell = ctx.origin is None and _shell_script(ctx.path, data)
    if shell:
        data = expand_shell_variables(data)  # line for line: findings keep their lines
    try:
        results = scanner.scan(data)
    except (yara_x.TimeoutError, yara_x.ScanError):
        return []
    rules = catalog.rules()
    hits: list[str] = []
    for match in results.matching_rules:
        rule = rules.get(str(dict(match.metadata).get("id", "")))
        first = _first_match(match) if rule is not None else None
        if rule is None or first is None:
            continue
        offset, length = first
        line = line_of(data, offset)
        reach = None
        if prose and line in prose:
            reach = "docs"
        elif tooling and line in tooling:
            reach = "test"  # a [tool.*] table: what maintainers' tools run, not installers
        elif load_calls and line in load_calls and ctx.reach == "runtime":
            reach = "import"
        # text in an installed module that runs only when called: a rule may weigh it as a
        # declared `runtime` variant (a tool's documented command, not something run blind)
        runtime = (reach or ctx.reach) == "runtime" and "runtime" in rule.variants
        # a shell script the installer runs: each of its lines is a command run on install
        installer = (
            shell and (reach or ctx.reach) == "install" and "install-script" in rule.variants
        )
        sink.add(
            rule,
            ctx,
            line,
            snippet_at(data, offset, length),
            detail=f"Matched content rule '{match.identifier}'.",
            reach=reach,  # type: ignore[arg-type]
            variant="runtime" if runtime else "install-script" if installer else "",
        )
        hits.append(rule.id)
    return hits


_SHELL_EXT = (".sh", ".bash", ".zsh", ".ksh", ".command")
_SHEBANG = re.compile(rb"^#![^\n]*\b(ba|z|da|k)?sh\b")
_ASSIGN = re.compile(
    rb"^[ \t]*(?:export[ \t]+|readonly[ \t]+|local[ \t]+)?([A-Za-z_]\w*)="
    rb"""(?:"([^"$`\n]*)"|'([^'\n]*)'|([^\s;&|$`'"()]*))""",
    re.M,
)


def _shell_script(path: str, data: bytes) -> bool:
    return path.lower().endswith(_SHELL_EXT) or bool(_SHEBANG.match(data))


def expand_shell_variables(data: bytes) -> bytes:
    """A shell script with `$NAME` / `${NAME}` replaced by the constant last assigned to it
    above (`U=https://…; curl -s $U | sh` reads as the command it runs). Values hold no
    newline, so every line stays where it was."""
    if b"=" not in data or b"$" not in data:
        return data
    values: dict[bytes, bytes] = {}
    out: list[bytes] = []
    for line in data.split(b"\n"):
        if values and b"$" in line:
            line = re.sub(
                rb"\$\{?([A-Za-z_]\w*)\}?",
                lambda m: values.get(m.group(1), m.group(0)),
                line,
            )
        for m in _ASSIGN.finditer(line):
            value = next((g for g in m.groups()[1:] if g is not None), b"")
            if len(value) <= 2000:
                values[m.group(1)] = value
        out.append(line)
    return b"\n".join(out)


def _first_match(match: yara_x.Rule) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    for pattern in match.patterns:
        if pattern.identifier.startswith("$x_"):  # exclusion patterns are not evidence
            continue
        for m in pattern.matches:
            if best is None or m.offset < best[0]:
                best = (m.offset, m.length)
    return best
