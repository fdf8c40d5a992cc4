"""`python -m harness`: the harness for callers that are not Python (the e2e stack, CI).

ensure [--export] [--database NAME] [--redis-db N]   find or start PostgreSQL and Redis
fresh USE                                            a new database and an empty Redis db for USE
role ROLE [--namespace NS] [--database-url U] [--redis-url U] [--set K=V]... [-- ARGS]
                                                     exec docker/entrypoint.sh ROLE
job-statuses --database-url U ID...                  {id: status} straight from PostgreSQL
listen --redis-url U [--namespace NS]                print job events, one JSON a line
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

import psycopg

from .events import EventLog
from .roles import ENTRYPOINT, keys, role_env
from .services import ensure, fresh


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m harness",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ensure", help="find or start PostgreSQL and Redis; print their URLs")
    p.add_argument("--export", action="store_true", help="print shell export lines")
    p.add_argument("--database", help="use (and create) this database name")
    p.add_argument("--redis-db", type=int, help="use this Redis db number")

    p = sub.add_parser("fresh", help="a new database and an empty Redis db for USE; JSON")
    p.add_argument("use", choices=["e2e", "smoke", "test"])

    p = sub.add_parser("role", help="exec docker/entrypoint.sh ROLE in the role environment")
    p.add_argument("role")
    p.add_argument("args", nargs="*", help="the role's own arguments (after --)")
    p.add_argument("--namespace", help="own queue names and job-updates channel")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    p.add_argument("--set", type=_pair, action="append", default=[], metavar="NAME=VALUE")

    p = sub.add_parser("job-statuses", help="{id: status} from PostgreSQL, as JSON")
    p.add_argument("--database-url", required=True)
    p.add_argument("ids", nargs="+")

    p = sub.add_parser("listen", help="print job events as JSON lines until interrupted")
    p.add_argument("--redis-url", required=True)
    p.add_argument("--namespace")

    a = ap.parse_args(argv)
    return COMMANDS[a.command](a)


def _ensure(a: argparse.Namespace) -> int:
    db_url, redis_url = ensure(database=a.database, redis_db=a.redis_db)
    if a.export:
        print(f"export DATABASE_URL='{db_url}' REDIS_URL='{redis_url}'")
    else:
        print(f"DATABASE_URL={db_url}\nREDIS_URL={redis_url}")
    return 0


def _fresh(a: argparse.Namespace) -> int:
    db_url, redis_url = fresh(a.use)
    print(json.dumps({"DATABASE_URL": db_url, "REDIS_URL": redis_url}))
    return 0


def _role(a: argparse.Namespace) -> int:
    env = role_env(
        database_url=a.database_url, redis_url=a.redis_url, namespace=a.namespace, **dict(a.set)
    )
    # exec: the caller's signals reach the role itself, as in a container.
    os.execve(ENTRYPOINT, [str(ENTRYPOINT), a.role, *a.args], env)  # noqa: S606


def _job_statuses(a: argparse.Namespace) -> int:
    with psycopg.connect(a.database_url.replace("postgres://", "postgresql://", 1)) as conn:
        rows = conn.execute(
            "SELECT id::text, status FROM package_analysis_job WHERE id::text = ANY(%s)", [a.ids]
        ).fetchall()
    print(json.dumps(dict(rows)))
    return 0


def _listen(a: argparse.Namespace) -> int:
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    log = EventLog(
        a.redis_url, keys(a.namespace).channel, on_event=lambda e: print(json.dumps(e), flush=True)
    )
    done.wait()
    log.stop()
    return 0


COMMANDS = {
    "ensure": _ensure,
    "fresh": _fresh,
    "role": _role,
    "job-statuses": _job_statuses,
    "listen": _listen,
}

if __name__ == "__main__":
    sys.exit(main())
