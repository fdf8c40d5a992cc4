"""PY-ENV-DUMP: load-time code serialises the whole environment (the first half of a stealer:
the dump is then written out or sent)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PyCheck

ENV_DUMP = Rule(
    id="PY-ENV-DUMP",
    title="Install- or import-time code serialises the whole environment",
    category="exfiltration",
    severity="high",
    explanation=(
        "The environment holds CI secrets, cloud keys and registry tokens. Code that runs on "
        "install or import and turns all of os.environ into text is collecting them; a library "
        "reads the variables it needs by name, and hands a copy to a child process as env=."
    ),
)
RULES = (ENV_DUMP,)

_SERIALISERS = {
    "json.dump", "json.dumps", "str", "repr", "pickle.dump", "pickle.dumps", "yaml.dump",
    "yaml.safe_dump", "pprint.pformat", "pprint.pprint", "print", "marshal.dumps",
}  # fmt: skip


def _whole_env(c: PyCheck, node: ast.AST) -> bool:
    q = c.facts.qualname(node).removeprefix("builtins.")
    if q == "os.environ":
        return True
    if isinstance(node, ast.Call):
        fq = c.facts.qualname(node.func).removeprefix("builtins.")
        if fq == "os.environ.copy":
            return True
        if fq == "dict" and node.args and c.facts.qualname(node.args[0]) == "os.environ":
            return True
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return any(k is None and c.facts.qualname(v) == "os.environ" for k, v in pairs)
    return False


def _only_tested(c: PyCheck, node: ast.AST) -> bool:
    """`'ci' in str(os.environ)`: the text is searched, not kept or sent."""
    for cmp in ast.walk(c.facts.tree):
        if isinstance(cmp, ast.Compare) and any(x is node for x in cmp.comparators):
            return all(isinstance(op, (ast.In, ast.NotIn)) for op in cmp.ops)
    return False


def check_python(c: PyCheck) -> None:
    for call in c.facts.calls:
        n = call.node
        if not n.args or c.facts.qualname(n.func).removeprefix("builtins.") not in _SERIALISERS:
            continue
        if not _whole_env(c, n.args[0]) or not (c.facts.loadtime_all or c.loadtime(n)):
            continue
        if _only_tested(c, n):
            continue
        detail = "All of os.environ is serialised where the module loads."
        c.emit(ENV_DUMP, n, detail, load_time_only=True)
