"""Running the built image as containers the way the manifests run it (make test-image).

The engine and its settings come from deploy/tools/image.py (docker when its daemon answers,
else podman with the project's containers.conf): the tests use the engine `make image` used.
Containers join the host's network, so they reach the PostgreSQL and Redis the harness
finds (DATABASE_URL / REDIS_URL, else localhost's, else throwaway ones) on their own
addresses, and each other on spare ports.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import image  # deploy/tools/image.py (conftest puts deploy/tools on sys.path)
from conftest import Doc, pod_spec

import harness
from harness.services import database_name

# A Redis db for these runs; every key they make carries the run's own prefix anyway.
REDIS_DB = int(os.environ.get("PACKAMAL_IMAGE_REDIS_DB") or 7)


@dataclass
class Services:
    """A fresh database of a run's own and the Redis db, as the roles' environment."""

    database_url: str
    redis_url: str
    prefix: str  # of every Redis key the run's roles make (queue, dead letter, workers)

    def env(self) -> dict[str, str]:
        db = urlsplit(self.database_url)
        return {
            "POSTGRES_HOST": db.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(db.port or 5432),
            "POSTGRES_USER": db.username or "postgres",
            "POSTGRES_PASSWORD": db.password or "",
            "POSTGRES_DB": db.path.lstrip("/"),
            "REDIS_URL": self.redis_url,
            "JOB_QUEUE": f"{self.prefix}:jobs",
            "JOB_DEAD_LETTER": f"{self.prefix}:jobs:dead",
            "JOB_UPDATES_CHANNEL": f"job_updates:{self.prefix}",
        }

    def release(self) -> None:
        harness.redis_clear(self.redis_url, f"{self.prefix}*")
        harness.database_drop(self.database_url)


def services(use: str, run: str) -> Services:
    """The harness's PostgreSQL and Redis, a new database `<name>_<use>` on the former."""
    database_url, redis_url = harness.ensure(redis_db=REDIS_DB)
    database_url = harness.with_path(database_url, f"{database_name(database_url)}_{use}")
    harness.database_create(database_url, fresh=True)
    return Services(database_url, redis_url, f"packamal:{use}-{run}")


def engine(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """`ENGINE args...` with its output captured."""
    done = subprocess.run(
        [image.engine(), *args],
        env=image.engine_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{image.engine()} {' '.join(args)}: {done.stderr.strip()}")
    return done


def hardened_flags(workload: Doc, container: Doc) -> list[str]:
    """`run` flags that hold the container to its manifest's securityContext and limits.

    runAsUser/runAsGroup -> --user; readOnlyRootFilesystem -> --read-only (without podman's
    own tmpfs mounts); each PVC -> a named volume shared by the run's containers; each
    emptyDir mount -> an anonymous volume (a tmpfs of its sizeLimit for medium Memory);
    capabilities.drop ALL -> --cap-drop ALL; allowPrivilegeEscalation false ->
    no-new-privileges; limits -> --memory/--cpus. seccomp RuntimeDefault is the engine's
    default profile.
    """
    spec = pod_spec(workload)
    security = {**spec.get("securityContext", {}), **container.get("securityContext", {})}
    flags = ["--user", f"{security['runAsUser']}:{security['runAsGroup']}"]
    if security.get("readOnlyRootFilesystem"):
        flags.append("--read-only")
        if image.engine() == "podman":
            flags.append("--read-only-tmpfs=false")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        claim = volumes[mount["name"]].get("persistentVolumeClaim")
        if claim is not None:  # one named volume per claim, shared by this run's containers
            owned = ":U" if image.engine() == "podman" else ""  # chowned to --user
            flags += ["--volume", f"{claim_volume(claim['claimName'])}:{mount['mountPath']}{owned}"]
            continue
        empty_dir = volumes[mount["name"]].get("emptyDir")
        assert empty_dir is not None, f"only emptyDir and PVC volumes run here: {mount}"
        if empty_dir.get("medium") == "Memory":
            size = _bytes(empty_dir.get("sizeLimit", "64Mi"))
            flags += ["--tmpfs", f"{mount['mountPath']}:rw,size={size},mode=1777"]
        else:  # on disk, like the node's emptyDir; its sizeLimit is the kubelet's to enforce
            flags += ["--volume", mount["mountPath"]]
    drop = security.get("capabilities", {}).get("drop", [])
    flags += [f"--cap-drop={cap}" for cap in drop]
    if security.get("allowPrivilegeEscalation") is False:
        flags += ["--security-opt", "no-new-privileges"]
    limits = container.get("resources", {}).get("limits", {})
    if "memory" in limits:
        flags += ["--memory", str(_bytes(limits["memory"]))]
    if "cpu" in limits:
        cpu = str(limits["cpu"])
        flags += ["--cpus", str(int(cpu[:-1]) / 1000 if cpu.endswith("m") else float(cpu))]
    return flags


def claim_volume(claim: str) -> str:
    """The engine's named volume standing in for a PersistentVolumeClaim in this test run."""
    return f"packamal-test-{os.getpid()}-{claim}"


def remove_claim_volumes() -> None:
    """Delete this run's stand-ins for PersistentVolumeClaims (after its containers)."""
    prefix = claim_volume("")
    listed = engine("volume", "ls", "--format", "{{.Name}}", check=False).stdout.split()
    for name in (n for n in listed if n.startswith(prefix)):
        engine("volume", "rm", "--force", name, check=False)


def _bytes(quantity: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * factor)
    return int(quantity)


def env_flags(env: dict[str, str]) -> list[str]:
    flags: list[str] = []
    for key, value in sorted(env.items()):
        flags += ["--env", f"{key}={value}"]
    return flags


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (loopback)
            raw, status = answer.read().decode(), answer.status
    except urllib.error.HTTPError as error:
        raw, status = error.read().decode(), error.code
    try:
        return status, json.loads(raw)
    except json.JSONDecodeError:
        return status, raw


def state(name: str) -> dict[str, Any]:
    return json.loads(engine("inspect", "--format", "{{json .State}}", name).stdout)


def logs(name: str) -> str:
    done = engine("logs", name, check=False)
    return done.stdout + done.stderr


def wait_for(what: str, check: Callable[[], bool], timeout: float, running: list[str]) -> None:
    """Poll check() until true; fail at once, with its log, when a container exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in running:
            if not state(name).get("Running"):
                raise AssertionError(f"{name} exited while waiting for {what}:\n{logs(name)}")
        with contextlib.suppress(OSError, urllib.error.URLError):
            if check():
                return
        time.sleep(0.5)
    raise AssertionError(
        f"timed out waiting for {what}:\n" + "\n".join(f"--- {n}\n{logs(n)}" for n in running)
    )
