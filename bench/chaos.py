"""The chaos suite: does Pack-A-Mal lose or duplicate jobs under faults? (`make chaos`)

Starts its own PostgreSQL and Redis on spare loopback ports (never the shared ones), runs the
real roles as processes through docker/entrypoint.sh, and injects faults:

1. workers SIGKILLed every couple of seconds (and replaced) under 4 busy workers;
2. workers SIGTERMed mid-job, as an HPA scale-down does;
3. Redis killed and restarted empty (no persistence) mid-run;
4. PostgreSQL stopped (immediate, crash-like) and restarted mid-run;
5. schemathesis fuzzing /openapi.json: no 5xx, every response matches the schema;
6. garbage pushed straight into the Redis list: dead-lettered, the workers keep going;
7. Redis hits `maxmemory` (noeviction) mid-load, then memory is freed: workers keep taking
   work while it is full, dispatch answers 503 queue_full, and everything accepted completes;
8. a 50,000-job lockfile flood from one client: single dispatches keep their pickup p99
   within 2x of the quiet figure, and nothing is lost (bench/fairness.py).

Writes bench/results/chaos.md and chaos.json; exits non-zero when any job was lost or
duplicated, or a scenario's own check failed. `--short` is the quick run inside `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis

from bench.cluster import (
    Account,
    Cluster,
    Dispatcher,
    EventLog,
    Poller,
    WsLog,
    account,
    dispatch_many,
    reset_state,
    wait_events_settled,
    wait_finished,
)
from bench.common import (
    LOGS,
    RESULTS,
    VENV_BIN,
    base_env,
    fmt,
    log,
    md_table,
    migrate,
    pg_connect,
    stop_on_sigterm,
)
from harness import Services


@dataclass
class Outcome:
    scenario: str
    jobs: int
    lost: int
    duplicated: int
    recovery_s: float | None
    notes: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    events_missing: int | None = None  # None: not judged (the event stream had an outage)


STRICT_EVENTS = True  # a completed row without its one `completed` event fails the scenario


def _judge(name: str, acc: Account, recovery: float | None, notes: str, **data: Any) -> Outcome:
    problems = []
    warnings = []
    if acc.lost:
        problems.append(f"{len(acc.lost)} lost, e.g. {acc.lost[:3]}")
    if acc.failed:
        problems.append(f"{len(acc.failed)} failed, e.g. {acc.failed[:3]}")
    if acc.duplicated:
        problems.append(f"{len(acc.duplicated)} completed twice, e.g. {acc.duplicated[:3]}")
    if acc.disagree:
        (problems if STRICT_EVENTS else warnings).append(
            f"{len(acc.disagree)} completed rows without exactly one `completed` event on "
            f"job_updates, e.g. {acc.disagree[:3]}"
        )
    out = Outcome(
        name,
        acc.jobs,
        len(acc.lost) + len(acc.failed),
        len(acc.duplicated),
        recovery,
        notes,
        not problems,
        problems + warnings,
        data,
    )
    out.events_missing = len(acc.disagree)
    return out


# ---------------------------------------------------------------- 1. SIGKILL


def scenario_kill(svc: Services, *, jobs: int, every: float) -> Outcome:
    """4 workers on short sleep jobs; a random worker SIGKILLed every `every` s and replaced."""
    reset_state(svc)
    c = Cluster(svc, "kill")
    events = EventLog(svc.redis.url)
    c.start_api()
    for _ in range(4):
        c.start_worker()
    c.wait_workers()
    t0 = time.monotonic()
    ids, codes = dispatch_many(c.base_url, jobs, {"seconds": 0.2, "mode": "sleep"})
    kills: list[tuple[float, str, list[str]]] = []
    r = redis.Redis.from_url(svc.redis.url, decode_responses=True)
    with pg_connect(svc.pg.url) as db:

        def remaining() -> int:
            return db.execute(
                "SELECT count(*) FROM package_analysis_job WHERE status IN ('queued', 'running')"
            ).fetchone()[0]

        time.sleep(1.0)
        while remaining() > 4 * 3:
            victim = random.choice(list(c.workers))
            c.workers[victim].kill()
            at = time.monotonic()
            held = [
                str(x[0])
                for x in db.execute(
                    "SELECT id FROM package_analysis_job WHERE worker = %s AND status = 'running'",
                    (victim,),
                ).fetchall()
            ]
            for raw in r.lrange(f"packamal:jobs:processing:{victim}", 0, -1):
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    held.append(str(json.loads(raw)["id"]))
            kills.append((at, victim, held))
            c.retire(victim)
            c.start_worker()
            time.sleep(every * random.uniform(0.7, 1.3))
    wait_finished(svc, ids, timeout=120)
    took = time.monotonic() - t0
    wait_events_settled(svc)
    time.sleep(0.5)
    events.stop()
    acc = account(svc, ids, events, c.worker_logs())
    # Recovered: the job is claimable again (a `queued` event from the lease sweep) or is
    # claimed again (`running`), whichever the event stream shows first after the kill.
    back: dict[str, list[float]] = {}
    for t, e in events.events:
        if e.get("event") in ("queued", "running"):
            back.setdefault(str(e.get("id")), []).append(t)
    recoveries = []
    for at, _, held in kills:
        for j in held:
            later = [t for t in back.get(j, []) if t > at]
            if later:
                recoveries.append(min(later) - at)
    c.stop()
    in_flight = sum(len(h) for _, _, h in kills)
    notes = (
        f"{len(kills)} SIGKILLs, {in_flight} jobs in flight at a kill, "
        f"{len(acc.reruns)} re-run after their worker died; "
        f"all done {took:.1f}s after the first dispatch"
    )
    out = _judge(
        f"1. worker SIGKILL every ~{every:g}s",
        acc,
        max(recoveries, default=None),
        notes,
        kills=len(kills),
        codes=codes,
        recoveries_s=sorted(recoveries),
    )
    if codes.get(202, 0) != jobs:
        out.ok = False
        out.problems.append(f"dispatch answers {codes}")
    return out


# ---------------------------------------------------------------- 2. SIGTERM


def scenario_term(svc: Services, *, jobs: int, terms: int) -> Outcome:
    """Busy workers SIGTERMed mid-job: each finishes its job (drain), exits 0; none runs twice."""
    reset_state(svc)
    c = Cluster(svc, "term", JOB_DRAIN_SECONDS=20)
    events = EventLog(svc.redis.url)
    c.start_api()
    for _ in range(4):
        c.start_worker()
    c.wait_workers()
    t_start = time.monotonic()
    ids, codes = dispatch_many(c.base_url, jobs, {"seconds": 0.5, "mode": "sleep"})
    exits: list[tuple[str, int | None, float]] = []
    with pg_connect(svc.pg.url) as db:
        time.sleep(1.0)
        for _ in range(terms):
            busy = [
                str(w[0])
                for w in db.execute(
                    "SELECT DISTINCT worker FROM package_analysis_job WHERE status = 'running'"
                ).fetchall()
                if w[0] in c.workers
            ]
            if not busy:
                break
            victim = random.choice(busy)
            proc = c.workers[victim]
            t0 = time.monotonic()
            proc.signal(signal.SIGTERM)
            c.retire(victim)
            c.start_worker()
            code = proc.wait(30)
            exits.append((victim, code, time.monotonic() - t0))
            time.sleep(random.uniform(0.3, 1.0))
    wait_finished(svc, ids, timeout=120)
    took = time.monotonic() - t_start
    wait_events_settled(svc)
    time.sleep(0.5)
    events.stop()
    acc = account(svc, ids, events, c.worker_logs())
    c.stop()
    bad_exits = [e for e in exits if e[1] != 0]
    longest = max((e[2] for e in exits), default=None)
    notes = (
        f"{len(exits)} busy workers SIGTERMed, exit codes {sorted({e[1] for e in exits})}, "
        f"longest drain {fmt(longest, 2)}s; {len(acc.reruns)} ran twice; done in {took:.1f}s"
    )
    out = _judge("2. worker SIGTERM mid-job", acc, longest, notes, exits=exits, codes=codes)
    # Here a second run is a duplicate too: a drained worker finishes its job itself.
    if acc.reruns:
        out.duplicated = len(set(acc.reruns) | set(acc.duplicated))
        out.ok = False
        out.problems.append(f"{len(acc.reruns)} jobs ran twice, e.g. {acc.reruns[:3]}")
    if bad_exits:
        out.ok = False
        out.problems.append(f"workers exited non-zero or hung: {bad_exits}")
    return out


# ---------------------------------------------------------------- 3. Redis restart


def _first_after(times: list[float], t: float) -> float | None:
    later = [x for x in times if x >= t]
    return min(later) - t if later else None


def scenario_redis(svc: Services, *, before: float, down: float, after: float) -> Outcome:
    """Redis killed and restarted empty while jobs flow; every accepted job still completes."""
    reset_state(svc)
    c = Cluster(svc, "redis")
    c.start_api()
    names = [c.start_worker() for _ in range(4)]
    c.wait_workers()
    events = EventLog(svc.redis.url)
    ws = WsLog(f"ws://127.0.0.1:{c.port}/ws/jobs")
    disp = Dispatcher(c.base_url, rate=20, params={"seconds": 0.1, "mode": "sleep"})
    time.sleep(before)
    t_kill = time.monotonic()
    svc.redis.kill()
    time.sleep(down)
    svc.redis.start()
    t_up = time.monotonic()
    up_wall = datetime.now(UTC)
    time.sleep(after)
    disp.stop()
    ids = disp.accepted
    took = wait_finished(svc, ids, timeout=90)
    wait_events_settled(svc)
    time.sleep(0.5)
    events.stop()
    ws.stop()
    with pg_connect(svc.pg.url) as db:
        firsts = dict(
            db.execute(
                "SELECT worker, min(started_at) FROM package_analysis_job "
                "WHERE started_at >= %s GROUP BY worker",
                (up_wall,),
            ).fetchall()
        )
    worker_reconnect = {n: (firsts[n] - up_wall).total_seconds() for n in names if n in firsts}
    ws_back = _first_after([t for t, _ in ws.frames], t_up)
    acc = account(svc, ids, events, c.worker_logs(), events_complete=False)
    c.stop()
    during = [code for t, code, _ in disp.answers if t_kill <= t < t_up]
    non202 = {code for t, code, _ in disp.answers if code != 202}
    longest = max([*worker_reconnect.values(), ws_back or 0.0], default=None)
    notes = (
        f"Redis down {down:.0f}s; dispatch answered {len(during)}x during the outage, "
        f"codes {sorted(set(during))}; workers reconnected after "
        f"{', '.join(f'{v:.2f}' for v in sorted(worker_reconnect.values()))}s; "
        f"api subscriber (WebSocket frames) after {fmt(ws_back, 2)}s; done in {took:.1f}s"
    )
    out = _judge(
        "3. Redis restart (no persistence)",
        acc,
        longest,
        notes,
        worker_reconnect_s=worker_reconnect,
        websocket_reconnect_s=ws_back,
        dispatch_codes_during_outage=during,
    )
    out.events_missing = None  # Pub/Sub drops events while Redis is down: not judged
    if non202:
        out.ok = False
        out.problems.append(f"dispatch answered {sorted(non202)} while Postgres was up")
    if len(worker_reconnect) < len(names):
        out.ok = False
        out.problems.append(
            f"workers that never took a job after the restart: "
            f"{sorted(set(names) - set(worker_reconnect))}"
        )
    if ws_back is None:
        out.ok = False
        out.problems.append("no WebSocket frame after Redis came back")
    return out


# ---------------------------------------------------------------- 4. Postgres restart


def scenario_postgres(svc: Services, *, before: float, down: float, after: float) -> Outcome:
    """PostgreSQL stopped (immediate) and restarted: nothing lost; /readyz follows it."""
    reset_state(svc)
    c = Cluster(svc, "pg")
    c.start_api()
    for _ in range(4):
        c.start_worker()
    c.wait_workers()
    events = EventLog(svc.redis.url)
    ready = Poller(f"{c.base_url}/readyz", 0.1)
    disp = Dispatcher(c.base_url, rate=20, params={"seconds": 0.1, "mode": "sleep"})
    time.sleep(before)
    t_down = time.monotonic()
    svc.pg.stop("immediate")
    time.sleep(down)
    svc.pg.start()
    t_up = time.monotonic()
    time.sleep(after)
    disp.stop()
    ids = disp.accepted
    took = wait_finished(svc, ids, timeout=90)
    ready.stop()
    wait_events_settled(svc)
    time.sleep(0.5)
    events.stop()
    acc = account(svc, ids, events, c.worker_logs())
    c.stop()
    not_ready = _first_after([t for t, code in ready.answers if code == 503], t_down)
    ready_again = _first_after([t for t, code in ready.answers if code == 200], t_up)
    during = sorted({code for t, code, _ in disp.answers if t_down <= t < t_up})
    slowest = max((dt for t, dt in disp.latency if t_down <= t < t_up), default=None)
    after_codes = [code for t, code, _ in disp.answers if t >= t_up]
    after_bad = [code for code in after_codes if code != 202]
    other_5xx = sorted({code for _, code, _ in disp.answers if code >= 500 and code != 503})
    notes = (
        f"Postgres down {down:.0f}s; /readyz 503 {fmt(not_ready, 2)}s after the stop, 200 "
        f"{fmt(ready_again, 2)}s after the start; dispatch during the outage answered {during} "
        f"(slowest {fmt(slowest, 1)}s); "
        f"{len(after_bad)} non-202 after it; done in {took:.1f}s"
    )
    out = _judge(
        "4. PostgreSQL restart",
        acc,
        ready_again,
        notes,
        readyz_503_after_s=not_ready,
        readyz_200_after_s=ready_again,
    )
    if not_ready is None or ready_again is None:
        out.ok = False
        out.problems.append("/readyz did not go 503 during the outage and 200 after")
    if 0 in during:
        out.ok = False
        out.problems.append("dispatch did not answer within 30 s during the outage")
    if other_5xx:
        out.ok = False
        out.problems.append(f"dispatch answered {other_5xx} (expected 503 while Postgres is down)")
    if after_bad:
        out.problems.append(f"dispatch after Postgres came back answered {sorted(set(after_bad))}")
        out.ok = False
    return out


# ---------------------------------------------------------------- 5. fuzzing


def scenario_fuzz(svc: Services, *, examples: int, min_requests: int) -> Outcome:
    """schemathesis against /openapi.json: zero 5xx, every response conforms to the schema.

    One worker thread: with two, hypothesis describes strategies (ast.parse of lambdas) in
    both threads at once, and CPython 3.11 keeps the AST constructor's recursion counter in
    per-interpreter state, so the threads corrupt it (CPython gh-106905): a random
    `SystemError: AST constructor recursion depth mismatch` inside the fuzzer. schemathesis
    reports such a crash as an <error> in its JUnit report and a failed check as a
    <failure>; they are told apart here. A fuzzer crash is retried once with the same seed
    and, if it persists, fails the scenario as a fuzzer error, never as the API's."""
    reset_state(svc)
    c = Cluster(svc, "fuzz")
    c.start_api()
    t0 = time.monotonic()
    run = _schemathesis(c.base_url, examples)
    retried = False
    if run.errors and not run.failures and not run.fives:
        log(f"chaos: the fuzzer itself crashed ({run.errors[0][:120]}); once more, same seed")
        run, retried = _schemathesis(c.base_url, examples), True
    took = time.monotonic() - t0
    c.stop()
    notes = (
        f"{len(run.statuses)} generated requests in {took:.0f}s, {len(run.fives)} answered "
        f"5xx, {len(run.failures)} failed checks, {len(run.errors)} fuzzer errors"
        f"{' (after one retry of a fuzzer crash)' if retried else ''}; schemathesis exit "
        f"{run.exit} (checks: no 5xx, status code, content type, response schema, "
        f"response headers; 1 worker, seed 5)"
    )
    o = Outcome("5. schemathesis fuzzing", 0, 0, 0, None, notes, True, data={
        "requests": len(run.statuses),
        "status_counts": {s: run.statuses.count(s) for s in set(run.statuses)},
        "failures": run.failures, "fuzzer_errors": run.errors, "retried": retried,
    })  # fmt: skip
    tail = "\n".join(run.stdout.splitlines()[-40:])
    if run.failures or run.fives:
        o.ok = False
        o.problems.append(f"the API failed checks: {run.failures[:5]} 5xx={len(run.fives)}\n{tail}")
    elif run.errors:
        o.ok = False
        o.problems.append(f"fuzzer error, not an API failure: {run.errors[:3]}")
    elif run.exit != 0:
        o.ok = False
        o.problems.append(f"schemathesis exited {run.exit} with no failure or error:\n{tail}")
    if len(run.statuses) < min_requests:
        o.ok = False
        o.problems.append(f"only {len(run.statuses)} requests generated (want {min_requests})")
    return o


@dataclass
class FuzzRun:
    exit: int
    statuses: list[int]
    fives: list[int]
    failures: list[str]  # failed checks: the API's fault
    errors: list[str]  # the fuzzer's own errors (schemathesis, hypothesis, Python)
    stdout: str


def _schemathesis(base_url: str, examples: int) -> FuzzRun:
    har, junit = LOGS / "schemathesis.har", LOGS / "schemathesis.junit.xml"
    har.unlink(missing_ok=True)
    junit.unlink(missing_ok=True)
    argv = [
        str(VENV_BIN / "schemathesis"), "run", f"{base_url}/openapi.json",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,response_headers_conformance",
        "--max-examples", str(examples), "--workers", "1", "--seed", "5",
        "--phases", "examples,coverage,fuzzing", "--suppress-health-check", "all",
        "--report", "har,junit", "--report-har-path", str(har),
        "--report-junit-path", str(junit), "--request-timeout", "10",
    ]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, cwd=LOGS, timeout=900)
    with (LOGS / "schemathesis.log").open("a") as f:
        f.write(out.stdout + out.stderr)
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    statuses = [int(e["response"]["status"]) for e in entries]
    failures: list[str] = []
    errors: list[str] = []
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314
            for el in case.findall("failure"):
                failures.append(f"{case.get('name')}: {(el.get('message') or el.text or '')[:200]}")
            for el in case.findall("error"):
                errors.append(f"{case.get('name')}: {(el.get('message') or el.text or '')[:300]}")
    elif out.returncode != 0:
        errors.append(f"no JUnit report; stderr: {out.stderr[-300:]}")
    fives = [s for s in statuses if s >= 500]
    return FuzzRun(out.returncode, statuses, fives, failures, errors, out.stdout)


# ---------------------------------------------------------------- 6. garbage


def scenario_garbage(svc: Services, *, good: int) -> Outcome:
    """Garbage LPUSHed straight into the queue is dead-lettered; workers carry on."""
    reset_state(svc)
    c = Cluster(svc, "garbage")
    c.start_api()
    for _ in range(2):
        c.start_worker()
    c.wait_workers()
    events = EventLog(svc.redis.url)
    garbage: list[bytes] = [
        b"not json at all",
        b"",
        b"{",
        b"null",
        b"[1, 2, 3]",
        b'"just a string"',
        b"{}",
        b'{"id": null}',
        b'{"id": 12345}',
        b'{"id": "not-a-uuid"}',
        json.dumps({"id": str(uuid.uuid4()), "task": "simulate", "params": {}}).encode(),
        json.dumps({"id": str(uuid.uuid4()), "params": {"x": "y" * 1_000_000}}).encode(),
        b"x" * 5_000_000,
        b"\xff\xfe\x00 binary \x80\x81",
        json.dumps({"id": [str(uuid.uuid4())]}).encode(),
        b'{"id": "' + b"9" * 100_000 + b'"}',
    ]
    r = redis.Redis.from_url(svc.redis.url)
    before, _ = dispatch_many(c.base_url, good // 2, {"seconds": 0, "mode": "sleep"})
    for g in garbage:
        r.lpush("packamal:jobs", g)
    after, _ = dispatch_many(c.base_url, good - good // 2, {"seconds": 0, "mode": "sleep"})
    ids = before + after
    took = wait_finished(svc, ids, timeout=60)
    time.sleep(3)  # let every garbage message be taken
    wait_events_settled(svc)
    events.stop()
    acc = account(svc, ids, events, c.worker_logs())
    dead = r.llen("packamal:jobs:dead")
    queue_left = r.llen("packamal:jobs")
    processing = sum(r.llen(k) for k in r.scan_iter(match="packamal:jobs:processing:*"))
    alive = [n for n, p in c.workers.items() if p.alive()]
    c.stop()
    notes = (
        f"{len(garbage)} garbage messages (not JSON, not objects, bad/unknown ids, 5 MB values, "
        f"binary) → {dead} dead-lettered, {queue_left} left in the queue, {processing} stuck in "
        f"processing lists; {len(alive)}/2 workers alive; {good} good jobs around them "
        f"{'all completed' if took == took else 'NOT all completed'}"
    )
    out = _judge("6. garbage in the queue", acc, None, notes, dead_lettered=dead)
    if dead != len(garbage) or len(alive) != 2 or queue_left or processing:
        out.ok = False
        out.problems.append(
            f"dead-lettered {dead} of {len(garbage)}, queue {queue_left}, "
            f"processing {processing}, workers alive {alive}"
        )
    return out


# ---------------------------------------------------------------- 7. Redis maxmemory


def scenario_maxmemory(svc: Services, *, backlog: int, hold: float) -> Outcome:
    """Redis at maxmemory (noeviction) mid-load, then freed. While full: workers keep taking
    work, dispatch answers 503 queue_full (no row), /readyz says so. After: every accepted
    job completes exactly once; the figure is the time to drain after memory returns."""
    reset_state(svc)
    c = Cluster(svc, "oom")
    c.start_api()
    for _ in range(4):
        c.start_worker()
    c.wait_workers()
    events = EventLog(svc.redis.url)
    ready = Poller(f"{c.base_url}/readyz", 0.2)
    r = redis.Redis.from_url(svc.redis.url, decode_responses=True)
    params = {"seconds": 0.05, "mode": "sleep"}
    first, _ = dispatch_many(c.base_url, backlog, params)  # a backlog behind busy workers
    disp = Dispatcher(c.base_url, rate=20, params=params)
    time.sleep(1.0)
    used = int(r.info("memory")["used_memory"])  # type: ignore[index]
    r.config_set("maxmemory", used - 1024)
    t_full = time.monotonic()
    with pg_connect(svc.pg.url) as db:
        done_at_full = db.execute(
            "SELECT count(*) FROM package_analysis_job WHERE status = 'completed'"
        ).fetchone()[0]
        time.sleep(hold)
        done_while_full = (
            db.execute(
                "SELECT count(*) FROM package_analysis_job WHERE status = 'completed'"
            ).fetchone()[0]
            - done_at_full
        )
    r.config_set("maxmemory", 0)
    t_freed = time.monotonic()
    time.sleep(2.0)
    disp.stop()
    ids = first + disp.accepted
    with pg_connect(svc.pg.url) as db:
        drain = wait_until_all_done(db, ids, timeout=120)
    drained_after = drain - t_freed if drain is not None else None
    ready.stop()
    wait_events_settled(svc)
    time.sleep(0.5)
    events.stop()
    acc = account(svc, ids, events, c.worker_logs())
    with pg_connect(svc.pg.url) as db:
        rows = db.execute("SELECT count(*) FROM package_analysis_job").fetchone()[0]
        twice = db.execute(
            "SELECT count(*) FROM package_analysis_job WHERE attempts > 1"
        ).fetchone()[0]
    c.stop()
    during = [code for t, code, _ in disp.answers if t_full <= t < t_freed]
    full_codes = sorted(set(during))
    n503 = during.count(503)
    n202_full = during.count(202)
    not_ready = _first_after([t for t, code in ready.answers if code == 503], t_full)
    ready_again = _first_after([t for t, code in ready.answers if code == 200], t_freed)
    notes = (
        f"{backlog} queued, then maxmemory set under used memory for {hold:.0f}s while "
        f"dispatching 20/s: workers completed {done_while_full} jobs while Redis was full; "
        f"dispatch answered {n503}x 503 and {n202_full}x 202 during it (202: Redis had room "
        f"again for a moment as workers freed memory, or the row was accepted knowingly and "
        f"recovery pushed it); /readyz 503 after {fmt(not_ready, 2)}s, 200 again "
        f"{fmt(ready_again, 2)}s after memory returned; all {len(ids)} accepted jobs done "
        f"{fmt(drained_after, 2)}s after memory returned; {rows} rows for {len(ids)} 202s"
    )
    out = _judge(
        "7. Redis at maxmemory, then freed", acc, drained_after, notes,
        completed_while_full=done_while_full, dispatch_codes_while_full=full_codes,
        refused_503=n503, accepted_knowingly=n202_full, drain_after_freed_s=drained_after,
    )  # fmt: skip
    if done_while_full == 0:
        out.ok = False
        out.problems.append("no job completed while Redis was at maxmemory")
    if n503 == 0 or not set(full_codes) <= {202, 503}:
        out.ok = False
        out.problems.append(f"dispatch while full answered {full_codes} (want 503s)")
    if not_ready is None or ready_again is None:
        out.ok = False
        out.problems.append("/readyz did not go 503 while full and 200 after")
    if drained_after is None:
        out.ok = False
        out.problems.append("accepted jobs did not all complete within 120 s of memory returning")
    if rows != len(ids) or twice:
        out.ok = False
        out.problems.append(f"{rows} rows for {len(ids)} accepted; {twice} ran more than once")
    return out


def wait_until_all_done(db: Any, ids: list[str], *, timeout: float) -> float | None:
    """The monotonic time at which every job in ids was completed or failed (None: timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = db.execute(
            "SELECT count(*) FROM package_analysis_job WHERE id = ANY(%s::uuid[]) "
            "AND status NOT IN ('completed', 'failed')",
            (ids,),
        ).fetchone()[0]
        if left == 0:
            return time.monotonic()
        time.sleep(0.05)
    return None


# ---------------------------------------------------------------- 8. lockfile flood


def scenario_flood(svc: Services, *, flood: int, singles: int, strict: bool) -> Outcome:
    """Single dispatches behind a lockfile flood: pickup p99 within 2x of quiet, none lost.
    The short run (60 samples: p99 is the slowest) reports the ratio without judging it."""
    from bench import fairness

    f = fairness.run(svc, flood=flood, singles=singles, workers=4)
    quiet, busy = f.p("quiet", 99), f.p("flood", 99)
    ratio = busy / quiet
    out = Outcome(
        "8. lockfile flood",
        f.flood_jobs + 2 * singles,
        len(f.lost) + f.singles_unfinished,
        f.twice,
        None,
        f"{fmt(f.flood_jobs, 0)} jobs from 1 client via /analyze/lockfile; single-dispatch "
        f"pickup p99 {quiet:.0f} ms quiet, {busy:.0f} ms behind the flood ({ratio:.2f}x; "
        f"limit 2x); {fmt(f.flood_done, 0)} flood jobs finished, the rest queued with their "
        "messages; none lost, none run twice",
        True,
        data={"quiet_p99_ms": quiet, "flood_p99_ms": busy, "ratio": ratio},
    )
    if ratio > 2:
        out.ok = out.ok and not strict
        out.problems.append(f"single-dispatch pickup p99 {ratio:.2f}x the quiet figure (> 2x)")
    if f.lost or f.twice or f.singles_unfinished:
        out.ok = False
        out.problems.append(
            f"{len(f.lost)} flood jobs queued without a message, {f.twice} run twice, "
            f"{f.singles_unfinished} single dispatches unfinished"
        )
    if f.flood_jobs != flood:
        out.ok = False
        out.problems.append(f"{f.flood_jobs} flood jobs accepted of {flood}")
    return out


# ---------------------------------------------------------------- run


SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "kill_jobs": 1000,
        "kill_every": 2.0,
        "term_jobs": 200,
        "terms": 8,
        "redis": {"before": 5.0, "down": 3.0, "after": 5.0},
        "pg": {"before": 5.0, "down": 4.0, "after": 5.0},
        "fuzz": 500,
        "fuzz_min": 1000,
        "good": 40,
        "oom": {"backlog": 400, "hold": 5.0},
        "flood": {"flood": 50_000, "singles": 300},
    },
    "short": {
        "kill_jobs": 150,
        "kill_every": 2.0,
        "term_jobs": 40,
        "terms": 3,
        "redis": {"before": 2.0, "down": 2.0, "after": 3.0},
        "pg": {"before": 2.0, "down": 3.0, "after": 3.0},
        "fuzz": 80,
        "fuzz_min": 200,
        "good": 10,
        "oom": {"backlog": 100, "hold": 3.0},
        "flood": {"flood": 5_000, "singles": 60},
    },
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--short", action="store_true", help="the quick run inside `make test`")
    ap.add_argument("--only", default="12345678", help="scenario numbers to run, e.g. 136")
    ap.add_argument("--no-write", action="store_true", help="do not write bench/results/")
    a = ap.parse_args()
    stop_on_sigterm()
    size = SIZES["short" if a.short else "full"]
    global STRICT_EVENTS
    # The short run inside `make test` reports a missing event; the full run fails on it.
    STRICT_EVENTS = not a.short
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    log("chaos: starting private PostgreSQL and Redis")
    svc = Services()
    migrate(base_env(svc.env()))
    runs = {
        "1": lambda: scenario_kill(svc, jobs=size["kill_jobs"], every=size["kill_every"]),
        "2": lambda: scenario_term(svc, jobs=size["term_jobs"], terms=size["terms"]),
        "3": lambda: scenario_redis(svc, **size["redis"]),
        "4": lambda: scenario_postgres(svc, **size["pg"]),
        "5": lambda: scenario_fuzz(svc, examples=size["fuzz"], min_requests=size["fuzz_min"]),
        "6": lambda: scenario_garbage(svc, good=size["good"]),
        "7": lambda: scenario_maxmemory(svc, **size["oom"]),
        "8": lambda: scenario_flood(svc, **size["flood"], strict=not a.short),
    }
    outcomes: list[Outcome] = []
    for key in a.only:
        log(f"chaos: scenario {key}")
        t0 = time.monotonic()
        try:
            o = runs[key]()
        except Exception as exc:  # a scenario that breaks is a failed scenario, not a crash
            o = Outcome(f"{key}. (crashed)", 0, 0, 0, None, repr(exc), False, [repr(exc)])
        o.data["seconds"] = round(time.monotonic() - t0, 1)
        outcomes.append(o)
        log(f"chaos: {o.scenario}: {'ok' if o.ok else 'FAILED'} — {o.notes}")
        for p in o.problems:
            log(f"chaos:   problem: {p}")
    table = md_table(
        [
            "scenario",
            "jobs",
            "lost",
            "duplicated",
            "events missing",
            "longest recovery",
            "result",
            "notes",
        ],
        [
            [
                o.scenario,
                fmt(o.jobs) if o.jobs else "-",
                o.lost,
                o.duplicated,
                "-" if o.events_missing is None else o.events_missing,
                f"{o.recovery_s:.2f} s" if o.recovery_s is not None else "-",
                "pass" if o.ok else "**FAIL**",
                o.notes,
            ]
            for o in outcomes
        ],
    )
    cmd = "make test-chaos" if a.short else "make chaos"
    explain = (
        "\n\nLongest recovery: (1) from a SIGKILL until the slowest job the killed worker "
        "held is claimable (`queued` event) or claimed (`running`) again; (2) the longest "
        "SIGTERM-to-exit drain; (3) the slowest worker's "
        "first claim, or the first WebSocket frame, after Redis came back; (4) /readyz back "
        "to 200 after PostgreSQL came back; (7) from Redis memory returning until every "
        "accepted job was done. Duplicated: a job completed twice (two "
        "`completed` events on `job_updates`, or two workers logging it), and for (2) also a "
        "job that ran twice. Lost: an accepted (202) job not `completed` at the end. Events "
        "missing: `completed` rows without exactly one `completed` event on `job_updates` "
        "(not judged across a Redis outage, when Pub/Sub drops events by design).\n"
    )
    if not a.no_write:
        from bench.common import write_results

        write_results(
            "chaos-short" if a.short else "chaos",
            title="Chaos suite",
            markdown=table + explain,
            data={"command": cmd, "scenarios": [o.__dict__ for o in outcomes]},
        )
    else:
        print(table)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        print(f"FAILED {o.scenario}: " + "; ".join(o.problems), file=sys.stderr)
    print(f"chaos: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())


_ = RESULTS  # results live there (write_results)
