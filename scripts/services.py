#!/usr/bin/env python
"""Find PostgreSQL and Redis for `make dev` / `make test`, or start throwaway local ones.

    scripts/services.py ensure [--export] [--redis-db N] [--database NAME]

Uses DATABASE_URL / REDIS_URL when set, else localhost's standard ports. When nothing
answers there, starts private servers under `.dev/` (git-ignored) on spare ports from the
OS packages (`postgresql`, `redis-server`) and says so. `--export` prints shell exports.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / ".dev"
LOCAL_PG_PORT = 55432
LOCAL_REDIS_PORT = 56379


def say(message: str) -> None:
    print(f"services: {message}", file=sys.stderr)


def pg_answers(url: str) -> bool:
    try:
        with psycopg.connect(_with_db(url, "postgres"), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _with_db(url: str, db: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def ensure_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/") or "packamal"
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")


def _as_postgres_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def start_local_postgres() -> str:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not bins:
        sys.exit(
            "services: no PostgreSQL answers and no PostgreSQL binaries are installed "
            "(apt-get install -y postgresql), or set DATABASE_URL"
        )
    bindir = Path(bins[-1]).parent
    data = DEV / "postgres"
    url = f"postgres://postgres@127.0.0.1:{LOCAL_PG_PORT}/packamal"
    if pg_answers(url):
        return url
    DEV.mkdir(exist_ok=True)
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            _as_postgres_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    say(f"no PostgreSQL answered: starting a throwaway one in {data} on port {LOCAL_PG_PORT}")
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(data / "server.log"),
                "-w",
                "start",
                "-o",
                f"-p {LOCAL_PG_PORT} -k /tmp -c listen_addresses=127.0.0.1",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def start_local_redis() -> str:
    url = f"redis://127.0.0.1:{LOCAL_REDIS_PORT}/0"
    if redis_answers(url):
        return url
    server = shutil.which("redis-server")
    if server is None:
        sys.exit(
            "services: no Redis answers and redis-server is not installed "
            "(apt-get install -y redis-server), or set REDIS_URL"
        )
    data = DEV / "redis"
    data.mkdir(parents=True, exist_ok=True)
    say(f"no Redis answered: starting a throwaway one in {data} on port {LOCAL_REDIS_PORT}")
    subprocess.run(
        [
            server,
            "--port",
            str(LOCAL_REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data),
            "--logfile",
            str(data / "redis.log"),
        ],
        check=True,
    )
    for _ in range(50):
        if redis_answers(url):
            return url
        time.sleep(0.1)
    sys.exit("services: the throwaway Redis did not start; see .dev/redis/redis.log")


def resolve(database: str | None) -> tuple[str, str]:
    db_url = os.environ.get("DATABASE_URL") or ""
    if not db_url:
        candidate = f"postgres://postgres@127.0.0.1:5432/{database or 'packamal'}"
        db_url = candidate if pg_answers(candidate) else start_local_postgres()
    elif not pg_answers(db_url):
        sys.exit(f"services: DATABASE_URL is set but PostgreSQL does not answer at {db_url}")
    if database:
        db_url = _with_db(db_url, database)
    ensure_database(db_url)

    redis_url = os.environ.get("REDIS_URL") or ""
    if not redis_url:
        candidate = "redis://127.0.0.1:6379/0"
        redis_url = candidate if redis_answers(candidate) else start_local_redis()
    elif not redis_answers(redis_url):
        sys.exit(f"services: REDIS_URL is set but Redis does not answer at {redis_url}")
    return db_url, redis_url


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["ensure"])
    parser.add_argument("--export", action="store_true", help="print shell export lines")
    parser.add_argument("--redis-db", type=int, default=None, help="use this Redis db number")
    parser.add_argument("--database", default=None, help="use this database name")
    args = parser.parse_args()
    db_url, redis_url = resolve(args.database)
    if args.redis_db is not None:
        redis_url = _with_db(redis_url, str(args.redis_db))
    if args.export:
        print(f"export DATABASE_URL='{db_url}' REDIS_URL='{redis_url}'")
    else:
        print(f"DATABASE_URL={db_url}\nREDIS_URL={redis_url}")


if __name__ == "__main__":
    main()
