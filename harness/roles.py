"""Roles as processes: docker/entrypoint.sh ROLE with one environment function, started,
watched and stopped the same way by tests, `make dev`, the benchmarks and the e2e stack."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from .services import REPO

ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
VENV_BIN = REPO / ".venv" / "bin"

# What a throwaway run needs that production gets from its secrets and config.
THROWAWAY = {
    "DJANGO_SECRET_KEY": "throwaway-not-a-secret",
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "*",
    "DISPATCH_RATE_LIMIT": "0",
    "DISPATCH_JOB_RATE_LIMIT": "0",
    "LOG_FORMAT": "text",
}


@dataclass(frozen=True)
class Keys:
    """The Redis names one use of the system owns (settings JOB_QUEUE and friends)."""

    queue: str
    dead_letter: str
    channel: str

    @property
    def workers(self) -> str:
        return f"{self.queue}:workers"

    @property
    def owed(self) -> str:
        return f"{self.queue}:owed"

    def processing(self, worker: str) -> str:
        return f"{self.queue}:processing:{worker}"

    def env(self) -> dict[str, str]:
        return {
            "JOB_QUEUE": self.queue,
            "JOB_DEAD_LETTER": self.dead_letter,
            "JOB_UPDATES_CHANNEL": self.channel,
        }


def keys(namespace: str | None = None) -> Keys:
    """The defaults (None), or names of the namespace's own: pub/sub channels are global to
    a Redis server, so two uses on one server never hear each other's job events."""
    if namespace is None:
        return Keys("packamal:jobs", "packamal:jobs:dead", "job_updates")
    return Keys(
        f"packamal:{namespace}:jobs", f"packamal:{namespace}:jobs:dead", f"job_updates:{namespace}"
    )


def role_env(
    *,
    database_url: str | None,
    redis_url: str | None,
    namespace: str | None = None,
    base: Mapping[str, str] | None = None,
    **overrides: object,
) -> dict[str, str]:
    """The environment of a role started through docker/entrypoint.sh.

    `base` defaults to this process's environment plus THROWAWAY; pass the environment a
    manifest gives a container to test that instead. The queue names and the channel always
    come from `namespace`, never from whatever the caller's shell exported.
    """
    env = {**os.environ, **THROWAWAY} if base is None else dict(base)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH') or os.environ.get('PATH', os.defpath)}"
    env["PYTHONUNBUFFERED"] = "1"
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(keys(namespace).env())
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class Process:
    """A child in its own process group; its output goes to `log`, to `on_line` a line at a
    time, or is kept in `lines`. Everything still running is stopped at interpreter exit."""

    live: ClassVar[list[Process]] = []

    def __init__(
        self,
        argv: Sequence[str | Path],
        env: Mapping[str, str],
        *,
        name: str = "",
        log: Path | None = None,
        on_line: Callable[[str], None] | None = None,
        **popen: Any,
    ) -> None:
        self.name = name or Path(argv[0]).name
        self.log_path = log
        self.lines: list[str] = []
        self._on_line = on_line
        out: Any = subprocess.PIPE
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            out = log.open("ab")
        self.proc = subprocess.Popen(
            [str(a) for a in argv],
            env=dict(env),
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own: a kill reaches what it started
            text=True,
            **popen,
        )
        if log is not None:
            out.close()  # the child holds its own copy
        self._reader = threading.Thread(target=self._read, daemon=True)
        if log is None:
            self._reader.start()
        Process.live.append(self)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if self._on_line:
                self._on_line(line)
            else:
                self.lines.append(line)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def output(self) -> str:
        if self.log_path is not None:
            return self.log_path.read_text(errors="replace")
        return "".join(self.lines)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_for_line(self, needle: str, timeout: float = 20) -> str:
        """The first output line containing needle; fails at once if the process exits
        first, and after timeout; the error carries the output as it is then."""
        return wait_ready(
            lambda: next((ln for ln in self.output.splitlines(True) if needle in ln), None),
            f"{needle!r} in the output of {self.name}",
            self,
            timeout=timeout,
        )

    def signal(self, sig: int) -> None:
        """To the process itself (as Kubernetes signals a container's PID 1)."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(sig)

    def signal_group(self, sig: int) -> None:
        """To the process and everything it started."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def wait(self, timeout: float | None = None) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> int | None:
        """SIGKILL the group: no handler runs, as when a node dies."""
        self.signal_group(signal.SIGKILL)
        return self.stop(10)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, then SIGKILL the group when it has not exited in time; the exit status."""
        if self.alive():
            self.signal(signal.SIGTERM)
            if self.wait(timeout) is None:
                self.signal_group(signal.SIGKILL)
                self.wait()
        self.signal_group(signal.SIGKILL)  # stragglers of the group
        if self._reader.is_alive():
            self._reader.join(timeout=5)
        if self in Process.live:
            Process.live.remove(self)
        return self.proc.returncode


class Role(Process):
    """`docker/entrypoint.sh ROLE ARGS...`, as the image runs it."""

    def __init__(self, role: str, *args: str, env: Mapping[str, str], **kw: Any) -> None:
        kw.setdefault("name", role)
        super().__init__([ENTRYPOINT, role, *args], env, **kw)
        self.role = role


def run_role(
    role: str, *args: str, env: Mapping[str, str], timeout: float = 180, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """Run a role to its end (migrate, worker --burst, worker-healthcheck); output captured."""
    return subprocess.run(
        [str(ENTRYPOINT), role, *args],
        env=dict(env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kw,
    )


def migrate(env: Mapping[str, str], *args: str) -> None:
    """Create or update the schema with the project's own migrate role."""
    done = run_role("migrate", *args, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{done.stdout}\n{done.stderr}")


@atexit.register
def stop_all(timeout: float = 5) -> None:
    """Stop every process still running (also at interpreter exit)."""
    for proc in list(Process.live):
        proc.stop(timeout)


T = TypeVar("T")


def wait_until(
    fn: Callable[[], T | None],
    timeout: float = 20,
    what: str = "condition",
    *,
    interval: float = 0.05,
) -> T:
    """Poll fn() until it returns something truthy, and return that; TimeoutError after."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# How long a process may take to come up. Generous: on a loaded 2-core machine starting
# Django, uvicorn or nginx can take many seconds; a process that exits meanwhile fails the
# wait at once, so a broken start costs no more time than before.
STARTUP_SECONDS = float(os.environ.get("PACKAMAL_STARTUP_SECONDS") or 120)


def wait_ready(
    check: Callable[[], T | None],
    what: str,
    *procs: Process,
    timeout: float = STARTUP_SECONDS,
    interval: float = 0.1,
) -> T:
    """Poll check() until it returns something truthy, and return that. Fails at once when
    one of `procs` has exited, else after `timeout`; the error shows each one's output as it
    is at that moment (not as it was when the wait began)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        dead = next((p for p in procs if not p.alive()), None)
        if dead is not None or time.monotonic() > deadline:
            why = (
                f"{dead.name} exited with {dead.proc.returncode}"
                if dead is not None
                else f"not ready after {timeout:.0f}s"
            )
            outputs = "".join(f"\n--- {p.name} ---\n{p.output[-8000:]}" for p in procs)
            raise TimeoutError(f"waiting for {what}: {why}{outputs}")
        time.sleep(interval)
