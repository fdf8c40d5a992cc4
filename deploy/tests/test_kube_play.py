"""The rendered minikube overlay's web, api and worker Deployments, with their ConfigMap,
played by `podman kube play` (`make test-image`): the manifests' commands, args, env,
init container (migrate), securityContext, emptyDir and limits run for real, and a job
dispatched through web completes.

podman 4.3.1 cannot play the objects exactly as rendered; this test transforms them, and
only as follows (docs/deployment.md "What `make test-image` runs here"):
  * the api's init container `migrate` -> a Pod of its own (restartPolicy Never, the same
    container, pod securityContext and volumes), played and run to exit 0 first: podman
    4.3.1 restarts a pod's init containers under the pod's restartPolicy (Always, for a
    Deployment) and then fails to remove the "once" init container that is running again;
  * env `valueFrom.secretKeyRef` -> the Secret's value inline: podman 4.3.1 stores a played
    Secret but then reads it as JSON of its own format, and the pod fails ("cannot set env
    X: secret s1 is not valid JSON");
  * hostNetwork: true, so the pods reach this machine's PostgreSQL and Redis on 127.0.0.1;
    podman then refuses container `ports` (port mappings need a bridge network), so they
    are dropped and the probes' named port `http` becomes the number;
  * the web pod's `sysctls` are dropped: in the host's network namespace a `net.*` sysctl
    would be the host's, not the pod's; web listens on a spare port above 1024 instead of 80;
  * the ConfigMap's hosts, ports, database and queue names point at this machine's
    services and this run's names, as in test_image.py.
"""

from __future__ import annotations

import base64
import copy
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Doc, Manifests, pod_spec
from containers import engine, http, logs, services, spare_port, wait_for

import harness

pytestmark = pytest.mark.image

IMAGE = os.environ.get("PACKAMAL_IMAGE", "")


def playable(
    manifests: Manifests, config: dict[str, str], secret_values: dict[str, str], image: str
) -> tuple[list[Doc], list[Doc]]:
    """(ConfigMap + migrate Pod, ConfigMap + the three app Deployments), transformed as the
    module's docstring says."""
    config_map = copy.deepcopy(manifests.get("ConfigMap", "packamal-config"))
    config_map["data"].update(config)
    secret = manifests.secret("packamal-secrets")
    values = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    values.update(secret_values)
    docs: list[Doc] = [config_map]
    for role in ("api", "worker", "web"):
        deployment = copy.deepcopy(manifests.app(role))
        spec = pod_spec(deployment)
        spec["hostNetwork"] = True
        spec.get("securityContext", {}).pop("sysctls", None)
        for container in spec.get("initContainers", []) + spec["containers"]:
            container["image"] = image  # the rendered `packamal:dev` unless IMAGE says otherwise
            ports = {p["name"]: p["containerPort"] for p in container.pop("ports", [])}
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == secret["metadata"]["name"], ref
                    env.pop("valueFrom")
                    env["value"] = values[ref["key"]]
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                get = container.get(probe, {}).get("httpGet")
                if get and get["port"] in ports:
                    port_env = "PORT" if role == "api" else "WEB_PORT"
                    get["port"] = int(config_map["data"][port_env])
        docs.append(deployment)
    # The api's init container, as a Pod of its own that runs once.
    api_spec = pod_spec(docs[1])
    migrate_spec = copy.deepcopy(api_spec)
    migrate_spec["containers"] = migrate_spec.pop("initContainers")
    migrate_spec["restartPolicy"] = "Never"
    migrate_pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "packamal-migrate"}}
    api_spec.pop("initContainers")
    return [docs[0], {**migrate_pod, "spec": migrate_spec}], docs


@pytest.fixture(scope="module")
def played(
    rendered: dict[str, Manifests], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    if not IMAGE:
        pytest.skip("make test-image builds the image and passes it as PACKAMAL_IMAGE")
    import image

    if image.engine() != "podman":
        pytest.skip("kube play is podman's")
    minikube = rendered["minikube"]
    run = uuid.uuid4().hex[:8]
    api_port, web_port = spare_port(), spare_port()
    local = services("kube", run)
    env = local.env()
    secrets = {k: env.pop(k) for k in ("POSTGRES_USER", "POSTGRES_PASSWORD")}
    config = {
        **env,
        "PORT": str(api_port),
        "WEB_PORT": str(web_port),
        "API_UPSTREAM": f"http://127.0.0.1:{api_port}",
    }
    migrate_docs, docs = playable(minikube, config, secrets, IMAGE)
    work = Path(tmp_path_factory.mktemp("kube"))
    migrate_path, path = work / "migrate.yaml", work / "packamal.yaml"
    migrate_path.write_text(yaml.safe_dump_all(migrate_docs))
    path.write_text(yaml.safe_dump_all(docs))

    try:
        done = engine("kube", "play", str(migrate_path), check=False, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        migrate = "packamal-migrate-migrate"
        waited = engine("wait", migrate, timeout=300)
        assert waited.stdout.strip() == "0", logs(migrate)
        done = engine("kube", "play", str(path), check=False, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        yield {
            "api": f"http://127.0.0.1:{api_port}",
            "web": f"http://127.0.0.1:{web_port}",
            "containers": {
                role: f"packamal-{role}-pod-0-{role}" for role in ("api", "worker", "web")
            },
            "path": path,
        }
    finally:
        engine("kube", "down", str(path), check=False)
        engine("kube", "down", str(migrate_path), check=False)
        local.release()


def test_the_played_pods_run_the_manifests_and_a_job_completes(played: dict[str, Any]):
    names = played["containers"]
    running = list(names.values())
    # The migrate pod (the api's init container) ran to exit 0 before these were played.
    wait_for("api /readyz", lambda: http("GET", f"{played['api']}/readyz")[0] == 200, 120, running)
    wait_for(
        "web /healthz",
        lambda: http("GET", f"{played['web']}/healthz")[0] == 200,
        harness.STARTUP_SECONDS,
        running,
    )
    for name in running:
        facts = engine(
            "exec",
            name,
            "sh",
            "-c",
            "id -u; grep -E '^(CapEff|NoNewPrivs):' /proc/1/status; touch /app/x 2>&1 || true",
        ).stdout
        assert facts.splitlines()[0] == "10001", facts
        assert "CapEff:\t0000000000000000" in facts and "NoNewPrivs:\t1" in facts, facts
        assert "Read-only file system" in facts, facts
    # The worker's probes are exec probes: podman made them the container's health check.
    wait_for(
        "the worker's health check",
        lambda: engine("healthcheck", "run", names["worker"], check=False).returncode == 0,
        60,
        running,
    )
    status, job = http("POST", f"{played['web']}/api/dispatch", {"params": {"seconds": 1}})
    assert status == 202, job

    def completed() -> bool:
        body = http("GET", f"{played['web']}/api/jobs/{job['id']}")[1]
        assert body["status"] != "failed", body
        return body["status"] == "completed"

    wait_for(f"job {job['id']}", completed, 60, running)
    wait_for(
        "the api's completion log line",
        lambda: f"job {job['id']} completed" in logs(names["api"]),
        15,
        running,
    )
