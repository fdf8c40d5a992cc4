"""The task registry: every task type's declaration, found by name. Nothing else lists
task names.

Adding a task type is a declaration module (a `TaskSpec`), its runner module (`run` and
`timeout`, loaded by the worker only) and one line in `_SPECS`.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from . import analyze, simulate
from .base import (
    TaskCancelled,
    TaskContext,
    TaskFailed,
    TaskResult,
    TaskRunner,
    TaskSpec,
    TaskStore,
    runner_load,
)

DEFAULT_TASK = "simulate"  # what an empty dispatch body runs (docs/design.md)

_SPECS: tuple[TaskSpec[Any], ...] = (simulate.SPEC, analyze.SPEC)


def _plugin_specs() -> list[TaskSpec[Any]]:
    """Extra task modules named in PACKAMAL_TASK_MODULES (comma-separated import paths,
    each with a module-level `SPEC`), for deployments and tests that add a type."""
    names = [n.strip() for n in os.environ.get("PACKAMAL_TASK_MODULES", "").split(",")]
    return [importlib.import_module(n).SPEC for n in names if n]


REGISTRY: dict[str, TaskSpec[Any]] = {spec.name: spec for spec in (*_SPECS, *_plugin_specs())}


def task_get(name: str) -> TaskSpec[Any] | None:
    return REGISTRY.get(name)


__all__ = [
    "DEFAULT_TASK",
    "REGISTRY",
    "TaskCancelled",
    "TaskContext",
    "TaskFailed",
    "TaskResult",
    "TaskRunner",
    "TaskSpec",
    "TaskStore",
    "runner_load",
    "task_get",
]
