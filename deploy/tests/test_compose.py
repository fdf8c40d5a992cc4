"""docker-compose.yml brought up for real (`make test-image`): postgres, redis, migrate, api,
worker and web on the compose project's own bridge network, and a job dispatched through
web's published port completes.

The compose file runs as committed, from a scratch copy beside a `.env` made from
`.env.example` with generated secrets (the user's own `.env` is never read), under a
project name of this run, with web published on a spare port.

With docker: `docker compose up -d --wait`. With podman: `podman-compose` (PyPI, locked in
the deploy group), one service at a time in the order the file's `depends_on` declares,
each condition checked by the test (`up --no-deps`): podman 4.3.1 cannot run the file's
dependencies itself. It has no `podman wait --condition=healthy` (podman-compose then
skips `service_healthy`, with a warning), nothing runs health checks on a timer without
systemd, and `podman start` fails on podman-compose's `--requires` chains
("generating dependency graph ... not found in input list"). So: `service_healthy` -> the
service's own compose health check, run with `podman healthcheck run` until it passes;
`service_completed_successfully` -> `podman wait` says 0.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import make_secrets
import pytest
import yaml
from conftest import REPO
from containers import engine, http, logs, spare_port, state, wait_for

pytestmark = pytest.mark.image

IMAGE = os.environ.get("PACKAMAL_IMAGE", "")


def _compose() -> list[str]:
    import image

    if image.engine() == "docker":
        return ["docker", "compose"]
    found = shutil.which("podman-compose") or str(Path(sys.executable).parent / "podman-compose")
    return [found]


def start_order(services: dict[str, Any]) -> list[str]:
    """The services, each after everything it depends on (the file's order among equals)."""
    order: list[str] = []
    while len(order) < len(services):
        ready = [
            s
            for s, spec in services.items()
            if s not in order and all(d in order for d in spec.get("depends_on", {}))
        ]
        assert ready, f"depends_on has a cycle among {set(services) - set(order)}"
        order.append(ready[0])
    return order


def _healthy(name: str, timeout: float) -> None:
    """Run the container's own (compose-defined) health check until it passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if engine("healthcheck", "run", name, check=False).returncode == 0:
            return
        assert state(name).get("Running"), f"{name} exited:\n{logs(name)}"
        time.sleep(1)
    raise AssertionError(f"{name} never passed its health check:\n{logs(name)}")


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not IMAGE:
        pytest.skip("make test-image builds the image and passes it as PACKAMAL_IMAGE")
    import image

    image.ensure_bases(image.compose_images())
    run = uuid.uuid4().hex[:8]
    project = f"packamal-test-{run}"
    port = spare_port()
    work = tmp_path_factory.mktemp("compose")
    shutil.copy(REPO / "docker-compose.yml", work / "docker-compose.yml")
    dotenv = make_secrets.fill((REPO / ".env.example").read_text())
    (work / ".env").write_text(dotenv.replace("WEB_PUBLISH_PORT=80", f"WEB_PUBLISH_PORT={port}"))
    env = {**image.engine_env(), "PACKAMAL_IMAGE": IMAGE, "WEB_PUBLISH_PORT": str(port)}
    base = [*_compose(), "--project-name", project, "--file", str(work / "docker-compose.yml")]

    def compose(*args: str) -> None:
        import subprocess

        done = subprocess.run(
            [*base, *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"

    def name(service: str) -> str:
        sep = "-" if image.engine() == "docker" else "_"
        return f"{project}{sep}{service}{sep}1"

    try:
        if image.engine() == "docker":
            compose("up", "--detach", "--wait")
        else:
            services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
            for service in start_order(services):
                for dep, how in services[service].get("depends_on", {}).items():
                    if how["condition"] == "service_healthy":
                        _healthy(name(dep), 120)
                    elif how["condition"] == "service_completed_successfully":
                        code = engine("wait", name(dep)).stdout.strip()
                        assert code == "0", f"{dep} exited {code}:\n{logs(name(dep))}"
                compose("up", "--detach", "--no-deps", service)
        yield {"web": f"http://127.0.0.1:{port}", "name": name}
    finally:
        compose("down", "--volumes", "--timeout", "30")


def test_compose_brings_the_stack_up_and_a_job_dispatched_through_web_completes(
    compose: dict[str, Any],
):
    name = compose["name"]
    migrate = state(name("migrate"))
    assert migrate["Running"] is False and migrate["ExitCode"] == 0, logs(name("migrate"))
    running = [name(s) for s in ("postgres", "redis", "api", "worker", "web")]
    wait_for(
        "web /healthz", lambda: http("GET", f"{compose['web']}/healthz")[0] == 200, 60, running
    )
    status, job = http("POST", f"{compose['web']}/api/dispatch", {"params": {"seconds": 1}})
    assert status == 202, job

    def completed() -> bool:
        body = http("GET", f"{compose['web']}/api/jobs/{job['id']}")[1]
        assert body["status"] != "failed", body
        return body["status"] == "completed"

    wait_for(f"job {job['id']}", completed, 60, running)
    # Every compose health check passes: the worker's heartbeat, web's and the api's HTTP.
    for service in ("worker", "web", "api"):
        _healthy(name(service), 60)
    wait_for(
        "the api's completion log line",
        lambda: f"job {job['id']} completed" in logs(name("api")),
        15,
        running,
    )
