"""The CI integrations as they are written: the pre-commit hook run by pre-commit itself on a
temporary git repository, and the GitHub Action's `run:` steps (action.yml) executed as a
runner executes them (bash -eo pipefail, `env:` expressions, $GITHUB_OUTPUT), on a temporary
repository with lockfiles, against the real registries."""

from __future__ import annotations

import json
import os
import re
import subprocess
import venv
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import archives
from .test_sarif import REV, VALIDATOR

# Long (runs pre-commit and the Action's steps in fresh virtualenvs):
# make test runs it, make check leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
NO_SUCH = "packamal-no-such-package-4f1c9e"

PACKAGE_LOCK = {
    "name": "web",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "web", "version": "1.0.0", "dependencies": {"is-number": "7.0.0"}},
        "node_modules/is-number": {"version": "7.0.0"},
    },
}


def _git(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )


def _base_env(tmp: Path) -> dict[str, str]:
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        XDG_CACHE_HOME=str(tmp / "cache"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
    )
    return env


# --- pre-commit ---------------------------------------------------------------------------


@pytest.mark.timeout(1800)
def test_the_pre_commit_hook_scans_the_lockfiles_a_commit_changes(tmp_path: Path) -> None:
    rev = _git(ROOT, "rev-parse", "HEAD").stdout.strip()
    assert _git(ROOT, "cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml").returncode == 0, (
        "the hook runs from a commit: commit .pre-commit-hooks.yaml first"
    )
    env = _base_env(tmp_path)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    repo = tmp_path / "project"
    repo.mkdir()
    assert _git(repo, "init", "-q", "-b", "main").returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": str(ROOT), "rev": rev, "hooks": [{"id": "packamal"}]}]})
    )
    install = subprocess.run(
        ["pre-commit", "install"], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert install.returncode == 0, install.stderr

    def commit(files: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text)
        _git(repo, "add", "-A", env=env)
        return _git(repo, "commit", "-q", "-m", message, env=env)

    # Not a lockfile: the hook is skipped (and its environment is built on first use).
    first = commit({"README.md": "hello\n"}, "readme")
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"packamal \(lockfiles\)\.+\(no files to check\)Skipped", first.stderr)

    # A clean pinned version: scanned, and the commit goes through.
    clean = commit({"requirements.txt": "idna==3.7\n"}, "pin idna")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"packamal \(lockfiles\)\.+Passed", clean.stderr)
    assert _git(repo, "log", "--format=%s", "-1").stdout.strip() == "pin idna"

    # A pinned version that cannot be analysed (no such package): the commit is refused, with
    # the reason.
    refused = commit({"web/requirements-dev.txt": f"{NO_SUCH}==1.0\n"}, "pin nothing")
    assert refused.returncode == 1
    assert re.search(r"packamal \(lockfiles\)\.+Failed", refused.stderr)
    assert "- exit code: 1" in refused.stderr
    assert f"packamal: pkg:pypi/{NO_SUCH}@1.0: No such package: pkg:pypi/{NO_SUCH}" in (
        refused.stderr
    )
    assert _git(repo, "log", "--format=%s", "-1").stdout.strip() == "pin idna"


# --- the GitHub Action --------------------------------------------------------------------

_EXPR = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def _evaluate(value: str, context: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        assert key in context, f"action.yml uses {key!r}, which the test does not provide"
        return context[key]

    return _EXPR.sub(one, value)


def run_action(
    repo: Path, runner: Path, env: dict[str, str], inputs: dict[str, str]
) -> tuple[dict[str, str], list[tuple[str, int]], dict[str, Any]]:
    """(the scan step's outputs, (step name, exit status) per run step, the upload's `with`)."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    context = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    context |= {f"inputs.{k}": v for k, v in inputs.items()}
    context["github.action_path"] = str(ROOT)
    outputs: dict[str, str] = {}
    statuses: list[tuple[str, int]] = []
    upload: dict[str, Any] = {}
    for step in action["runs"]["steps"]:
        if "uses" in step:
            name = step["uses"].split("@")[0]
            assert name in {"actions/setup-python", "github/codeql-action/upload-sarif"}, name
            if name == "github/codeql-action/upload-sarif":
                upload = {k: _evaluate(str(v), context) for k, v in step["with"].items()}
            else:  # the runner's Python: a fresh virtualenv, first on PATH
                assert _evaluate(step["with"]["python-version"], context) == "3.11"
            continue
        assert step["shell"] == "bash" and "if" not in step
        step_env = {**env, **{k: _evaluate(str(v), context) for k, v in step["env"].items()}}
        output_file = runner / f"output-{len(statuses)}"
        output_file.write_text("")
        step_env["GITHUB_OUTPUT"] = str(output_file)
        step_env["GITHUB_ACTION_PATH"] = str(ROOT)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=repo,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        statuses.append((step["name"], proc.returncode))
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if step.get("id"):
                outputs[key] = value
                context[f"steps.{step['id']}.outputs.{key}"] = value
    return outputs, statuses, upload


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("runner")
    venv.EnvBuilder(with_pip=True).create(base / "python")
    env = _base_env(base)
    env["PATH"] = f"{base / 'python' / 'bin'}{os.pathsep}/usr/local/bin:/usr/bin:/bin"
    return base, env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    (repo / "web").mkdir(parents=True)
    (repo / "requirements.txt").write_text("idna==3.7\nrequests>=2\n")
    (repo / "web" / "package-lock.json").write_text(json.dumps(PACKAGE_LOCK))
    # Installed trees are not the repository's lockfiles: never scanned.
    (repo / "web" / "node_modules" / "x").mkdir(parents=True)
    (repo / "web" / "node_modules" / "x" / "package-lock.json").write_text("{not json")
    (repo / ".venv").mkdir()
    (repo / ".venv" / "requirements.txt").write_text(f"{NO_SUCH}==1.0\n")
    return repo


@pytest.mark.timeout(1800)
def test_the_action_scans_every_lockfile_and_writes_valid_sarif(
    runner: tuple[Path, dict[str, str]], project: Path
) -> None:
    base, env = runner
    outputs, statuses, upload = run_action(project, base, env, {})
    assert statuses == [("Install the scanner", 0), ("Scan", 0), ("Verdict", 0)]
    assert outputs == {"sarif-file": "packamal.sarif", "exit-code": "0"}
    assert upload == {"sarif_file": "packamal.sarif", "category": "packamal"}
    log = json.loads((project / "packamal.sarif").read_text())
    VALIDATOR.validate(log)
    (run,) = log["runs"]
    assert [p["purl"] for p in run["properties"]["packages"]] == [
        "pkg:pypi/idna@3.7",
        "pkg:npm/is-number@7.0.0",
    ]
    for result in run["results"]:  # a lockfile's package is reported at the lockfile
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri in {"requirements.txt", "web/package-lock.json"}


@pytest.mark.timeout(1800)
def test_the_action_fails_the_job_when_a_package_reaches_fail_on(
    runner: tuple[Path, dict[str, str]], project: Path
) -> None:
    base, env = runner
    archives.tar_gz(
        project / "bad-1.0.tar.gz",
        {
            "bad-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n",
            "bad-1.0/setup.py": (
                "from setuptools import setup\nimport os\nos.system('" + REV + "')\n"
            ).encode(),
        },
    )
    inputs = {"paths": "bad-1.0.tar.gz requirements.txt", "sarif-file": "out/scan.sarif"}
    (project / "out").mkdir()
    outputs, statuses, upload = run_action(project, base, env, inputs)
    assert statuses == [("Install the scanner", 0), ("Scan", 0), ("Verdict", 3)]
    assert outputs == {"sarif-file": "out/scan.sarif", "exit-code": "3"}
    assert upload["sarif_file"] == "out/scan.sarif"
    log = json.loads((project / "out" / "scan.sarif").read_text())
    VALIDATOR.validate(log)
    packages = {p["purl"]: p["verdict"] for p in log["runs"][0]["properties"]["packages"]}
    assert packages == {"pkg:pypi/bad@1.0": "malicious", "pkg:pypi/idna@3.7": "clean"}
    bad = [r for r in log["runs"][0]["results"] if r["properties"]["package"] == "pkg:pypi/bad@1.0"]
    assert any(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad-1.0/setup.py"
        for r in bad
    )


def test_the_documented_commands_are_the_actions() -> None:
    """docs/ci.md quotes the Action's scan command and the hook's entry as they are."""
    docs = (ROOT / "docs" / "ci.md").read_text()
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert f"`{hooks[0]['entry']}`" in docs
    assert (
        "`packamal scan --lockfiles-in . --fail-on malicious --format sarif --output"
        " packamal.sarif`" in docs
    )
    scan = next(
        s
        for s in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
        if s.get("id") == "scan"
    )
    assert 'packamal scan "${targets[@]}" --fail-on "$FAIL_ON" --format sarif' in scan["run"]
    assert "targets=(--lockfiles-in .)" in scan["run"]
