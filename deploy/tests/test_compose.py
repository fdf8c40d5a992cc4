"""docker-compose.yml brought up for real (`make test-image`): postgres, redis, migrate, api,
worker and web on the compose project's own bridge network, and a job dispatched through
web's published port completes.

The compose file runs as committed, from a scratch copy beside a `.env` made from
`.env.example` with generated secrets (the user's own `.env` is never read), under a
project name of this run, with web published on a spare port.

`deploy/tools/image.py` `compose_up` brings it up, as `make up` does: with docker,
`docker compose up -d --wait`; with podman, `podman-compose` (PyPI, locked in the deploy
group), one service at a time in the order of the file's `depends_on`, each condition
checked first, because podman 4.3.1 cannot run the file's dependencies itself (see
`compose_up`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import make_secrets
import pytest
from conftest import REPO
from containers import http, logs, spare_port, state, wait_for

import harness

pytestmark = pytest.mark.image

IMAGE = os.environ.get("PACKAMAL_IMAGE", "")


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not IMAGE:
        pytest.skip("make test-image builds the image and passes it as PACKAMAL_IMAGE")
    import image

    run = uuid.uuid4().hex[:8]
    project = f"packamal-test-{run}"
    port = spare_port()
    work = tmp_path_factory.mktemp("compose")
    compose_file = work / "docker-compose.yml"
    shutil.copy(REPO / "docker-compose.yml", compose_file)
    dotenv = make_secrets.fill((REPO / ".env.example").read_text())
    (work / ".env").write_text(dotenv.replace("WEB_PUBLISH_PORT=80", f"WEB_PUBLISH_PORT={port}"))
    env = {"PACKAMAL_IMAGE": IMAGE, "WEB_PUBLISH_PORT": str(port)}

    def name(service: str) -> str:
        sep = "-" if image.engine() == "docker" else "_"
        return f"{project}{sep}{service}{sep}1"

    try:
        # What `make up` runs, on a scratch copy under this run's project name.
        image.compose_up(compose_file=compose_file, project=project, env=env)
        yield {"web": f"http://127.0.0.1:{port}", "name": name}
    finally:
        image.compose_down(compose_file=compose_file, project=project, volumes=True)


def test_compose_brings_the_stack_up_and_a_job_dispatched_through_web_completes(
    compose: dict[str, Any],
):
    import image

    name = compose["name"]
    migrate = state(name("migrate"))
    assert migrate["Running"] is False and migrate["ExitCode"] == 0, logs(name("migrate"))
    running = [name(s) for s in ("postgres", "redis", "api", "worker", "web")]
    # Ready means the api answers through web, not only nginx: the first dispatch after the
    # bases were first built used to meet an api still starting.
    wait_for(
        "the api's /readyz through web",
        lambda: http("GET", f"{compose['web']}/api/readyz")[0] == 200,
        harness.STARTUP_SECONDS,
        running,
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
        image.wait_healthy(name(service), 60)
    wait_for(
        "the api's completion log line",
        lambda: f"job {job['id']} completed" in logs(name("api")),
        15,
        running,
    )
