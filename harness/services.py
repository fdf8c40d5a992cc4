"""PostgreSQL and Redis for tests, `make dev`, benchmarks and e2e: found, or started throwaway.

`ensure()` finds the servers a run should use (DATABASE_URL / REDIS_URL, else localhost's
standard ports) or starts local ones under `.dev/` that stay up between runs. `Postgres`
and `Redis` are private servers on spare ports in temporary directories, which the chaos
suite kills and restarts; `Services` is one of each, removed when the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, cast
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / ".dev"
LOCAL_PG_PORT = 55432
LOCAL_REDIS_PORT = 56379
# The Redis db a use flushes (its keys and channel are its own anyway, see roles.keys).
# e2e and the smoke test share the tests' db: `make test` runs them one after another.
# PACKAMAL_<USE>_REDIS_DB moves one; parallel checkouts set PACKAMAL_TEST_REDIS_DB apart.
REDIS_DBS = {"dev": 0, "test": 15}


def say(message: str) -> None:
    print(f"harness: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_port(port: int, *, timeout: float = 60.0, host: str = "127.0.0.1") -> None:
    """Block until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def with_path(url: str, path: str | int) -> str:
    """The URL with another database name (PostgreSQL) or db number (Redis)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{path}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "packamal"


def pg_answers(url: str) -> bool:
    try:
        with psycopg.connect(with_path(url, "postgres"), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def redis_db(use: str) -> int:
    """The Redis db number of a use (dev, test, e2e, smoke)."""
    configured = os.environ.get(f"PACKAMAL_{use.upper()}_REDIS_DB")
    if configured:
        return int(configured)
    return REDIS_DBS[use] if use in REDIS_DBS else redis_db("test")


def redis_clear(url: str, pattern: str) -> int:
    """Delete the keys matching pattern (not the whole db, which others may share)."""
    client = redis.Redis.from_url(url)
    try:
        names = list(client.scan_iter(match=pattern, count=1000))
        return cast(int, client.delete(*names)) if names else 0
    finally:
        client.close()


def database_create(url: str, *, fresh: bool = False) -> None:
    """Create the URL's database when missing; `fresh` drops it first (with its sessions)."""
    name = database_name(url)
    with psycopg.connect(with_path(url, "postgres"), autocommit=True, connect_timeout=5) as conn:
        if fresh:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(url: str) -> None:
    name = database_name(url)
    with psycopg.connect(with_path(url, "postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# The evaluation samples (real malware, read-only) live beside the checkout, never in it.
SAMPLES_CANDIDATES = (REPO.parent / "shared" / "samples", REPO.parent.parent / "shared" / "samples")


def samples_dir() -> Path | None:
    """PACKAMAL_SAMPLES, else ../shared/samples beside the checkout (or beside the folder of
    a worktree's checkout); None when this machine has no samples."""
    if os.environ.get("PACKAMAL_SAMPLES"):
        return Path(os.environ["PACKAMAL_SAMPLES"])
    return next((p for p in SAMPLES_CANDIDATES if p.is_dir()), None)


def pg_bin() -> Path:
    """The bin directory of the newest installed PostgreSQL (PG_BIN overrides)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")  # Debian/Ubuntu: one dir a version

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", Path(path).parts[-3]))

    if found:
        return Path(max(found, key=version)).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    sys.exit(
        "harness: no PostgreSQL binaries found (apt-get install -y postgresql), "
        "or set DATABASE_URL (or PG_BIN)"
    )


def _demote_to(user: str) -> tuple[list[str], int | None]:
    """Prefix that runs a command as `user` when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return [], None
    return ["runuser", "-u", user, "--"], pwd.getpwnam(user).pw_uid


@dataclass
class Postgres:
    """A PostgreSQL cluster of our own: trust auth, loopback only, database `db`."""

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

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix, _ = _demote_to("postgres")
        return subprocess.run(
            [*prefix, *args], check=check, capture_output=True, text=True, cwd=self.root
        )

    def init(self) -> Postgres:
        """initdb (unless the cluster exists), start, and create the database."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.datadir / "PG_VERSION").exists():
            _, uid = _demote_to("postgres")
            if uid is not None:
                os.chown(self.root, uid, -1)
            self._run(
                *(str(pg_bin() / "initdb"), "-D", str(self.datadir), "-U", self.user),
                *("--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
            )
            with (self.datadir / "postgresql.conf").open("a") as f:
                f.write(
                    f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.root}'\nmax_connections = 300\n"
                    f"fsync = {'on' if self.fsync else 'off'}\n"
                    "shared_buffers = 128MB\nlog_min_messages = warning\n"
                )
        self.start()
        database_create(self.url)
        return self

    def start(self) -> None:
        log = str(self.root / "server.log")
        self._run(
            str(pg_bin() / "pg_ctl"), "-D", str(self.datadir), "-l", log, "-w", "-t", "60", "start"
        )
        wait_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; `immediate` is the crash-like stop (no checkpoint)."""
        pg_ctl = str(pg_bin() / "pg_ctl")
        self._run(
            pg_ctl, "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop", check=False
        )

    def running(self) -> bool:
        status = self._run(str(pg_bin() / "pg_ctl"), "-D", str(self.datadir), "status", check=False)
        return status.returncode == 0

    def destroy(self) -> None:
        if self.datadir.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Redis:
    """A redis-server of our own with no persistence, which can be killed and brought back."""

    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="packamal-redis-")))
    proc: subprocess.Popen[bytes] | None = None
    OPTIONS: ClassVar[list[str]] = ["--appendonly", "no", "--maxclients", "2000"]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        server = shutil.which("redis-server")
        if server is None:
            sys.exit("harness: redis-server is not installed (apt-get install -y redis-server)")
        self.root.mkdir(parents=True, exist_ok=True)
        log = (self.root / "redis.log").open("ab")
        self.proc = subprocess.Popen(
            [
                server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--dir",
                str(self.root),
                *self.OPTIONS,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives `harness ensure`; our signals only by intent
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
    """One private PostgreSQL and one private Redis, removed when the interpreter exits."""

    def __init__(self, *, fsync: bool = True) -> None:
        self.pg = Postgres(fsync=fsync).init()
        self.redis = Redis().start()
        atexit.register(self.close)

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.pg.url, "REDIS_URL": self.redis.url}

    def close(self) -> None:
        self.redis.destroy()
        self.pg.destroy()


def ensure(*, database: str | None = None, redis_db: int | None = None) -> tuple[str, str]:
    """(DATABASE_URL, REDIS_URL) to use: the configured ones, localhost's, or local throwaway
    ones under .dev/ (left running for the next run). The database exists afterwards."""
    db_url = _find("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/packamal", pg_answers)
    if database:
        db_url = with_path(db_url, database)
    database_create(db_url)
    redis_url = _find("REDIS_URL", "redis://127.0.0.1:6379/0", redis_answers)
    if redis_db is not None:
        redis_url = with_path(redis_url, redis_db)
    return db_url, redis_url


def _find(variable: str, standard: str, answers: Callable[[str], bool]) -> str:
    """The URL in `variable` (which must answer), else `standard` when it answers, else
    the throwaway server under .dev/, started when it is not running."""
    configured = os.environ.get(variable)
    if configured:
        if not answers(configured):
            sys.exit(f"harness: {variable} is set but nothing answers at {configured}")
        return configured
    if answers(standard):
        return standard
    server: Postgres | Redis
    if variable == "DATABASE_URL":
        server = Postgres(port=LOCAL_PG_PORT, root=DEV / "postgres")
    else:
        server = Redis(port=LOCAL_REDIS_PORT, root=DEV / "redis")
    if not answers(server.url):
        say(f"nothing answers at {standard}: starting a throwaway server in {server.root}")
        server.init() if isinstance(server, Postgres) else server.start()
    return server.url


def fresh(use: str, *, flush: bool = True) -> tuple[str, str]:
    """For a test run named `use`: a new empty database `<configured name>_<use>` and the
    use's Redis db, flushed unless `flush` is False. Returns (DATABASE_URL, REDIS_URL)."""
    db_url, redis_url = ensure(redis_db=redis_db(use))
    db_url = with_path(db_url, f"{database_name(db_url)}_{use}")
    database_create(db_url, fresh=True)
    if flush:
        redis.Redis.from_url(redis_url).flushdb()
    return db_url, redis_url
