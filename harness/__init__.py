"""The process harness: PostgreSQL and Redis found or started throwaway, roles run through
docker/entrypoint.sh with one environment function, readiness waits, and job events heard
on a real SUBSCRIBE. Tests, `make dev`, the benchmarks, the chaos suite, the deploy smoke
test and (through `python -m harness`) the e2e stack all start the system this way."""

from .events import EventLog
from .roles import (
    ENTRYPOINT,
    THROWAWAY,
    VENV_BIN,
    Keys,
    Process,
    Role,
    keys,
    migrate,
    role_env,
    run_role,
    stop_all,
    wait_until,
)
from .services import (
    REPO,
    Postgres,
    Redis,
    Services,
    database_create,
    database_drop,
    ensure,
    free_port,
    pg_bin,
    port_free,
    wait_port,
    with_path,
)

__all__ = [
    "ENTRYPOINT",
    "REPO",
    "THROWAWAY",
    "VENV_BIN",
    "EventLog",
    "Keys",
    "Postgres",
    "Process",
    "Redis",
    "Role",
    "Services",
    "database_create",
    "database_drop",
    "ensure",
    "free_port",
    "keys",
    "migrate",
    "pg_bin",
    "port_free",
    "role_env",
    "run_role",
    "stop_all",
    "wait_port",
    "wait_until",
    "with_path",
]
