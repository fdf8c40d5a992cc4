"""The task registry: a task type added by one module alone runs end to end, and a task's
liveness is the worker's business, not the task's."""

from __future__ import annotations

import subprocess
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from .conftest import ENTRYPOINT, Role, api_start, role_env, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# A throwaway task type, written to disk and named in PACKAMAL_TASK_MODULES: nothing else
# in the project learns about it.
PLUGIN = textwrap.dedent(
    """
    import time
    from pydantic import BaseModel, ConfigDict, Field
    from package_analysis.tasks.base import TaskContext, TaskResult, TaskSpec

    class EchoParams(BaseModel):
        model_config = ConfigDict(extra="forbid")
        text: str = Field(min_length=1, max_length=20)
        times: int = Field(2, ge=1, le=5)
        quiet_seconds: float = Field(0, ge=0, le=30)
        timeout: float = 60
        ignore_cancel: bool = False

    class EchoResult(BaseModel):
        echo: str

    def run(params: EchoParams, ctx: TaskContext) -> TaskResult:
        deadline = time.monotonic() + params.quiet_seconds
        while time.monotonic() < deadline:  # works without reporting progress
            if not params.ignore_cancel:
                ctx.check()
            time.sleep(0.05)
        return TaskResult(EchoResult(echo=params.text * params.times))

    SPEC = TaskSpec(
        name="echo",
        description="Repeat a text (a test's throwaway task type)",
        params=EchoParams,
        result=EchoResult,
        runner="echo_task",  # this module: `run` above and `timeout` below
    )

    def timeout(params: EchoParams) -> float:
        return params.timeout
    """
)


@pytest.fixture
def plugin_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "echo_task.py").write_text(PLUGIN)
    return {
        "PYTHONPATH": f"{tmp_path}:{Path(ENTRYPOINT).parents[1] / 'backend'}",
        "PACKAMAL_TASK_MODULES": "echo_task",
        "WORKER_HEARTBEAT_FILE": str(tmp_path / "heartbeat"),
    }


def _api(start_role: Callable[..., Role], env: dict[str, str]) -> str:
    return api_start(start_role, **env)[0]


def _job(base: str, job_id: str) -> dict[str, object]:
    return httpx.get(f"{base}/jobs/{job_id}", timeout=5).json()  # type: ignore[no-any-return]


def _healthcheck(env: dict[str, str], max_age: int) -> int:
    return subprocess.run(
        [ENTRYPOINT, "worker-healthcheck"],
        env=role_env(**env, WORKER_HEARTBEAT_MAX_AGE=str(max_age)),
        capture_output=True,
        timeout=10,
    ).returncode


def test_a_task_type_added_by_one_module_runs_end_to_end(
    start_role: Callable[..., Role], plugin_env: dict[str, str]
) -> None:
    base = _api(start_role, plugin_env)
    start_role("worker", "--name", "registry-worker", **plugin_env)

    schema = httpx.get(f"{base}/openapi.json").json()["components"]["schemas"]
    assert set(schema["DispatchIn"]["discriminator"]["mapping"]) == {"simulate", "analyze", "echo"}

    bad = httpx.post(f"{base}/dispatch", json={"task": "echo", "params": {"times": 9}})
    assert bad.status_code == 422
    assert {tuple(d["loc"][-2:]) for d in bad.json()["error"]["details"]} >= {
        ("params", "text"),
        ("params", "times"),
    }

    response = httpx.post(f"{base}/dispatch", json={"task": "echo", "params": {"text": "ab"}})
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.json()["params"] == {
        "text": "ab",
        "times": 2,
        "quiet_seconds": 0,
        "timeout": 60,
        "ignore_cancel": False,
    }
    done = wait_until(lambda: (j := _job(base, job_id))["status"] == "completed" and j, 30)
    assert done["result"] == {"echo": "abab"}


def test_a_quiet_task_keeps_the_worker_healthy_and_a_hung_one_does_not(
    start_role: Callable[..., Role], plugin_env: dict[str, str]
) -> None:
    base = _api(start_role, plugin_env)
    worker = start_role(
        "worker", "--name", "quiet-worker", JOB_TIMEOUT_GRACE_SECONDS="1", **plugin_env
    )
    quiet = httpx.post(
        f"{base}/dispatch", json={"task": "echo", "params": {"text": "q", "quiet_seconds": 6}}
    ).json()["id"]
    wait_until(lambda: _job(base, quiet)["status"] == "running", 20)
    time.sleep(4)  # twice the max age below, with no progress reported by the task
    assert _healthcheck(plugin_env, max_age=2) == 0
    wait_until(lambda: _job(base, quiet)["status"] == "completed", 20)

    # A task that ignores cancellation and outlives timeout + grace: the worker stops
    # vouching for itself, so the liveness probe fails and the pod would be restarted.
    hung = httpx.post(
        f"{base}/dispatch",
        json={
            "task": "echo",
            "params": {"text": "h", "quiet_seconds": 20, "timeout": 1, "ignore_cancel": True},
        },
    ).json()["id"]
    wait_until(lambda: _job(base, hung)["status"] == "running", 20)
    worker.wait_for_line("outlived its timeout", timeout=15)
    wait_until(lambda: _healthcheck(plugin_env, max_age=2) == 1, 15, "the healthcheck to fail")


def test_a_task_cancelled_past_its_timeout_fails_with_the_reason_not_a_retry(
    start_role: Callable[..., Role], plugin_env: dict[str, str]
) -> None:
    base = _api(start_role, plugin_env)
    start_role("worker", "--name", "slow-worker", JOB_TIMEOUT_GRACE_SECONDS="1", **plugin_env)
    slow = httpx.post(
        f"{base}/dispatch",
        json={"task": "echo", "params": {"text": "s", "quiet_seconds": 20, "timeout": 1}},
    ).json()["id"]
    done = wait_until(
        lambda: (j := _job(base, slow))["status"] in ("completed", "failed") and j, 20
    )
    assert done["status"] == "failed" and done["attempts"] == 1, done
    assert done["error"] == (
        "Stopped: ran past its timeout (1 s) and JOB_TIMEOUT_GRACE_SECONDS (1 s),"
        " so it was cancelled"
    )
