"""Shared fixtures: the rendered manifests of every variant, and lookups into them."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "tools"))

import render  # noqa: E402

# Kept in step with K8S_VERSION in mk/deploy.mk, which passes it in.
K8S_VERSION = os.environ.get("PACKAMAL_K8S_VERSION", "1.35.0")
APP_ROLES = ("web", "api", "worker")
VARIANTS = sorted(render.variants())

Doc = dict[str, Any]


class Manifests:
    """The objects of one rendered variant, with lookups by kind and name."""

    def __init__(self, name: str, docs: list[Doc]):
        self.name = name
        self.overlay = name.split("+")[0]
        self.components = name.split("+")[1:]
        self.docs = docs

    def all(self, kind: str) -> list[Doc]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> Doc:
        found = [d for d in self.all(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.name}: expected one {kind}/{name}, found {len(found)}"
        return found[0]

    def secret(self, logical_name: str) -> Doc:
        """A generated Secret, whose rendered name has a content-hash suffix."""
        found = [
            d for d in self.all("Secret") if d["metadata"]["name"].rsplit("-", 1)[0] == logical_name
        ]
        assert len(found) == 1, f"{self.name}: expected one Secret {logical_name}-<hash>"
        return found[0]

    def workloads(self) -> list[Doc]:
        return [d for d in self.docs if d["kind"] in ("Deployment", "StatefulSet", "Job")]

    def app(self, role: str) -> Doc:
        return self.get("Deployment", f"packamal-{role}")

    def config(self) -> dict[str, str]:
        return self.get("ConfigMap", "packamal-config")["data"]


def load_rendered(directory: Path) -> dict[str, Manifests]:
    out = {}
    for name in VARIANTS:
        text = (directory / f"{name}.yaml").read_text()
        out[name] = Manifests(name, [d for d in yaml.safe_load_all(text) if d])
    return out


@pytest.fixture(scope="session")
def rendered() -> Iterator[dict[str, Manifests]]:
    """Every variant: from $PACKAMAL_RENDERED (make test-deploy) or rendered afresh."""
    given = os.environ.get("PACKAMAL_RENDERED")
    if given and all((Path(given) / f"{n}.yaml").exists() for n in VARIANTS):
        yield load_rendered(Path(given))
        return
    with tempfile.TemporaryDirectory(prefix="packamal-rendered-") as out:
        render.render_all(Path(out))
        yield load_rendered(Path(out))


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest, rendered: dict[str, Manifests]) -> Manifests:
    return rendered[request.param]


def pod_spec(workload: Doc) -> Doc:
    return workload["spec"]["template"]["spec"]


def containers(workload: Doc, *, init: bool = True) -> list[Doc]:
    spec = pod_spec(workload)
    return list(spec.get("initContainers", []) if init else []) + list(spec["containers"])


def container_env(manifests: Manifests, container: Doc) -> dict[str, str]:
    """The environment a container gets, with references resolved to their values.

    Secret values come from the committed examples (render.py), so they are placeholders.
    """
    import base64

    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(manifests.get("ConfigMap", source["configMapRef"]["name"])["data"])
        if "secretRef" in source:
            data = _secret_by_name(manifests, source["secretRef"]["name"])["data"]
            env.update({k: base64.b64decode(v).decode() for k, v in data.items()})
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]
        if "configMapKeyRef" in ref:
            cm = manifests.get("ConfigMap", ref["configMapKeyRef"]["name"])
            env[item["name"]] = cm["data"][ref["configMapKeyRef"]["key"]]
        elif "secretKeyRef" in ref:
            secret = _secret_by_name(manifests, ref["secretKeyRef"]["name"])
            raw = secret["data"][ref["secretKeyRef"]["key"]]
            env[item["name"]] = base64.b64decode(raw).decode()
    return env


def _secret_by_name(manifests: Manifests, name: str) -> Doc:
    return manifests.get("Secret", name)
