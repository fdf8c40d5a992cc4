"""Private PostgreSQL and Redis servers on spare loopback ports, for chaos runs and benchmarks.

Never touches the machine's shared servers (5432, 6379): each server here lives in its own
temporary directory, listens on a port picked free at start, and can be killed and restarted
by the harness. Everything started is stopped at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, *, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
    """Block until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def _demote_to(user: str) -> tuple[list[str], int | None]:
    """Prefix that runs a command as `user` when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return [], None
    return ["runuser", "-u", user, "--"], pwd.getpwnam(user).pw_uid


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster: trust auth, loopback only, database `packamal`."""

    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="packamal-pg-")))
    user: str = "postgres"
    db: str = "packamal"
    fsync: bool = True

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{self.db}"

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={self.db}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix, _ = _demote_to("postgres")
        return subprocess.run(
            [*prefix, *args], check=check, capture_output=True, text=True, cwd=self.root
        )

    def init(self) -> Postgres:
        _, uid = _demote_to("postgres")
        if uid is not None:
            os.chown(self.root, uid, -1)
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        conf = self.datadir / "postgresql.conf"
        with conf.open("a") as f:
            f.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\nmax_connections = 300\n"
                f"fsync = {'on' if self.fsync else 'off'}\n"
                "shared_buffers = 128MB\nlog_min_messages = warning\n"
            )
        self.start()
        self._run(
            str(PG_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            self.user,
            self.db,
        )
        return self

    def start(self) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        wait_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; `immediate` is the crash-like stop (no checkpoint)."""
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-m",
            mode,
            "-w",
            "-t",
            "60",
            "stop",
            check=False,
        )

    def running(self) -> bool:
        return (
            self._run(
                str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "status", check=False
            ).returncode
            == 0
        )

    def destroy(self) -> None:
        if self.datadir.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Redis:
    """A throwaway redis-server with no persistence, which can be killed and brought back."""

    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="packamal-redis-")))
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        log = (self.root / "redis.log").open("ab")
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
                "--maxclients",
                "2000",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_port(self.port)
        return self

    def kill(self) -> None:
        """SIGKILL: everything in memory is gone, as with a pod that dies without persistence."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.kill()
        time.sleep(down_seconds)
        self.start()

    def destroy(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


class Services:
    """One private PostgreSQL and one private Redis, stopped when the interpreter exits."""

    def __init__(self, *, fsync: bool = True) -> None:
        self.pg = Postgres(fsync=fsync).init()
        self.redis = Redis().start()
        atexit.register(self.close)

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.pg.url, "REDIS_URL": self.redis.url}

    def close(self) -> None:
        self.redis.destroy()
        self.pg.destroy()


if __name__ == "__main__":
    s = Services()
    print(s.env())
    s.redis.restart(0.2)
    s.pg.stop("immediate")
    s.pg.start()
    print("restart ok")
