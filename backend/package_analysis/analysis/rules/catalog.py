"""The catalogue: every rule, collected from the rule modules of this package.

A rule module (`py_*`, `js_*`, `npm_*`, `cnt_*`, `meta_*`) declares `RULES` (its `Rule`
objects), optionally `YARA` (content rules, each with `meta: id = "<rule id>"`), and the check
hooks it implements, named in `HOOKS`. Nothing else lists rules: adding a module adds its rules.
The id never changes meaning; a rule that changes behaviour keeps its id and bumps
`engine.RULES_VERSION` (a hash of these sources).
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .base import Rule

log = logging.getLogger(__name__)
PREFIXES = ("py_", "js_", "npm_", "cnt_", "meta_")
# hook name → what it is called with (see passes.py and engine.py)
HOOKS = (
    "check_python",  # PyCheck: the facts of one Python module
    "check_javascript",  # JsCheck: the facts of one JavaScript file
    "check_payload",  # PayloadCheck: bytes decoded statically from a Python literal
    "check_pth",  # PthCheck: the lines of a .pth file
    "check_package",  # PackageCheck: the package's name and version
    "check_pkg_info",  # MetaCheck: PKG-INFO / METADATA
    "check_requires",  # MetaCheck: requires.txt
    "check_manifest",  # ManifestCheck: package.json
    "check_binary",  # BinaryCheck: a native executable
    "check_tree",  # TreeCheck: the whole unpacked tree, once (package-level rules)
)


@functools.cache
def modules() -> tuple[ModuleType, ...]:
    from . import __name__ as package
    from . import __path__ as path

    found = sorted(m.name for m in pkgutil.iter_modules(path) if m.name.startswith(PREFIXES))
    return tuple(importlib.import_module(f"{package}.{name}") for name in found)


@functools.cache
def rules() -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for module in modules():
        for rule in module.RULES:
            if rule.id in out:
                raise ValueError(f"rule {rule.id} is declared twice ({module.__name__})")
            out[rule.id] = rule
    return out


@functools.cache
def checks(hook: str) -> tuple[Callable[[Any], None], ...]:
    """Every module's implementation of `hook`, in module order, each guarded: a rule that
    raises on hostile input loses its own findings on that subject, never the other rules'
    (the file is reported as partly scanned, see `Sink.rule_failed`)."""
    if hook not in HOOKS:
        raise ValueError(f"unknown hook {hook}")
    return tuple(
        functools.partial(_guarded, m.__name__.rpartition(".")[2], getattr(m, hook))
        for m in modules()
        if hasattr(m, hook)
    )


def _guarded(module: str, check: Callable[[Any], None], subject: Any) -> None:
    try:
        check(subject)
    except Exception as exc:  # RecursionError too: a nesting too deep for one rule's walk
        log.warning(
            "analysis: rule module %s failed on %s", module, subject.ctx.path, exc_info=True
        )
        subject.sink.rule_failed(subject.ctx.path, module, exc)


def yara_source() -> str:
    return "\n\n".join(m.YARA for m in modules() if getattr(m, "YARA", ""))


class _Rules(dict[str, Rule]):
    """`RULES[id]`, filled on first use (the rule modules import this module)."""

    def _fill(self) -> None:
        if not super().__len__():
            self.update(rules())

    def __getitem__(self, key: str) -> Rule:
        self._fill()
        return super().__getitem__(key)

    def __iter__(self) -> Any:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)

    def keys(self) -> Any:
        self._fill()
        return super().keys()

    def values(self) -> Any:
        self._fill()
        return super().values()

    def items(self) -> Any:
        self._fill()
        return super().items()


RULES: dict[str, Rule] = _Rules()
