"""The scanner as users get it: `make dist`, `pip install` of the wheel into a fresh virtualenv
(nothing of the repository on its path), then the `packamal` command on a local archive with
the network closed, and on a package URL from the real registry."""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import pytest

from package_analysis.analysis.engine import RULES_VERSION

from . import archives
from .test_sarif import REV

# Long (builds the wheel and installs it into a fresh virtualenv):
# make test runs it, make check leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
CLOSED = "http://127.0.0.1:9"  # the discard port: any network use fails at once


def _run(cmd: list[str], *, env: dict[str, str], cwd: Path, timeout: int = 600) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{cmd}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _clean_env(home: Path) -> dict[str, str]:
    """The machine's registry settings (PIP_*, certificates), none of the repository's."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    env["XDG_CACHE_HOME"] = str(home / "cache")
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(the virtualenv's bin folder, its environment) with the freshly built wheel in it."""
    base = tmp_path_factory.mktemp("dist")
    env = _clean_env(base)
    dist = base / "dist"
    make_env = {**os.environ, "DIST_DIR": str(dist)}
    make_env.pop("MAKEFLAGS", None)
    _run(["make", "-s", "dist", f"DIST_DIR={dist}"], env=make_env, cwd=ROOT)
    (wheel,) = dist.glob("packamal_scanner-*-py3-none-any.whl")
    assert len(list(dist.glob("packamal_scanner-*.tar.gz"))) == 1
    venv.EnvBuilder(with_pip=True).create(base / "venv")
    bin_dir = base / "venv" / "bin"
    _run([str(bin_dir / "pip"), "install", "--quiet", str(wheel)], env=env, cwd=base, timeout=900)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return bin_dir, env


@pytest.mark.timeout(1200)
def test_the_wheel_installs_only_what_scanning_needs(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    names = {
        d["name"].lower()
        for d in json.loads(
            _run([str(bin_dir / "pip"), "list", "--format", "json"], env=env, cwd=tmp_path)
        )
    }
    assert "packamal-scanner" in names and "yara-x" in names
    assert not names & {"django", "redis", "django-ninja", "psycopg", "hiredis", "celery"}
    where = _run(
        [str(bin_dir / "python"), "-c", "import package_analysis.analysis as a; print(a.__file__)"],
        env=env,
        cwd=tmp_path,
    )
    assert where.startswith(str(bin_dir.parent)) and str(ROOT) not in where
    # The same rules as this checkout: the version hashes the rule files the wheel carries.
    assert _run(["packamal", "--version"], env=env, cwd=tmp_path).strip() == (
        f"packamal 0.1.0 (rules {RULES_VERSION})"
    )


@pytest.mark.timeout(1200)
def test_the_installed_command_scans_a_local_archive_offline(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _bin_dir, env = installed
    archives.tar_gz(
        tmp_path / "bad-1.0.tar.gz",
        {
            "bad-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n",
            "bad-1.0/setup.py": (
                "from setuptools import setup\nimport os\nos.system('" + REV + "')\n"
            ).encode(),
        },
    )
    offline = {**env, "HTTP_PROXY": CLOSED, "HTTPS_PROXY": CLOSED, "ALL_PROXY": CLOSED}
    offline["PIP_INDEX_URL"] = offline["npm_config_registry"] = CLOSED
    proc = subprocess.run(
        ["packamal", "scan", "bad-1.0.tar.gz"],
        cwd=tmp_path,
        env=offline,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["package"]["purl"], report["verdict"]) == ("pkg:pypi/bad@1.0", "malicious")
    assert any(f["file"] == "bad-1.0/setup.py" and f["line"] == 3 for f in report["findings"])
    assert report["rules_version"] == RULES_VERSION


@pytest.mark.timeout(1200)
def test_the_installed_command_scans_a_purl_from_the_registry(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _bin_dir, env = installed
    proc = subprocess.run(
        ["packamal", "scan", "pkg:pypi/idna@3.7"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["package"]["purl"], report["verdict"]) == ("pkg:pypi/idna@3.7", "clean")
    # The sdist and a wheel, both downloaded from the registry and scanned.
    kinds = sorted(a["filename"].rsplit(".", 1)[-1] for a in report["artifacts"])
    assert kinds == ["gz", "whl"]
    assert report["rules_version"] == RULES_VERSION


@pytest.mark.timeout(1200)
def test_the_scan_role_runs_the_installed_wheel(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """As in the image (whose Dockerfile installs the wheel `make dist` builds): with the
    distribution installed, `entrypoint.sh scan` puts nothing of backend/ on the path."""
    bin_dir, env = installed
    seen = tmp_path / "pythonpath.txt"
    wrapper = tmp_path / "python"
    wrapper.write_text(
        f'#!/bin/sh\nprintf "%s" "${{PYTHONPATH:-}}" > {seen}\nexec {bin_dir / "python"} "$@"\n'
    )
    wrapper.chmod(0o755)
    archives.sdist(tmp_path / "demo_pkg-1.2.3.tar.gz")
    proc = subprocess.run(
        [str(ROOT / "docker" / "entrypoint.sh"), "scan", "demo_pkg-1.2.3.tar.gz"],
        cwd=tmp_path,
        env={**env, "PYTHON": str(wrapper)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["package"]["purl"] == "pkg:pypi/demo-pkg@1.2.3"
    assert seen.read_text() == ""
