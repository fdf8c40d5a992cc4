"""Pack-A-Mal benchmarks (`make bench`; `--tiny` is the smoke run inside `make test`).

Each writes bench/results/NAME.md and NAME.json (figures, machine, versions) and reports
ratios measured in the same run, since absolute times on shared machines drift:

  dispatch   requests/s and p50/p99 at concurrency 1/16/64, api port and web port (nginx),
             against the floor (the same INSERT + LPUSH in a tight loop, one process)
  workers    no-op jobs/s per worker process and dispatch → claimed p50/p99 with idle
             workers, beside Celery, RQ and Dramatiq on the same Redis and PostgreSQL
  websocket  worker PUBLISH → WebSocket frame received, p50/p99, 100 clients through nginx
  scaling    `cpu` jobs on 1 vs 2 worker processes (2 cores)
  memory     idle RSS of the api, worker and web processes
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import redis

import harness
from bench import workers as worker_bench
from bench.cluster import Cluster, dispatch_many, reset_state, wait_finished
from bench.common import (
    LOGS,
    REPO,
    VENV_BIN,
    base_env,
    fmt,
    log,
    md_table,
    median,
    migrate,
    pct,
    pg_connect,
    role,
    stop_on_sigterm,
    write_results,
)
from harness import Services, free_port

# POST /dispatch/batch: (jobs per request, concurrency), each against the same floor.
BATCHES = ((100, 1), (1000, 1), (1000, 4))
SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "seconds": 10,
        "repeats": 3,
        "floor_n": 20000,
        "n": 3000,
        "n_rq": 400,
        "pickups": 300,
        "rounds": 3,
        "ws_events": 400,
        "ws_clients": 100,
        "cpu_jobs": 6,
        "cpu_seconds": 0.5,
        "batches": BATCHES,
    },
    "tiny": {
        "seconds": 1,
        "repeats": 1,
        "floor_n": 500,
        "n": 100,
        "n_rq": 20,
        "pickups": 20,
        "rounds": 1,
        "ws_events": 20,
        "ws_clients": 10,
        "cpu_jobs": 2,
        "cpu_seconds": 0.3,
        "batches": ((100, 1),),
    },
}
CONCURRENCY = (1, 16, 64)
BODY = json.dumps({"task": "simulate", "params": {"seconds": 0, "mode": "sleep"}})


def batch_body(n: int) -> str:
    return json.dumps({"jobs": [json.loads(BODY)] * n}, separators=(",", ":"))


# ---------------------------------------------------------------- web role


def start_web(svc: Services, api_port: int, tag: str) -> tuple[harness.Role, int] | None:
    """nginx through the web role, proxying to the api; None when it cannot run here."""
    if not (REPO / "docker" / "web.sh").exists() or shutil.which("nginx") is None:
        return None
    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="packamal-webroot-"))
    run_dir = Path(tempfile.mkdtemp(prefix="packamal-nginx-"))
    for d in (root, run_dir):
        atexit.register(shutil.rmtree, d, True)
    # As root, nginx's workers run as nobody and buffer bodies over 16 KiB (a batch) under
    # run_dir/client_body: mkdtemp's 0700 would refuse them with a 500.
    run_dir.chmod(0o755)
    (root / "index.html").write_text("<!doctype html><title>bench</title>\n")
    env = base_env(
        svc.env(),
        WEB_PORT=port,
        API_UPSTREAM=f"http://127.0.0.1:{api_port}",
        WEB_ROOT=root,
        NGINX_RUN_DIR=run_dir,
        # One loopback address stands in for many users here: lift the per-client limits
        # (docs/security.md) so they measure nginx, not its throttle. nginx refuses a
        # limit_conn of 65536 or more ("connection limit must be less 65536"), so the web
        # role would not start at all.
        WEB_CONN_PER_CLIENT=65535,
        WEB_WS_PER_CLIENT=65535,
        WEB_API_RATE="1000000r/s",
        WEB_API_BURST=1000000,
    )
    proc = role(f"{tag}-web", "web", env)
    try:
        harness.wait_ready(lambda: not harness.port_free(port), "the web role", proc)
    except TimeoutError as exc:
        # nginx is here (checked above), so a web role that does not come up is a fault of
        # ours (a bad setting, a broken template), not a missing tool: stop the run.
        proc.stop()
        raise RuntimeError(f"the web role did not start; see {proc.log_path}") from exc
    return proc, port


# ---------------------------------------------------------------- load generation

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\\"requests\\":%%d,\\"duration_us\\":%%d,\\"errors\\":%%d,\\"non2xx\\":%%d," ..
    "\\"p50_us\\":%%d,\\"p99_us\\":%%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


def load(url: str, *, concurrency: int, seconds: float, body: str = BODY) -> dict[str, float]:
    """POST `body` for `seconds` at `concurrency` with wrk (C, keep-alive)."""
    script = LOGS / "dispatch.lua"
    script.write_text(WRK_SCRIPT % body)
    threads = 1 if concurrency == 1 else 2
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(concurrency),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    r = json.loads(line[len("WRKJSON ") :])
    secs = r["duration_us"] / 1e6
    return {
        "rps": r["requests"] / secs,
        "p50_ms": r["p50_us"] / 1e3,
        "p99_ms": r["p99_us"] / 1e3,
        "requests": r["requests"],
        "errors": r["errors"],
        "non2xx": r["non2xx"],
    }


def floor(svc: Services, n: int) -> dict[str, float]:
    env = base_env(svc.env())
    out = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bench.floor", "-n", str(n)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(out.stdout)


def bench_dispatch(svc: Services, size: dict[str, Any]) -> dict[str, Any]:
    """Dispatch through the api and the web port, against the floor, measured alternately."""
    if shutil.which("wrk") is None:
        log("dispatch: wrk is not installed (apt-get install -y wrk); skipped")
        return {"skipped": "wrk not installed"}
    reset_state(svc)
    c = Cluster(svc, "dispatch")
    c.start_api()
    web = start_web(svc, c.port, "dispatch")
    targets = {"api": f"{c.base_url}/dispatch"}
    if web:
        targets["web"] = f"http://127.0.0.1:{web[1]}/api/dispatch"
    rows: dict[str, dict[int, list[dict[str, float]]]] = {t: {} for t in targets}
    batch_rows: dict[str, dict[tuple[int, int], list[dict[str, float]]]] = {t: {} for t in targets}
    floors: list[dict[str, float]] = []
    try:
        for t in targets.values():  # warm-up: connections, imports, plan caches
            load(t, concurrency=4, seconds=1)
            load(f"{t}/batch", concurrency=1, seconds=1, body=batch_body(1000))
        for rep in range(size["repeats"]):
            reset_state(svc)
            floors.append(floor(svc, size["floor_n"]))
            log(f"dispatch: floor {floors[-1]['rps']:.0f}/s")
            for name, url in targets.items():
                for conc in CONCURRENCY:
                    reset_state(svc)
                    r = load(url, concurrency=conc, seconds=size["seconds"])
                    rows[name].setdefault(conc, []).append(r)
                    log(
                        f"dispatch {rep + 1}: {name} c={conc}: {r['rps']:.0f}/s "
                        f"p50 {r['p50_ms']:.2f} p99 {r['p99_ms']:.2f} ms"
                    )
                for jobs, conc in size["batches"]:
                    reset_state(svc)
                    body = batch_body(jobs)
                    r = load(f"{url}/batch", concurrency=conc, seconds=size["seconds"], body=body)
                    # only answered batches count (wrk counts every response as a request)
                    ok = 1 - (r["non2xx"] + r["errors"]) / max(1, r["requests"])
                    r["jobs_per_s"] = r["rps"] * ok * jobs
                    r["ratio_to_floor"] = r["jobs_per_s"] / floors[-1]["rps"]
                    batch_rows[name].setdefault((jobs, conc), []).append(r)
                    log(
                        f"dispatch {rep + 1}: {name} batch of {jobs} c={conc}: "
                        f"{r['jobs_per_s']:.0f} jobs/s ({r['ratio_to_floor']:.2f}x this "
                        f"repeat's floor), p50 {r['p50_ms']:.1f} ms"
                    )
    finally:
        if web:
            web[0].stop()
        c.stop()
    floor_rps = median(f["rps"] for f in floors)
    summary: dict[str, Any] = {
        "floor": {
            "rps": floor_rps,
            "p50_ms": median(f["p50_ms"] for f in floors),
            "p99_ms": median(f["p99_ms"] for f in floors),
            "runs": floors,
        },
        "targets": {},
    }
    for name, by_c in rows.items():
        summary["targets"][name] = {
            conc: {
                "rps": median(r["rps"] for r in rs),
                "p50_ms": median(r["p50_ms"] for r in rs),
                "p99_ms": median(r["p99_ms"] for r in rs),
                "ratio_to_floor": median(r["rps"] for r in rs) / floor_rps,
                "errors": sum(r["errors"] + r["non2xx"] for r in rs),
                "runs": rs,
            }
            for conc, rs in by_c.items()
        }
    summary["batch"] = {
        name: [
            {
                "jobs": jobs,
                "concurrency": conc,
                "rps": median(r["rps"] for r in rs),
                "jobs_per_s": median(r["jobs_per_s"] for r in rs),
                "p50_ms": median(r["p50_ms"] for r in rs),
                "p99_ms": median(r["p99_ms"] for r in rs),
                # each repeat against the floor measured beside it, then the median ratio
                "ratio_to_floor": median(r["ratio_to_floor"] for r in rs),
                "errors": sum(r["errors"] + r["non2xx"] for r in rs),
                "runs": rs,
            }
            for (jobs, conc), rs in by_batch.items()
        ]
        for name, by_batch in batch_rows.items()
    }
    if not web:
        summary["web"] = "not measured: the web role (docker/web.sh + nginx) is not available"
    return summary


# ---------------------------------------------------------------- websocket

WS_CLIENT = r"""
import asyncio, json, sys, time
from websockets.asyncio.client import connect

async def client(url, n, out, ready):
    async with connect(url, max_queue=None) as ws:
        ready.append(1)
        got = 0
        while got < n:
            frame = json.loads(await ws.recv())
            sent = frame.get("bench_sent")
            if sent is not None:
                out.append(time.time() - sent)
                got += 1

async def main(url, clients, n):
    out, ready = [], []
    tasks = [asyncio.create_task(client(url, n, out, ready)) for _ in range(clients)]
    while len(ready) < clients:
        await asyncio.sleep(0.05)
    print("READY", flush=True)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    print(json.dumps(out), flush=True)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


def bench_websocket(svc: Services, size: dict[str, Any]) -> dict[str, Any]:
    """PUBLISH on job_updates → frame received by each of N WebSocket clients."""
    reset_state(svc)
    c = Cluster(svc, "ws")
    c.start_api()
    web = start_web(svc, c.port, "ws")
    via = "web (nginx)" if web else "api port (web role unavailable)"
    url = f"ws://127.0.0.1:{web[1]}/ws/jobs" if web else f"ws://127.0.0.1:{c.port}/ws/jobs"
    n, clients = size["ws_events"], size["ws_clients"]
    r = redis.Redis.from_url(svc.redis.url)
    env = base_env(svc.env())
    proc = subprocess.Popen(
        [str(VENV_BIN / "python"), "-c", WS_CLIENT, url, str(clients), str(n)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "READY":
            raise RuntimeError("websocket clients did not connect")
        time.sleep(0.5)
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        for _ in range(n):
            event = {
                "id": str(uuid.uuid4()),
                "task": "simulate",
                "params": {"seconds": 0},
                "status": "completed",
                "attempts": 1,
                "worker": "bench",
                "progress": 1.0,
                "result": {},
                "error": None,
                "created_at": now,
                "started_at": now,
                "completed_at": now,
                "event": "completed",
                "bench_sent": time.time(),
            }
            r.publish("job_updates", json.dumps(event))
            time.sleep(0.05)  # 20 completions/s, each fanned out to every client
        out, _ = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            proc.kill()
        if web:
            web[0].stop()
        c.stop()
    lat = [x * 1e3 for x in json.loads(out.strip().splitlines()[-1])]
    return {
        "via": via,
        "clients": clients,
        "events": n,
        "frames": len(lat),
        "p50_ms": pct(lat, 50),
        "p99_ms": pct(lat, 99),
        "max_ms": max(lat),
    }


# ---------------------------------------------------------------- scaling


def _scaling_once(svc: Services, size: dict[str, Any], procs: int, tag: str) -> dict[str, float]:
    reset_state(svc)
    c = Cluster(svc, f"scale{procs}-{tag}")
    c.start_api()
    for _ in range(procs):
        c.start_worker()
    c.wait_workers()
    n = size["cpu_jobs"] * procs
    ids, _ = dispatch_many(
        c.base_url, n, {"seconds": size["cpu_seconds"], "mode": "cpu"}, concurrency=2
    )
    wait_finished(svc, ids, timeout=60 + n * size["cpu_seconds"] * 2)
    c.stop()
    with pg_connect(svc.pg.url) as db:
        first, last, iters = db.execute(
            "SELECT min(started_at), max(completed_at), sum((result->>'iterations')::bigint) "
            "FROM package_analysis_job WHERE status = 'completed'"
        ).fetchone()
    span = (last - first).total_seconds()
    return {"jobs": n, "seconds": span, "jobs_per_s": n / span, "work_per_s": float(iters) / span}


BURN = """
import sys, time
sys.path.insert(0, "backend")
from package_analysis.tasks.simulate_run import _burn
end = time.monotonic() + float(sys.argv[1])
print(_burn(end))
"""


def _ceiling_once(seconds: float) -> dict[int, float]:
    """The task's own CPU loop in 1, then 2 bare processes: what the machine can give now."""
    out = {}
    for procs in (1, 2):
        ps = [
            subprocess.Popen(
                [str(VENV_BIN / "python"), "-c", BURN, str(seconds)],
                cwd=REPO,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(procs)
        ]
        out[procs] = sum(int(p.communicate()[0]) for p in ps) / seconds
    return out


def bench_scaling(svc: Services, size: dict[str, Any]) -> dict[str, Any]:
    """`cpu` jobs on 1, then 2 worker processes, alternated; jobs/s and CPU work per second.

    A `cpu` job burns for a fixed wall time, so jobs/s doubles with two workers whether or
    not they really run in parallel; the work done (the task's own iteration count) per
    second is the figure that shows the second core at work.
    """
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    ceilings: list[float] = []
    for rep in range(size["repeats"]):
        ceil = _ceiling_once(size["cpu_seconds"] * size["cpu_jobs"] / 2)
        ceilings.append(ceil[2] / ceil[1])
        log(f"scaling {rep + 1}: bare processes 2 vs 1: {ceilings[-1]:.2f}x")
        for procs in (1, 2):
            r = _scaling_once(svc, size, procs, str(rep))
            runs[procs].append(r)
            log(
                f"scaling {rep + 1}: {procs} worker(s): {r['jobs_per_s']:.2f} jobs/s, "
                f"{r['work_per_s']:.0f} it/s, load {os.getloadavg()[0]:.1f}"
            )
    out: dict[str, Any] = {
        k: {
            "jobs": v[0]["jobs"],
            "jobs_per_s": median(r["jobs_per_s"] for r in v),
            "work_per_s": median(r["work_per_s"] for r in v),
            "runs": v,
        }
        for k, v in runs.items()
    }
    ratios = [b["work_per_s"] / a["work_per_s"] for a, b in zip(runs[1], runs[2], strict=True)]
    out["ratio_work"] = median(ratios)
    out["ratio_work_runs"] = ratios
    out["ratio_jobs"] = out[2]["jobs_per_s"] / out[1]["jobs_per_s"]
    out["ceiling_ratio"] = median(ceilings)
    out["ceiling_ratio_runs"] = ceilings
    return out


# ---------------------------------------------------------------- memory


def rss_mib(proc: harness.Process) -> float:
    """RSS of a role's process and its children (uvicorn, nginx master + workers)."""
    try:
        p = psutil.Process(proc.pid)
        procs = [p, *p.children(recursive=True)]
        return sum(x.memory_info().rss for x in procs) / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


def bench_memory(svc: Services) -> dict[str, Any]:
    reset_state(svc)
    c = Cluster(svc, "mem")
    c.start_api()
    name = c.start_worker()
    c.wait_workers()
    web = start_web(svc, c.port, "mem")
    ids, _ = dispatch_many(c.base_url, 20, {"seconds": 0, "mode": "sleep"}, concurrency=2)
    wait_finished(svc, ids, timeout=30)
    with httpx.Client() as h:  # every route once, so lazily-loaded code is in
        for path in ("/jobs", "/stats", "/readyz", "/metrics", "/openapi.json"):
            h.get(c.base_url + path)
            if web:
                h.get(f"http://127.0.0.1:{web[1]}/api{path}")
    time.sleep(3)
    out = {"api": rss_mib(c.api), "worker": rss_mib(c.workers[name])}  # type: ignore[arg-type]
    if web:
        out["web"] = rss_mib(web[0])
        web[0].stop()
    c.stop()
    return out


# ---------------------------------------------------------------- report


GOALS = "Goals: dispatch ≥ 0.5 x floor; batch dispatch ≥ 1.0 x floor per job; "
GOALS += "worker ≥ 2 x Celery and ≥ 5 x RQ; pickup p99 ≤ 10 ms; "
GOALS += "WebSocket p99 ≤ 50 ms; scaling ≥ 1.8 x."


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: dict[str, Any], size_name: str) -> str:
    parts: list[str] = []
    d = results.get("dispatch")
    if d and "floor" in d:
        f = d["floor"]
        rows = [
            [
                "floor (INSERT + LPUSH loop, 1 process)",
                "-",
                fmt(f["rps"], 0),
                fmt(f["p50_ms"], 2),
                fmt(f["p99_ms"], 2),
                "1.00",
                "",
            ]
        ]
        for target, by_c in d["targets"].items():
            for conc, r in by_c.items():
                rows.append(
                    [
                        f"POST /dispatch via {target} port",
                        conc,
                        fmt(r["rps"], 0),
                        fmt(r["p50_ms"], 2),
                        fmt(r["p99_ms"], 2),
                        f"{r['ratio_to_floor']:.2f}",
                        _met(r["ratio_to_floor"] >= 0.5),
                    ]
                )
        parts.append(
            "## Dispatch\n\n"
            + md_table(
                ["path", "concurrency", "req/s", "p50 ms", "p99 ms", "x floor", "goal ≥ 0.5x"], rows
            )
        )
        batch_rows = [
            [
                f"POST /dispatch/batch via {target} port",
                b["jobs"],
                b["concurrency"],
                fmt(b["rps"], 1),
                fmt(b["jobs_per_s"], 0),
                fmt(b["p50_ms"], 1),
                fmt(b["p99_ms"], 1),
                f"{b['ratio_to_floor']:.2f}",
                _met(b["ratio_to_floor"] >= 1.0),
            ]
            for target, runs in d.get("batch", {}).items()
            for b in runs
        ]
        if batch_rows:
            parts.append(
                "## Batch dispatch: jobs per second against the same floor\n\n"
                + md_table(
                    [
                        "path",
                        "jobs/request",
                        "concurrency",
                        "req/s",
                        "jobs/s",
                        "p50 ms",
                        "p99 ms",
                        "x floor (per job)",
                        "goal ≥ 1.0x",
                    ],
                    batch_rows,
                )
            )
        if "web" in d:
            parts.append(d["web"])
    w = results.get("workers")
    if w:
        ours = w["packamal"]
        rows = []
        for name, label in (
            ("packamal", "Pack-A-Mal"),
            ("celery", "Celery (prefork, -c 1)"),
            ("rq", "RQ (forking worker)"),
            ("dramatiq", "Dramatiq (1 process, 8 threads)"),
        ):
            if name not in w:
                continue
            s = w[name]
            goal = {"celery": 2.0, "rq": 5.0}.get(name)
            ratio = ours["jobs_per_s"] / s["jobs_per_s"]
            rows.append(
                [
                    label,
                    fmt(s["jobs_per_s"], 0),
                    "-" if name == "packamal" else f"{ratio:.2f}",
                    f"≥ {goal:g}x: {_met(ratio >= goal)}" if goal else "",
                    fmt(s["pickup_p50_ms"], 2),
                    fmt(s["pickup_p99_ms"], 2),
                ]
            )
        parts.append(
            "## Workers: no-op jobs, one worker process each\n\n"
            + md_table(
                ["system", "jobs/s", "Pack-A-Mal x", "goal", "pickup p50 ms", "pickup p99 ms"], rows
            )
            + f"\n\nPickup p99 goal ≤ 10 ms: {_met(ours['pickup_p99_ms'] <= 10)}."
        )
    ws = results.get("websocket")
    if ws:
        parts.append(
            "## Completion → browser\n\n"
            + md_table(
                [
                    "via",
                    "clients",
                    "events",
                    "frames",
                    "p50 ms",
                    "p99 ms",
                    "max ms",
                    "goal ≤ 50 ms",
                ],
                [
                    [
                        ws["via"],
                        ws["clients"],
                        ws["events"],
                        fmt(ws["frames"]),
                        fmt(ws["p50_ms"], 2),
                        fmt(ws["p99_ms"], 2),
                        fmt(ws["max_ms"], 1),
                        _met(ws["p99_ms"] <= 50),
                    ]
                ],
            )
        )
    sc = results.get("scaling")
    if sc:
        parts.append(
            "## Scaling: `cpu` jobs\n\n"
            + md_table(
                ["workers", "jobs", "jobs/s", "CPU work (iterations/s)"],
                [
                    [k, sc[k]["jobs"], fmt(sc[k]["jobs_per_s"], 2), fmt(sc[k]["work_per_s"], 0)]
                    for k in (1, 2)
                ],
            )
            + f"\n\n2 vs 1 worker: {sc['ratio_work']:.2f}x the CPU work per second "
            f"({sc['ratio_jobs']:.2f}x jobs/s); goal ≥ 1.8x: {_met(sc['ratio_work'] >= 1.8)}. "
            f"The same loop in 2 vs 1 bare processes, measured alongside: "
            f"{sc.get('ceiling_ratio', float('nan')):.2f}x (what the machine gave at the time)."
        )
    m = results.get("memory")
    if m:
        parts.append(
            "## Idle memory (RSS, process and children)\n\n"
            + md_table(["role", "RSS MiB"], [[k, fmt(v, 1)] for k, v in m.items()])
        )
    parts.append(GOALS + f" Size: {size_name}.")
    return "\n\n".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="smoke run (CI): tiny sizes")
    ap.add_argument("--only", default="dispatch,workers,websocket,scaling,memory")
    a = ap.parse_args()
    stop_on_sigterm()
    size_name = "tiny" if a.tiny else "full"
    size = SIZES[size_name]
    LOGS.mkdir(parents=True, exist_ok=True)
    svc = Services()
    migrate(base_env(svc.env()))
    results: dict[str, Any] = {}
    only = a.only.split(",")
    if "dispatch" in only:
        log("bench: dispatch")
        results["dispatch"] = bench_dispatch(svc, size)
    if "workers" in only:
        log("bench: workers")
        results["workers"] = worker_bench.run(
            svc.env(),
            n=size["n"],
            n_rq=size["n_rq"],
            pickups=size["pickups"],
            rounds=size["rounds"],
        )
    if "websocket" in only:
        log("bench: websocket")
        results["websocket"] = bench_websocket(svc, size)
    if "scaling" in only:
        log("bench: scaling")
        results["scaling"] = bench_scaling(svc, size)
    if "memory" in only:
        log("bench: memory")
        results["memory"] = bench_memory(svc)
    everything = a.only == ap.get_default("only")
    # a partial run (--only) keeps its own file, so it never overwrites the whole set
    name = "bench" if everything else "bench-" + "-".join(only)
    command = "make bench" if everything else f'make bench BENCH_ARGS="--only {a.only}"'
    if a.tiny:
        name = f"{name}-tiny"
        command = "python -m bench.run --tiny" + ("" if everything else f" --only {a.only}")
    write_results(
        name,
        title="Benchmarks",
        markdown=report(results, size_name),
        data={
            "command": command,
            "size": size,
            "results": results,
        },
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
