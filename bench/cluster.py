"""A Pack-A-Mal deployment in processes: api and workers through docker/entrypoint.sh,
against private servers, plus the observers the chaos suite and benchmarks read from."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import redis

import harness
from bench.common import base_env, pg_connect, role, wait_until
from harness import EventLog, Services, free_port

__all__ = ["EventLog"]  # chaos.py's observers come from here


class Cluster:
    """One api process and any number of named workers, started and killed at will."""

    def __init__(self, svc: Services, tag: str, **env: str | int | float) -> None:
        self.svc = svc
        self.tag = tag
        self.port = free_port()
        defaults: dict[str, str | int | float] = {
            "PORT": self.port,
            "HOST": "127.0.0.1",
            "JOB_LEASE_SECONDS": 3,
            "JOB_RECOVERY_INTERVAL": 1,
            "JOB_REQUEUE_GRACE": 2,
            "JOB_DRAIN_SECONDS": 20,
        }
        defaults.update(env)
        self.env = base_env(svc.env(), **defaults)
        self.api: harness.Role | None = None
        self.workers: dict[str, harness.Role] = {}
        self.retired: list[harness.Role] = []
        self._seq = 0
        self.http = httpx.Client(base_url=self.base_url, timeout=10)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_api(self) -> None:
        self.api = role(f"{self.tag}-api", "api", self.env)
        wait_until(self._healthy, timeout=60, interval=0.1, what="api /healthz")

    def _healthy(self) -> bool:
        try:
            return self.http.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    def start_worker(self, *args: str) -> str:
        self._seq += 1
        name = f"{self.tag}-w{self._seq}"
        self.workers[name] = role(name, "worker", self.env, "--name", name, *args)
        return name

    def wait_workers(self, timeout: float = 60) -> None:
        """Until every live worker has sent a heartbeat (Django start-up takes a while)."""
        r = redis.Redis.from_url(self.svc.redis.url, decode_responses=True)
        wait_until(
            lambda: set(self.workers) <= set(r.zrange(harness.keys().workers, 0, -1)),
            timeout=timeout,
            interval=0.1,
            what="workers to start",
        )
        r.close()

    def retire(self, name: str) -> harness.Role:
        proc = self.workers.pop(name)
        self.retired.append(proc)
        return proc

    def worker_logs(self) -> str:
        return "".join(p.output for p in [*self.workers.values(), *self.retired])

    def stop(self) -> None:
        for p in list(self.workers.values()):
            p.stop(25)
        if self.api:
            self.api.stop(15)
        self.http.close()


def reset_state(svc: Services) -> None:
    """Empty the job table and the private Redis between scenarios."""
    with pg_connect(svc.pg.url) as db:
        db.execute("TRUNCATE package_analysis_job CASCADE")  # reports reference jobs
    redis.Redis.from_url(svc.redis.url).flushdb()


def dispatch_many(
    base_url: str, n: int, params: dict[str, Any], *, concurrency: int = 8
) -> tuple[list[str], dict[int, int]]:
    """POST /dispatch n times; returns accepted ids and a count per status code."""
    codes: dict[int, int] = {}
    ids: list[str] = []
    lock = threading.Lock()
    local = threading.local()

    def one(_: int) -> None:
        if not hasattr(local, "c"):
            local.c = httpx.Client(base_url=base_url, timeout=15)
        try:
            r = local.c.post("/dispatch", json={"task": "simulate", "params": params})
            code = r.status_code
        except httpx.HTTPError:
            code = 0
        with lock:
            codes[code] = codes.get(code, 0) + 1
            if code == 202:
                ids.append(r.json()["id"])

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(n)))
    return ids, codes


class Dispatcher:
    """Dispatches at a steady rate in the background, recording every answer."""

    def __init__(self, base_url: str, rate: float, params: dict[str, Any]) -> None:
        self.base_url, self.rate, self.params = base_url, rate, params
        self.answers: list[tuple[float, int, str | None]] = []  # (monotonic, code, id)
        self.latency: list[tuple[float, float]] = []  # (monotonic, seconds to answer)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as c:
            next_at = time.monotonic()
            while not self._stop.is_set():
                t = time.monotonic()
                try:
                    r = c.post("/dispatch", json={"task": "simulate", "params": self.params})
                    job_id = r.json().get("id") if r.status_code == 202 else None
                    self.answers.append((t, r.status_code, job_id))
                except (httpx.HTTPError, ValueError):
                    self.answers.append((t, 0, None))
                self.latency.append((t, time.monotonic() - t))
                next_at += 1 / self.rate
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    @property
    def accepted(self) -> list[str]:
        return [i for _, c, i in self.answers if c == 202 and i]


class Poller:
    """GETs a path at a steady rate in the background (e.g. /readyz), recording the codes."""

    def __init__(self, url: str, interval: float = 0.1) -> None:
        self.url, self.interval = url, interval
        self.answers: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with httpx.Client(timeout=3) as c:
            while not self._stop.is_set():
                t = time.monotonic()
                try:
                    code = c.get(self.url).status_code
                except httpx.HTTPError:
                    code = 0
                self.answers.append((t, code))
                self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


class WsLog:
    """A WebSocket client on /ws/jobs recording when each frame arrives; reconnects."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self.connects: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        wait_until(lambda: bool(self.connects), timeout=15, what=f"websocket {url}")

    def _run(self) -> None:
        from websockets.sync.client import connect

        while not self._stop.is_set():
            try:
                with connect(self.url, open_timeout=3) as ws:
                    self.connects.append(time.monotonic())
                    while not self._stop.is_set():
                        with contextlib.suppress(TimeoutError):
                            raw = ws.recv(timeout=0.2)
                            with contextlib.suppress(ValueError):
                                self.frames.append((time.monotonic(), json.loads(raw)))
            except Exception:  # any disconnect: reconnect, like a browser would
                self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@dataclass
class Account:
    """What happened to a set of accepted jobs, from the rows and the events."""

    jobs: int
    lost: list[str]
    failed: list[str]
    duplicated: list[str]
    reruns: list[str]
    disagree: list[str]


def account(
    svc: Services,
    ids: Iterable[str],
    events: EventLog,
    worker_logs: str,
    *,
    events_complete: bool = True,
) -> Account:
    """Every accepted job must be `completed` once: rows, job_updates and worker logs agree.

    duplicated: a job completed more than once (two `completed` events, or two workers logging
    its completion). reruns: a job that ran more than one attempt (expected only after a kill).
    disagree: row and events differ (row completed without its event, attempts differ);
    only judged when the event log saw the whole run (`events_complete`).
    """
    ids = list(dict.fromkeys(ids))
    with pg_connect(svc.pg.url) as db:
        rows = {
            str(r[0]): (r[1], r[2])
            for r in db.execute(
                "SELECT id, status, attempts FROM package_analysis_job WHERE id = ANY(%s::uuid[])",
                (ids,),
            ).fetchall()
        }
    completed_ev = events.by_job("completed")
    running_ev = events.by_job("running")
    log_done: dict[str, int] = {}
    for m in re.finditer(r": job ([0-9a-f-]{36}) completed", worker_logs):
        log_done[m.group(1)] = log_done.get(m.group(1), 0) + 1
    lost = [i for i in ids if i not in rows or rows[i][0] not in ("completed", "failed")]
    failed = [i for i in ids if i in rows and rows[i][0] == "failed"]
    dup = [i for i in ids if len(completed_ev.get(i, [])) > 1 or log_done.get(i, 0) > 1]
    reruns = [i for i in ids if (i in rows and rows[i][1] > 1) or len(running_ev.get(i, [])) > 1]
    disagree: list[str] = []
    if events_complete:
        for i in ids:
            ev = completed_ev.get(i, [])
            if (
                i in rows
                and rows[i][0] == "completed"
                and (len(ev) != 1 or ev[0].get("attempts") != rows[i][1])
            ):
                disagree.append(i)
    return Account(len(ids), lost, failed, dup, reruns, disagree)


def wait_events_settled(svc: Services, *, timeout: float = 40) -> None:
    """Until no outcome event is owed (`packamal:jobs:owed` empty): a worker killed between
    its completion UPDATE and its PUBLISH leaves one for the recovery sweep to announce
    once the worker's heartbeat is 10 s stale."""
    r = redis.Redis.from_url(svc.redis.url)
    try:
        wait_until(
            lambda: r.hlen(harness.keys().owed) == 0,
            timeout=timeout,
            interval=0.25,
            what="owed events to be announced",
        )
    except TimeoutError:
        pass  # judged by account(): the events will be missing
    finally:
        r.close()


def wait_finished(svc: Services, ids: list[str], *, timeout: float) -> float:
    """Wait until every id's row is completed or failed; returns how long it took."""
    with pg_connect(svc.pg.url) as db:

        def done() -> bool:
            q = (
                "SELECT count(*) FROM package_analysis_job WHERE id = ANY(%s::uuid[]) "
                "AND status IN ('completed', 'failed')"
            )
            try:
                return db.execute(q, (ids,)).fetchone()[0] >= len(set(ids))
            except Exception:
                return False

        started = time.monotonic()
        try:
            wait_until(done, timeout=timeout, interval=0.25, what="jobs to finish")
        except TimeoutError:
            return float("nan")
        return time.monotonic() - started
