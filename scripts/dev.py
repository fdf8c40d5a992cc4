#!/usr/bin/env python
"""`make dev`: run the api, two workers and (when built) the dashboard, with interleaved logs.

Ctrl-C (or SIGTERM) stops every process cleanly: each gets SIGTERM, then SIGKILL after 25 s.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import harness

COLOURS = ["\033[36m", "\033[33m", "\033[35m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


def spawn(name: str, role: str, *args: str, env: dict[str, str], n: int) -> harness.Role:
    """The role, its lines printed as they come behind a coloured name."""
    colour = COLOURS[n % len(COLOURS)]
    prefix = f"{colour}{name:<8}|{RESET} " if sys.stdout.isatty() else f"{name:<8}| "

    def echo(line: str) -> None:
        sys.stdout.write(prefix + line)
        sys.stdout.flush()

    return harness.Role(role, *args, env=env, name=name, on_line=echo)


def main() -> int:
    db_url, redis_url = harness.ensure()
    api_port = int(os.environ.get("PORT", "8000"))
    web_port = int(os.environ.get("WEB_PORT", "8080"))
    for port in (api_port, web_port):
        if not harness.port_free(port):
            sys.exit(
                f"dev: port {port} is in use (is another `make dev` running?); "
                "set PORT / WEB_PORT to use others"
            )
    env = harness.role_env(
        database_url=db_url,
        redis_url=redis_url,
        base={"DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "*", **os.environ},
        PORT=api_port,
    )
    print("dev: migrating the database", flush=True)
    harness.migrate(env, "-v", "0")

    procs = [spawn("api", "api", env=env, n=0)]
    for i in (1, 2):
        procs.append(spawn(f"worker{i}", "worker", "--name", f"dev-worker-{i}", env=env, n=i))
    web_url = None
    dist = harness.REPO / "frontend" / "dist" / "index.html"
    if dist.exists() and shutil.which("nginx") and (harness.REPO / "docker" / "web.sh").exists():
        web_env = {**env, "WEB_PORT": str(web_port), "API_UPSTREAM": f"http://127.0.0.1:{api_port}"}
        procs.append(spawn("web", "web", env=web_env, n=3))
        web_url = f"http://localhost:{web_port}/"
    time.sleep(1.5)
    api = f"http://localhost:{api_port}"
    print(
        f"""
dev: Pack-A-Mal is running (Ctrl-C stops everything)
  dashboard : {web_url or "not built: run `make frontend-build` (needs nginx), then `make dev`"}
  api       : {api}   docs {api}/docs   metrics {api}/metrics   admin {api}/admin/
  database  : {db_url}
  redis     : {redis_url}
  try       : curl -X POST {api}/dispatch -H 'Content-Type: application/json' \\
                -d '{{"params":{{"seconds":2}}}}'
              make demo
""",
        flush=True,
    )
    return supervise(procs)


def supervise(procs: list[harness.Role]) -> int:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        for proc in procs:
            if not proc.alive():
                print(f"dev: {proc.name} exited with {proc.proc.returncode}; stopping the rest")
                stop.set()
    print("\ndev: stopping", flush=True)
    for proc in procs:
        proc.signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for proc in procs:
        if proc.wait(max(0.1, deadline - time.monotonic())) is None:
            print(f"dev: {proc.name} did not stop in time; killing it", flush=True)
        proc.stop(0)
    print("dev: all stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
