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
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .base import Rule

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


def checks(hook: str) -> list[Callable[[Any], None]]:
    """Every module's implementation of `hook`, in module order."""
    if hook not in HOOKS:
        raise ValueError(f"unknown hook {hook}")
    return [getattr(m, hook) for m in modules() if hasattr(m, hook)]


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
