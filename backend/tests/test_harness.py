"""The process harness names what the roles use: its queue names must be the ones the
worker derives, and a shell's exports must not leak into a role's environment."""

from __future__ import annotations

import subprocess
import sys

import pytest

import harness
from package_analysis import broker

from .conftest import KEYS, role_env


def test_the_harness_and_the_worker_derive_the_same_redis_names() -> None:
    # The autouse fixture set this run's names in settings, as role_env gives them to roles.
    worker = broker.keys()
    assert (worker.queue, worker.dead, worker.channel) == (
        KEYS.queue,
        KEYS.dead_letter,
        KEYS.channel,
    )
    assert (worker.workers, worker.owed, worker.processing("w1")) == (
        KEYS.workers,
        KEYS.owed,
        KEYS.processing("w1"),
    )


def test_no_namespace_means_the_settings_defaults() -> None:
    env = role_env()
    for name in ("JOB_QUEUE", "JOB_DEAD_LETTER", "JOB_UPDATES_CHANNEL"):
        del env[name]
    read = (
        "from django.conf import settings as s; "
        "print(s.JOB_QUEUE, s.JOB_DEAD_LETTER, s.JOB_UPDATES_CHANNEL)"
    )
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {read}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "packamal.settings", "PYTHONPATH": "backend"},
        cwd=harness.REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    defaults = harness.keys()
    assert done.stdout.split() == [defaults.queue, defaults.dead_letter, defaults.channel]


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        (None, ("packamal:jobs", "packamal:jobs:dead", "job_updates")),
        ("e2e-7", ("packamal:e2e-7:jobs", "packamal:e2e-7:jobs:dead", "job_updates:e2e-7")),
    ],
)
def test_a_role_gets_its_namespace_whatever_the_shell_exported(
    monkeypatch: pytest.MonkeyPatch, namespace: str | None, expected: tuple[str, str, str]
) -> None:
    monkeypatch.setenv("JOB_QUEUE", "someone:else")
    monkeypatch.setenv("JOB_UPDATES_CHANNEL", "someone_else")
    env = harness.role_env(database_url=None, redis_url=None, namespace=namespace)
    assert (env["JOB_QUEUE"], env["JOB_DEAD_LETTER"], env["JOB_UPDATES_CHANNEL"]) == expected
    assert env["PATH"].split(":")[0] == str(harness.VENV_BIN)
