"""Role smoke test: every role of docker/entrypoint.sh runs as a plain process with the
environment the rendered minikube manifests give its container, and a job dispatched
through web completes.

What is changed from the manifests, and only that (the cluster's names and example
credentials mean nothing on this host):
  * POSTGRES_HOST/PORT/USER/PASSWORD/DB -> the PostgreSQL the harness finds (DATABASE_URL,
    else 127.0.0.1:5432, else a throwaway one), a new database `<its name>_smoke`;
  * REDIS_URL -> the Redis the harness finds, the tests' db (PACKAMAL_TEST_REDIS_DB, or
    PACKAMAL_SMOKE_REDIS_DB for this test alone);
  * JOB_QUEUE/JOB_DEAD_LETTER/JOB_UPDATES_CHANNEL -> names of this run's own, so no
    other worker on that Redis (a colleague's `make dev`) takes the job; only those keys
    are deleted afterwards;
  * PORT / WEB_PORT -> spare ports; API_UPSTREAM -> the api's spare port on 127.0.0.1;
  * WORKER_HEARTBEAT_FILE, NGINX_RUN_DIR, HOME, ANALYSIS_SCRATCH_DIR -> one temp dir (the
    pods' /tmp and /scratch);
  * WEB_ROOT -> frontend/dist, or a stub page when the frontend is not built.
The shared servers are never stopped; the database is dropped at the end.

As root, the roles run as UID/GID 10001 (the image's user) when that user can reach the
venv's interpreter (here it cannot: pyenv lives under /root), with PYTHONDONTWRITEBYTECODE
like the image: the code is then read-only to them and only the temp dir is writable,
close to the container's read-only root filesystem.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO, Manifests, container_env, containers, pod_spec
from containers import http

import harness

pytestmark = pytest.mark.smoke

ENTRYPOINT = harness.ENTRYPOINT
VENV_BIN = harness.VENV_BIN
NAMESPACE = f"smoke-{os.getpid()}"
APP_UID = 10001


def _as_app_user() -> dict:
    """Popen arguments that drop to the image's UID, when we are root and it can read us."""
    if os.geteuid() != 0:
        return {}
    drop = {"user": APP_UID, "group": APP_UID, "extra_groups": []}
    try:  # the venv's interpreter may live where only root can reach (e.g. /root/.pyenv)
        probe = subprocess.run(
            [str(VENV_BIN / "python"), "-c", "import django"],
            cwd=REPO,
            check=False,
            capture_output=True,
            **drop,
        )
    except OSError:
        return {}
    return drop if probe.returncode == 0 else {}


def _wait_for(what: str, check, timeout: float, procs: dict) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for role, proc in procs.items():
            assert proc.alive(), f"{role} exited with {proc.proc.returncode}:\n{_log(proc)}"
        with contextlib.suppress(OSError, urllib.error.URLError):
            if check():
                return
        time.sleep(0.5)
    raise AssertionError(
        f"timed out waiting for {what}:\n" + "\n".join(_log(p) for p in procs.values())
    )


def _log(proc: harness.Role) -> str:
    return f"--- {proc.log_path}\n{proc.output[-4000:]}"


@dataclass
class Local:
    """The servers the roles use here: a database of the run's own and a Redis db."""

    database_url: str
    redis_url: str


@pytest.fixture(scope="module")
def local_services() -> Iterator[Local]:
    if not (REPO / "docker" / "web.sh").exists():
        pytest.skip("docker/web.sh (the web role) is not there yet")
    database_url, redis_url = harness.fresh("smoke", flush=False)
    try:
        yield Local(database_url, redis_url)
    finally:
        harness.redis_clear(redis_url, f"packamal:{NAMESPACE}:*")
        harness.database_drop(database_url)


@pytest.fixture(scope="module")
def minikube(rendered: dict[str, Manifests]) -> Manifests:
    return rendered["minikube"]


def _role_env(manifests: Manifests, role: str, overrides: dict[str, str]) -> dict[str, str]:
    deployment = manifests.app("api" if role == "migrate" else role)
    container = next(c for c in containers(deployment) if c["args"] == [role])
    return harness.role_env(
        base={**container_env(manifests, container), **overrides},
        database_url=None,
        redis_url=overrides["REDIS_URL"],
        namespace=NAMESPACE,
        LANG="C.UTF-8",
        PYTHONDONTWRITEBYTECODE="1",
    )


def _start(role: str, env: dict[str, str], logs: Path, user: dict) -> harness.Role:
    return harness.Role(role, env=env, log=logs / f"{role}.log", **user)


def _exec_check(proc: harness.Role, expected: str) -> None:
    """The entrypoint execs: the PID we started is the role's program, not a shell."""
    cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert expected in cmdline and "entrypoint.sh" not in cmdline, cmdline


def test_every_role_runs_with_the_manifest_environment_and_a_job_completes(
    local_services: Local, minikube: Manifests, tmp_path: Path
):
    api_port, web_port = harness.free_port(), harness.free_port()
    db = urlsplit(local_services.database_url)
    user = _as_app_user()
    # The only directory the roles may write to, like the emptyDir on /tmp.
    writable = Path(tempfile.mkdtemp(prefix="packamal-smoke-"))
    writable.chmod(0o1777)
    overrides = {
        "HOME": str(writable),
        "POSTGRES_HOST": db.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(db.port or 5432),
        "POSTGRES_USER": db.username or "postgres",
        "POSTGRES_PASSWORD": db.password or "",
        "POSTGRES_DB": db.path.lstrip("/"),
        "REDIS_URL": local_services.redis_url,
        "PORT": str(api_port),
        "WEB_PORT": str(web_port),
        "API_UPSTREAM": f"http://127.0.0.1:{api_port}",
        "WORKER_HEARTBEAT_FILE": str(writable / "worker.heartbeat"),
        "NGINX_RUN_DIR": str(writable / "nginx"),
        "ANALYSIS_SCRATCH_DIR": str(writable / "scratch"),
    }
    # The web role needs a built frontend; a stub page stands in when there is none.
    dist = REPO / "frontend" / "dist"
    if not (dist / "index.html").exists():
        dist = writable / "dist"
        dist.mkdir()
        (dist / "index.html").write_text("<!doctype html><title>smoke</title>")
    overrides["WEB_ROOT"] = str(dist)
    envs = {
        role: _role_env(minikube, role, overrides) for role in ("migrate", "api", "worker", "web")
    }
    # The manifests themselves must not need the overrides beyond these keys.
    for role, env in envs.items():
        assert env["LOG_FORMAT"] == "json", role

    migrate = harness.run_role("migrate", env=envs["migrate"], **user)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr

    procs: dict[str, harness.Role] = {}
    try:
        for role in ("api", "worker", "web"):
            procs[role] = _start(role, envs[role], tmp_path, user)
        api, web = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{web_port}"
        _wait_for("api /readyz", lambda: http("GET", f"{api}/readyz")[0] == 200, 60, procs)
        _wait_for(
            "web /healthz",
            lambda: http("GET", f"{web}/healthz")[0] == 200,
            harness.STARTUP_SECONDS,
            procs,
        )
        _exec_check(procs["api"], "uvicorn")
        _exec_check(procs["worker"], "manage.py worker")
        _exec_check(procs["web"], "nginx")

        # The probes of the manifests, as the kubelet would run them.
        assert http("GET", f"{api}/healthz")[0] == 200
        worker_probe = pod_spec(minikube.app("worker"))["containers"][0]["livenessProbe"]
        probe_cmd = [str(REPO / "docker" / "entrypoint.sh"), *worker_probe["exec"]["command"][1:]]

        def worker_alive() -> bool:
            probe = subprocess.run(probe_cmd, env=envs["worker"], check=False, **user)
            return probe.returncode == 0

        _wait_for("the worker heartbeat", worker_alive, harness.STARTUP_SECONDS, procs)

        status, job = http(
            "POST", f"{web}/api/dispatch", {"params": {"seconds": 1, "mode": "sleep"}}
        )
        assert status == 202, job
        assert isinstance(job, dict) and job["status"] == "queued"
        job_id = job["id"]

        def completed() -> bool:
            status, body = http("GET", f"{web}/api/jobs/{job_id}")
            assert status == 200, body
            assert isinstance(body, dict) and body["status"] != "failed", body
            return body["status"] == "completed"

        _wait_for(f"job {job_id} to complete", completed, 60, procs)
        if user:
            status = Path(f"/proc/{procs['api'].pid}/status").read_text()
            assert re.search(rf"(?m)^Uid:\s+{APP_UID}\b", status), "the api runs as 10001"
    finally:
        codes = {role: proc.stop(40) for role, proc in procs.items()}
        shutil.rmtree(writable, ignore_errors=True)
    logs = "\n".join(_log(p) for p in procs.values())
    # SIGTERM reaches each role's process and each shuts down cleanly: the worker drains
    # and exits 0; uvicorn finishes its shutdown, then re-raises the signal (status -15).
    assert codes["worker"] == 0 and codes["web"] == 0, f"{codes}\n{logs}"
    assert codes["api"] in (0, -signal.SIGTERM), f"{codes}\n{logs}"
    assert "Application shutdown complete" in procs["api"].output
