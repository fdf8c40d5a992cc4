"""Checks of the deployment files themselves: Dockerfile, compose, workflow, secrets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import render
import yaml
from conftest import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
K8S_BASE = REPO / "deploy" / "k8s" / "base"


def _stages() -> dict[str, str]:
    """Dockerfile stage name -> its text (FROM line included)."""
    parts = re.split(r"(?m)^(?=FROM )", DOCKERFILE)
    stages = {}
    for part in parts[1:]:
        name = re.match(r"FROM \S+ AS (\S+)", part)
        assert name, part.splitlines()[0]
        stages[name.group(1)] = part
    return stages


def _env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


# --- Dockerfile -------------------------------------------------------------------------


def test_dockerfile_is_the_only_one():
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    dockerfiles = [p for p in tracked if Path(p).name.lower().startswith("dockerfile")]
    assert dockerfiles == ["Dockerfile"]


def test_dockerfile_has_node_python_and_runtime_stages_on_pinned_bases():
    stages = _stages()
    assert list(stages) == ["frontend", "python-deps", "runtime"]
    bases = {n: re.match(r"FROM (\S+)", s).group(1) for n, s in stages.items()}
    assert re.fullmatch(r"node:20\.\d+\.\d+-bookworm-slim", bases["frontend"])
    for stage in ("python-deps", "runtime"):
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", bases[stage])
    assert bases["python-deps"] == bases["runtime"], "the venv must match the runtime Python"


def test_dockerfile_builds_the_frontend_and_installs_the_locked_deps():
    stages = _stages()
    assert "npm ci" in stages["frontend"] and "npm run build" in stages["frontend"]
    assert re.search(r"uv sync --frozen --no-dev --no-install-project", stages["python-deps"])
    assert re.search(r"pip install --no-cache-dir uv==\d+\.\d+\.\d+", stages["python-deps"])


def test_runtime_stage_has_nginx_no_compilers_and_collected_static():
    runtime = _stages()["runtime"]
    assert re.search(r"apt-get install -y --no-install-recommends nginx\b", runtime)
    assert not re.search(r"\b(gcc|g\+\+|build-essential|clang|make)\b", runtime)
    assert "rm -rf /var/lib/apt/lists/*" in runtime
    assert "manage.py collectstatic --noinput" in runtime
    assert "COPY --from=frontend /src/frontend/dist frontend/dist" in runtime
    assert "WEB_ROOT=/app/frontend/dist" in runtime


def test_runtime_runs_as_a_high_uid_with_the_role_entrypoint():
    runtime = _stages()["runtime"]
    user = re.findall(r"(?m)^USER (\d+)(?::(\d+))?$", runtime)
    assert user and int(user[-1][0]) >= 10001
    assert "PYTHONUNBUFFERED=1" in runtime
    assert "LOG_FORMAT=json" in runtime
    assert re.search(r'(?m)^ENTRYPOINT \["docker/entrypoint\.sh"\]$', runtime)
    assert "WORKDIR /app" in runtime


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".git", ".venv", "frontend/node_modules", ".env", "**/secrets.env"} <= ignored
    for needed in ("backend", "docker", "frontend", "pyproject.toml", "uv.lock"):
        assert needed not in ignored


# --- docker compose ---------------------------------------------------------------------


def test_compose_services_and_start_order():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "redis", "migrate", "api", "worker", "web"}
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for role in ("api", "worker"):
        assert services[role]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["web"]["depends_on"]["api"] == {"condition": "service_healthy"}
    for name in ("postgres", "redis", "api", "worker", "web"):
        assert "healthcheck" in services[name], name


def test_compose_worker_can_be_scaled():
    worker = COMPOSE["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert worker["command"] == ["worker"]


def test_compose_uses_the_same_pinned_images_as_kubernetes():
    services = COMPOSE["services"]
    postgres_k8s = yaml.safe_load((K8S_BASE / "postgres.yaml").read_text())
    redis_k8s = yaml.safe_load((K8S_BASE / "redis.yaml").read_text())
    assert (
        services["postgres"]["image"]
        == (postgres_k8s["spec"]["template"]["spec"]["containers"][0]["image"])
    )
    assert (
        services["redis"]["image"]
        == (redis_k8s["spec"]["template"]["spec"]["containers"][0]["image"])
    )
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "pgdata" in COMPOSE["volumes"]


def test_compose_web_is_published_on_80_and_app_roles_read_env():
    services = COMPOSE["services"]
    assert services["web"]["ports"] == ["${WEB_PUBLISH_PORT:-80}:80"]
    for role in ("migrate", "api", "worker", "web"):
        assert services[role]["env_file"] == ".env"
        assert services[role]["read_only"] is True
        assert services[role]["tmpfs"] == ["/tmp"]  # noqa: S108


def test_compose_worker_unpacks_into_its_own_volume_with_the_analysis_limits():
    k8s_config = yaml.safe_load((K8S_BASE / "configmap.yaml").read_text())["data"]
    scratch = COMPOSE["x-app"]["environment"]["ANALYSIS_SCRATCH_DIR"]
    assert scratch == k8s_config["ANALYSIS_SCRATCH_DIR"]
    # Scratch is an anonymous volume: on disk, one per worker container, also under --scale.
    # Uploads are one named volume that the api writes and every worker reads.
    uploads = COMPOSE["x-app"]["environment"]["ANALYSIS_UPLOAD_DIR"]
    assert uploads == k8s_config["ANALYSIS_UPLOAD_DIR"]
    assert COMPOSE["services"]["worker"]["volumes"] == [scratch, f"uploads:{uploads}"]
    assert f"uploads:{uploads}" in COMPOSE["services"]["api"]["volumes"]
    assert "uploads" in COMPOSE["volumes"]
    example = _env_file(REPO / ".env.example")
    limits = {k: v for k, v in k8s_config.items() if k.startswith("ANALYSIS_MAX")}
    assert limits and all(example[k] == v for k, v in limits.items())


def test_env_example_provides_what_the_app_requires():
    example = _env_file(REPO / ".env.example")
    for key in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "DJANGO_SECRET_KEY"):
        assert example[key]
    assert example["POSTGRES_PASSWORD"] == example["DJANGO_SECRET_KEY"] == "change-me"  # noqa: S105
    assert "api" in example["DJANGO_ALLOWED_HOSTS"].split(","), "web reaches the api as `api`"
    app_env = COMPOSE["x-app"]["environment"]
    assert app_env["API_UPSTREAM"] == "http://api:8000"
    assert app_env["REDIS_URL"].startswith("redis://redis:6379/")
    assert app_env["POSTGRES_HOST"] == "postgres"


# --- make and CI ------------------------------------------------------------------------


def test_make_knows_every_deploy_intent():
    text = (REPO / "mk" / "deploy.mk").read_text()
    for target in ("up", "down", "minikube-up", "minikube-load", "doks-up", "test-deploy"):
        assert re.search(rf"(?m)^{re.escape(target)}:.*## ", text), target
    assert re.search(r"(?m)^TEST_TARGETS \+= test-deploy$", text)
    image = (REPO / "mk" / "image.mk").read_text()
    for target in ("image", "image-bases", "image-report", "test-image"):
        assert re.search(rf"(?m)^{re.escape(target)}:.*## ", image), target
    assert re.search(r"(?m)^TEST_TARGETS \+= test-image$", image)


def test_kind_workflow_builds_loads_applies_and_runs_a_job():
    flow = yaml.safe_load((REPO / ".github/workflows/kind.yml").read_text())
    steps = flow["jobs"]["kind"]["steps"]
    text = "\n".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in steps)
    assert any(str(s.get("uses", "")).startswith("helm/kind-action@") for s in steps)
    assert "docker build -t packamal:dev ." in text
    assert "kind load docker-image packamal:dev" in text
    assert 'kubectl apply -k "$OVERLAY"' in text
    assert flow["jobs"]["kind"]["env"]["OVERLAY"] == "deploy/k8s/overlays/minikube"
    assert "/api/dispatch" in text and "completed" in text
    assert flow["permissions"] == {"contents": "read"}


# --- secrets ----------------------------------------------------------------------------


def _tracked() -> list[str]:
    return subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()


# Key material and cloud tokens, anywhere in the repository.
STRONG = [
    re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bdop_v1_[a-f0-9]{64}\b"),  # DigitalOcean personal access token
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),  # GitHub tokens
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),  # Slack tokens
]
# In the deployment files, a credential-like key must hold a placeholder or a reference.
ASSIGNMENT = re.compile(
    r"\b[A-Z_]*(PASSWORD|SECRET_KEY|TOKEN|API_KEYS?)\b[\"']?\s*[:=]\s*[\"']?([^\s\"'#]*)"
)
PLACEHOLDERS = {"", "change-me"}
DEPLOY_FILES = ("Dockerfile", "docker-compose.yml", ".env.example", "deploy/", ".github/")


def test_no_secret_files_are_tracked():
    for path in _tracked():
        name = Path(path).name
        assert name not in (".env", "secrets.env"), path
        assert not name.endswith((".pem", ".key", ".p12", ".pfx", "kubeconfig")), path


def test_no_key_material_or_tokens_in_any_tracked_file():
    found = []
    for path in _tracked():
        file = REPO / path
        if not file.is_file() or file.stat().st_size > 2_000_000:
            continue
        try:
            text = file.read_text()
        except UnicodeDecodeError:
            continue
        found += [f"{path}: {p.pattern}" for p in STRONG if p.search(text)]
    assert found == []


@pytest.mark.parametrize("owned", DEPLOY_FILES)
def test_deployment_files_hold_only_placeholders_or_references(owned: str):
    paths = [p for p in _tracked() if p == owned or (owned.endswith("/") and p.startswith(owned))]
    assert paths, owned
    leaks = []
    for path in paths:
        if path.startswith("deploy/tests/"):
            continue  # the patterns above, not values
        for number, line in enumerate((REPO / path).read_text().splitlines(), 1):
            for match in ASSIGNMENT.finditer(line):
                value = match.group(2)
                if value in PLACEHOLDERS or value.startswith(("${", "$(", "$$", "{")):
                    continue
                leaks.append(f"{path}:{number}: {line.strip()}")
    assert leaks == []


def test_real_secret_files_are_git_ignored():
    for path in (
        ".env",
        "deploy/k8s/overlays/minikube/secrets.env",
        "deploy/k8s/overlays/doks/secrets.env",
    ):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, check=False)
        assert ignored.returncode == 0, path


def test_wrap_adds_config_entries_such_as_the_npm_registry(tmp_path: Path):
    root = render.scratch_copy(tmp_path)
    registry = "https://registry.example/"  # an example host: the Makefile asks npm for it
    out = render.wrap(
        overlay="minikube",
        out_dir=root / "wrap",
        components=[],
        image=None,
        allowed_hosts=["192.0.2.10"],
        config={"npm_config_registry": registry},
        k8s_dir=root,
    )
    rendered = subprocess.run(
        [render.kubectl(), "kustomize", str(out.parent)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (config,) = [d for d in yaml.safe_load_all(rendered) if d and d["kind"] == "ConfigMap"]
    assert config["data"]["npm_config_registry"] == registry
    assert config["data"]["DJANGO_ALLOWED_HOSTS"].endswith(",192.0.2.10")
    assert "npm config get registry" in (REPO / "mk" / "deploy.mk").read_text()
