"""What every task type is made of, and what a running task may use."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel


class TaskCancelled(Exception):
    """The worker asked the task to stop (shutdown past the drain time, or a lost lease)."""


class TaskFailed(Exception):
    """The task cannot do what was asked; `str(exc)` is the job's `error`, shown to users."""


@dataclass
class TaskContext:
    """What a running task may use: report progress, and notice cancellation."""

    report: Callable[[float], None]
    cancelled: threading.Event = field(default_factory=threading.Event)
    job_id: str = ""

    def check(self) -> None:
        if self.cancelled.is_set():
            raise TaskCancelled


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
    """One task type: found by `name`; `params` validates dispatch bodies and the row the
    worker claims; `result` documents `Job.result`; `run` does the work."""

    name: str
    description: str
    params: type[P]
    result: type[BaseModel]
    run: Callable[[P, TaskContext], TaskResult]
    # Longest a run may take for these params; past it (plus grace) the worker stops
    # vouching for itself, so a hung task gets the pod restarted.
    timeout: Callable[[P], float]

    def params_parse(self, raw: Any) -> P:
        return self.params.model_validate(raw if raw is not None else {})
