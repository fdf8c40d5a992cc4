"""What a held WebSocket costs nginx (the web role) and the api: the measurement behind
`NGINX_WORKER_CONNECTIONS` and `WS_MAX_CLIENTS` (`python -m bench.ws_capacity`).

Private PostgreSQL and Redis, one api and one web role through docker/entrypoint.sh, then
N upgraded /ws/jobs sockets held through nginx (the per-client cap lifted for the
measurement). Prints nginx's worker RSS and the api's RSS before and after, per socket.
Each proxied socket holds two nginx connections (client + api) and two descriptors."""

from __future__ import annotations

import argparse
import base64
import os
import socket
import tempfile
import time
from pathlib import Path

import httpx

from bench.cluster import Cluster
from bench.common import base_env, log, md_table, migrate, role, wait_until
from harness import Services, free_port


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def nginx_workers(master: int) -> list[int]:
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                kids.append(int(d.name))
    return kids


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sockets", type=int, default=2000)
    a = ap.parse_args()
    svc = Services(fsync=False)
    held: list[socket.socket] = []
    try:
        migrate(base_env(svc.env()))
        c = Cluster(svc, "wscap", WS_MAX_CLIENTS=a.sockets + 100)
        c.start_api()
        root = Path(tempfile.mkdtemp(prefix="packamal-wscap-"))
        root.chmod(0o755)
        (root / "index.html").write_text("<!doctype html>")
        port = free_port()
        web = role("wscap-web", "web", {
            **c.env, "WEB_PORT": str(port), "WEB_ROOT": str(root),
            "API_UPSTREAM": c.base_url, "NGINX_RUN_DIR": str(root / "run"),
            "WEB_WS_PER_CLIENT": str(a.sockets + 100), "WEB_API_BURST": str(a.sockets + 100),
            "NGINX_WORKER_CONNECTIONS": str(2 * a.sockets + 200),
        })  # fmt: skip
        wait_until(lambda: _up(port), timeout=30, what="web")
        master = int((root / "run" / "nginx.pid").read_text())
        workers = nginx_workers(master)
        api_pid = c.api.pid if c.api else 0
        time.sleep(1)
        nginx0, api0 = sum(rss_kib(p) for p in workers), rss_kib(api_pid)
        for _ in range(a.sockets):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            key = base64.b64encode(os.urandom(16)).decode()
            s.sendall(
                f"GET /ws/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\n\r\n".encode()
            )
            assert b" 101 " in s.recv(200)
            held.append(s)
        time.sleep(2)
        nginx1, api1 = sum(rss_kib(p) for p in workers), rss_kib(api_pid)
        n = len(held)
        print(md_table(
            ["sockets held", "nginx workers RSS", "per socket", "api RSS", "per socket"],
            [[n, f"{nginx0 / 1024:.1f} → {nginx1 / 1024:.1f} MiB",
              f"{(nginx1 - nginx0) / n:.1f} KiB", f"{api0 / 1024:.0f} → {api1 / 1024:.0f} MiB",
              f"{(api1 - api0) / n:.1f} KiB"]],
        ))  # fmt: skip
        log("ws_capacity: done")
        web.stop()
        c.stop()
    finally:
        for s in held:
            s.close()
        svc.close()
    return 0


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
