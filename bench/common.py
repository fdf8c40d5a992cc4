"""Shared pieces of the chaos suite and the benchmarks: processes, schema, figures, results."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import harness

REPO = harness.REPO
# Runs write to the git-ignored artifacts/; `make chaos-publish` and friends set
# BENCH_RESULTS_DIR=bench/results to update the published figures.
RESULTS = REPO / os.environ.get("BENCH_RESULTS_DIR", "artifacts/bench/results")
LOGS = REPO / "artifacts" / "bench"
VENV_BIN = harness.VENV_BIN
wait_until = harness.wait_until
migrate = harness.migrate


# ---------------------------------------------------------------- processes


def proc(name: str, argv: Sequence[str | Path], env: dict[str, str]) -> harness.Process:
    """A child in its own process group, its output in artifacts/bench/NAME.log."""
    return harness.Process(argv, env, name=name, log=LOGS / f"{name}.log")


def role(name: str, role_name: str, env: dict[str, str], *args: str) -> harness.Role:
    """Run one role through docker/entrypoint.sh, as the image does."""
    return harness.Role(role_name, *args, env=env, name=name, log=LOGS / f"{name}.log")


def stop_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit, so the atexit clean-up stops every child and server."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def base_env(services_env: dict[str, str], **extra: str | int | float | Path) -> dict[str, str]:
    """Environment for a Pack-A-Mal role (or a compared system) against the private servers."""
    return harness.role_env(
        database_url=services_env["DATABASE_URL"],
        redis_url=services_env["REDIS_URL"],
        PYTHONPATH=REPO,
        **extra,
    )


# ---------------------------------------------------------------- jobs


def new_job_row(db: Any, *, seconds: float = 0, mode: str = "sleep") -> tuple[str, str]:
    """INSERT a queued job row as dispatch does; returns (id, queue message)."""
    job_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    params = json.dumps({"seconds": seconds, "mode": mode})
    db.execute(
        "INSERT INTO package_analysis_job (id, task, params, status, attempts, progress, "
        "created_at, enqueued_at) VALUES (%s, 'simulate', %s, 'queued', 0, 0, %s, %s)",
        (job_id, params, now, now),
    )
    message = json.dumps(
        {
            "id": job_id,
            "task": "simulate",
            "params": json.loads(params),
            "enqueued_at": now.isoformat().replace("+00:00", "Z"),
        }
    )
    return job_id, message


def pg_connect(url: str, **kw: Any) -> Any:
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True, **kw)


# ---------------------------------------------------------------- figures


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q / 100 * len(s) + 0.5) - 1))
    return s[k]


def median(values: Iterable[float]) -> float:
    v = list(values)
    return statistics.median(v) if v else float("nan")


def fmt(x: float | int | str | None, digits: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if isinstance(x, float) and x != x:
        return "-"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:,.{digits}f}"


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the figures were measured on: enough to judge whether two runs compare."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = 0.0
    with contextlib.suppress(OSError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem_gib = round(kb / 1024 / 1024, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "postgres": _cmd_version([str(harness.pg_bin() / "postgres"), "--version"]),
        "redis": _cmd_version(["redis-server", "--version"]),
        "nginx": _cmd_version(["nginx", "-v"]),
        "packages": {
            p: _pkg(p)
            for p in (
                "django",
                "django-ninja",
                "uvicorn",
                "psycopg",
                "redis",
                "hiredis",
                "celery",
                "kombu",
                "rq",
                "dramatiq",
                "websockets",
                "schemathesis",
            )
        },
    }


def _pkg(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _cmd_version(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def write_results(name: str, *, title: str, markdown: str, data: dict[str, Any]) -> None:
    """bench/results/NAME.md (table) and NAME.json (figures + machine + versions); also print."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    m = machine()
    head = (
        f"# {title}\n\nMeasured {stamp} on {m['cores']} cores ({m['cpu']}), "
        f"Python {m['python']}, {m['postgres']}, {m['redis']}; load average at the end "
        f"{m['load_average_1_5_15'][0]:.1f} / {m['load_average_1_5_15'][1]:.1f} (1 / 5 min).\n"
        f"Reproduce: `{data.get('command', 'make bench')}`.\n\n"
    )
    (RESULTS / f"{name}.md").write_text(head + markdown.rstrip() + "\n")
    payload = {"name": name, "measured_at": stamp, "machine": m, **data}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(head + markdown, flush=True)


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)
