"""What every task type is made of, and what a running task may use.

A task type is declared (`TaskSpec`: name, params, result) apart from its execution (a
runner module with `run` and `timeout`), so the api and the schemas read declarations
without loading what a run needs; the worker resolves the runner (`runner_load`).
"""

from __future__ import annotations

import importlib
import threading
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from pydantic import BaseModel

from ..analysis.model import Finding, Report
from ..analysis.suppress import Suppression

if TYPE_CHECKING:  # the pipeline loads the engine: workers only
    from ..analysis.pipeline import CacheKey


class TaskCancelled(Exception):
    """The worker asked the task to stop (shutdown past the drain time, or a lost lease)."""


class TaskFailed(Exception):
    """The task cannot do what was asked; `str(exc)` is the job's `error`, shown to users."""


class TaskStore(Protocol):
    """The platform's persistence a task may use; the worker passes `reports`."""

    def findings_cached(self, key: CacheKey, *, source: str) -> list[Finding] | None: ...

    def upload_fetch(
        self, *, upload_id: uuid.UUID, scratch_dir: str | None, max_bytes: int
    ) -> AbstractContextManager[tuple[Any, Path]]: ...

    def report_save(self, *, job_id: str, report: Report) -> None: ...

    def suppressions_active(self) -> list[Suppression]: ...


@dataclass
class TaskContext:
    """What a running task may use: report progress, notice cancellation, and the store."""

    report: Callable[[float], None]
    cancelled: threading.Event = field(default_factory=threading.Event)
    job_id: str = ""
    store: TaskStore | None = None

    def check(self) -> None:
        if self.cancelled.is_set():
            raise TaskCancelled

    def store_required(self) -> TaskStore:
        if self.store is None:
            raise RuntimeError("this task needs the platform's store (TaskContext.store)")
        return self.store


@dataclass
class TaskResult:
    """A finished task: the small `summary` becomes `Job.result` (it rides every event and
    job list); `save`, when set, writes the large part (e.g. findings) for the job id inside
    the fenced completion's transaction, so a worker that lost its lease writes nothing."""

    summary: BaseModel
    save: Callable[[str], None] | None = None


P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class TaskSpec(Generic[P]):
    """One task type's declaration: found by `name`; `params` validates dispatch bodies and
    the row the worker claims; `result` documents `Job.result`; `runner` is the import path
    of the module that executes it (see `TaskRunner`)."""

    name: str
    description: str
    params: type[P]
    result: type[BaseModel]
    runner: str

    def params_parse(self, raw: Any) -> P:
        return self.params.model_validate(raw if raw is not None else {})


class TaskRunner(Protocol):
    """A task type's execution: a module with these two functions."""

    def run(self, params: Any, ctx: TaskContext) -> TaskResult:
        """Do the work; raise TaskFailed (the job fails with its text) or TaskCancelled."""
        ...

    def timeout(self, params: Any) -> float:
        """Longest a run may take for these params; past it (plus grace) the worker stops
        vouching for itself, so a hung task gets the pod restarted."""
        ...


@cache
def runner_load(spec: TaskSpec[Any]) -> TaskRunner:
    """The module that executes `spec` (imported on first use: in workers, not in the api)."""
    return cast(TaskRunner, importlib.import_module(spec.runner))
