#!/usr/bin/env python
"""`make dev`: run the api, two workers and (when built) the dashboard, with interleaved logs.

Ctrl-C (or SIGTERM) stops every process cleanly: each gets SIGTERM, then SIGKILL after 25 s.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from services import port_free, resolve

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "docker" / "entrypoint.sh")
COLOURS = ["\033[36m", "\033[33m", "\033[35m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


def log_pump(name: str, colour: str, stream: object) -> None:
    tty = sys.stdout.isatty()
    prefix = f"{colour}{name:<8}|{RESET} " if tty else f"{name:<8}| "
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        sys.stdout.write(prefix + line)
        sys.stdout.flush()


def spawn(name: str, args: list[str], env: dict[str, str], n: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [ENTRY, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C goes to us; we stop children in order
    )
    threading.Thread(
        target=log_pump, args=(name, COLOURS[n % len(COLOURS)], proc.stdout), daemon=True
    ).start()
    return proc


def main() -> int:
    db_url, redis_url = resolve(None)
    api_port = int(os.environ.get("PORT", "8000"))
    web_port = int(os.environ.get("WEB_PORT", "8080"))
    for port in (api_port, web_port):
        if not port_free(port):
            sys.exit(
                f"dev: port {port} is in use (is another `make dev` running?); "
                "set PORT / WEB_PORT to use others"
            )
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1"),
        "DJANGO_ALLOWED_HOSTS": os.environ.get("DJANGO_ALLOWED_HOSTS", "*"),
        "PORT": str(api_port),
        "PYTHONUNBUFFERED": "1",
    }
    print("dev: migrating the database", flush=True)
    subprocess.run([ENTRY, "migrate", "-v", "0"], env=env, check=True)

    procs: list[tuple[str, subprocess.Popen[str]]] = [("api", spawn("api", ["api"], env, 0))]
    for i in (1, 2):
        name = f"worker{i}"
        procs.append((name, spawn(name, ["worker", "--name", f"dev-worker-{i}"], env, i)))
    web_url = None
    dist = ROOT / "frontend" / "dist" / "index.html"
    if dist.exists() and shutil.which("nginx") and (ROOT / "docker" / "web.sh").exists():
        web_env = {**env, "WEB_PORT": str(web_port), "API_UPSTREAM": f"http://127.0.0.1:{api_port}"}
        procs.append(("web", spawn("web", ["web"], web_env, 3)))
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


def supervise(procs: list[tuple[str, subprocess.Popen[str]]]) -> int:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        for name, proc in procs:
            if proc.poll() is not None:
                print(f"dev: {name} exited with {proc.returncode}; stopping the rest", flush=True)
                stop.set()
    print("\ndev: stopping", flush=True)
    for _, proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for name, proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"dev: {name} did not stop in time; killing it", flush=True)
            proc.kill()
    print("dev: all stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
