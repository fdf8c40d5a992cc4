"""The Dockerfile's python-deps stage, run here: the locked runtime dependencies alone
(no dev group) must be enough to load the app, serve it and collect its static files."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

UV = REPO / ".tools" / "bin" / "uv"


@pytest.fixture(scope="module")
def runtime_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not UV.exists():
        pytest.skip("uv is installed by `make setup` (.tools/bin/uv)")
    dockerfile = (REPO / "Dockerfile").read_text()
    command = re.search(r"RUN (uv sync [^\n]+)", dockerfile)
    assert command, "the python-deps stage runs `uv sync`"
    venv = tmp_path_factory.mktemp("runtime") / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv), "UV_PYTHON_DOWNLOADS": "never"}
    done = subprocess.run(
        [str(UV), *command.group(1).split()[1:]],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return venv


def _python(venv: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), *args],
        cwd=REPO / "backend",
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": "/nonexistent", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_runtime_deps_exclude_the_dev_tools(runtime_venv: Path):
    for tool in ("pytest", "mypy", "ruff", "kubectl"):
        assert not (runtime_venv / "bin" / tool).exists(), tool


def test_runtime_deps_load_every_role(runtime_venv: Path):
    code = (
        "import django; django.setup();"
        "import packamal.asgi, uvicorn, whitenoise, package_analysis.worker,"
        "package_analysis.tasks.analyze_run"
    )
    done = _python(
        runtime_venv, "-c", code, DJANGO_SETTINGS_MODULE="packamal.settings", DJANGO_DEBUG="1"
    )
    assert done.returncode == 0, done.stderr


def test_runtime_deps_collect_the_admin_static_files(runtime_venv: Path):
    done = _python(
        runtime_venv, "manage.py", "collectstatic", "--noinput", "--dry-run", DJANGO_DEBUG="1"
    )
    assert done.returncode == 0, done.stderr
    assert "static files copied" in done.stdout
    found = _python(runtime_venv, "manage.py", "findstatic", "admin/css/base.css", DJANGO_DEBUG="1")
    assert found.returncode == 0, found.stderr
