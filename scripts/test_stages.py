"""`make test`: every check CI runs, as stages; lanes that share no state run side by side.

    python scripts/test_stages.py TARGET...          # make test passes its TEST_TARGETS
    python scripts/test_stages.py --list TARGET...   # the plan

Each stage is one make target; its output goes to artifacts/test/<stage>.log, and a stage
that fails prints the end of its log. A lane is a sequence of stages; lanes run at the same
time because none shares state with another: the backend tests, the e2e tests and the image
tests each get a private Redis server (the harness's), and PostgreSQL databases of their own
names; the chaos suite starts its own servers. After the first failure no new stage starts.
At the end a table gives every stage's time, and the lanes' total.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOGS = REPO / "artifacts" / "test"


@dataclass
class Lane:
    name: str
    stages: list[str]
    private_redis: bool = False  # its tests flush their Redis db: a server of its own
    database_suffix: str = ""  # a database name of its own (pytest-django's test_<name> too)


# Run one after another before the lanes: what every lane builds on (one frontend build,
# reused by the e2e tests and the bundle-size check).
PREPARE = ["system-deps", "frontend-deps", "frontend-build"]
LANES = [
    Lane(
        "checks",
        ["lint", "typecheck", "migrations-check", "docs-check", "frontend-checks", "deploy-checks"],
    ),
    Lane("backend", ["test-backend-platform"], private_redis=True),
    Lane("engine", ["test-backend-engine"], private_redis=True, database_suffix="_engine"),
    Lane("web", ["test-role-smoke", "test-frontend-e2e"], private_redis=True),
    Lane("chaos", ["test-chaos"]),
    Lane(
        "image",
        ["image-bases", "image", "test-image", "test-fresh-machine"],
        private_redis=True,
    ),
]


# A target of TEST_TARGETS that the plan runs as several stages.
SPLIT = {
    "test-backend": ["test-backend-platform", "test-backend-engine"],
    "test-frontend": ["frontend-checks", "test-frontend-e2e"],
    "test-deploy": ["deploy-checks", "test-role-smoke"],
    "test-image": ["image-bases", "image", "test-image"],
}


def plan(targets: list[str]) -> list[Lane]:
    """The lanes for these targets (make's TEST_TARGETS): the plan's stages they name, and
    any target the plan does not know at the end of the first lane, so a check added to
    TEST_TARGETS in an mk/*.mk file runs without an edit here."""
    wanted = [stage for target in targets for stage in SPLIT.get(target, [target])]
    known = {stage for lane in LANES for stage in lane.stages}
    lanes = [
        Lane(ln.name, [s for s in ln.stages if s in wanted], ln.private_redis, ln.database_suffix)
        for ln in LANES
    ]
    lanes[0].stages += [stage for stage in wanted if stage not in known]
    return [lane for lane in lanes if lane.stages]


@dataclass
class Result:
    stage: str
    lane: str
    seconds: float = 0.0
    status: str = "not run"
    log: Path = field(default_factory=Path)


class Runner:
    def __init__(self) -> None:
        self.failed = threading.Event()
        self.done = threading.Event()
        self.results: list[Result] = []
        self.lock = threading.Lock()
        self.start = time.monotonic()
        self.running: dict[str, float] = {}  # stage → when it started

    def heartbeat(self, every: float = 120) -> None:
        """Every `every` s, what is still running: a quiet log is not a hung one."""
        while not self.done.wait(every):
            now = time.monotonic()
            with self.lock:
                running = ", ".join(f"{s} {minutes(now - t)}" for s, t in self.running.items())
            if running:
                self.say(f"running: {running}")

    def say(self, message: str) -> None:
        with self.lock:
            print(f"[{self.clock()}] test: {message}", flush=True)

    def clock(self) -> str:
        seconds = int(time.monotonic() - self.start)
        return f"{seconds // 60:02d}:{seconds % 60:02d}"

    def stage(self, stage: str, lane: str, env: dict[str, str]) -> bool:
        result = Result(stage, lane, log=LOGS / f"{stage}.log")
        with self.lock:
            self.results.append(result)
        if self.failed.is_set():
            result.status = "skipped"
            return False
        self.say(f"{stage} ({lane}) started")
        began = time.monotonic()
        with self.lock:
            self.running[stage] = began
        with result.log.open("w") as out:
            done = subprocess.run(
                ["make", "--no-print-directory", stage],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        result.seconds = time.monotonic() - began
        with self.lock:
            self.running.pop(stage, None)
        result.status = "ok" if done.returncode == 0 else "FAILED"
        self.say(f"{stage} ({lane}) {result.status.lower()} in {minutes(result.seconds)}")
        if done.returncode != 0:
            self.failed.set()
            tail = result.log.read_text(errors="replace").splitlines()[-60:]
            with self.lock:
                print(f"\n----- the end of {result.log.relative_to(REPO)} -----", flush=True)
                print("\n".join(tail), flush=True)
                print("-----\n", flush=True)
        return done.returncode == 0

    def lane(self, lane: Lane, env: dict[str, str]) -> None:
        for stage in lane.stages:
            if not self.stage(stage, lane.name, env):
                return


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def lane_env(lane: Lane, servers: list) -> dict[str, str]:
    # What the preparation and the image lane built is reused, never rebuilt by a later stage.
    env = {**os.environ, "FRONTEND_BUILT": "1", "IMAGE_BUILT": "1"}
    import harness  # the venv exists by now (make setup)

    if lane.private_redis:
        redis = harness.Redis().start()
        servers.append(redis)
        env["REDIS_URL"] = redis.url
    if lane.database_suffix:
        url, _ = harness.ensure()
        env["DATABASE_URL"] = harness.with_path(
            url, harness.services.database_name(url) + lane.database_suffix
        )
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", help="make's TEST_TARGETS")
    parser.add_argument("--list", action="store_true", help="print the plan and exit")
    args = parser.parse_args(argv)
    lanes = plan(args.targets)
    if args.list:
        print("prepare: " + " → ".join(PREPARE))
        for lane in lanes:
            print(f"lane {lane.name}: " + " → ".join(lane.stages))
        return 0
    LOGS.mkdir(parents=True, exist_ok=True)
    # SIGTERM (a CI timeout, a kill) exits through `finally`: the private servers go too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    runner = Runner()
    sys.path.insert(0, str(REPO))
    for stage in PREPARE:
        if not runner.stage(stage, "prepare", dict(os.environ)):
            return report(runner)
    servers: list = []
    threading.Thread(target=runner.heartbeat, daemon=True).start()
    try:
        threads = [
            threading.Thread(target=runner.lane, args=(lane, lane_env(lane, servers)))
            for lane in lanes
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        runner.done.set()
        for server in servers:
            server.destroy()
    return report(runner)


def report(runner: Runner) -> int:
    total = time.monotonic() - runner.start
    print("\nstage                  lane      time           result", flush=True)
    order = {lane: i for i, lane in enumerate(["prepare", *(ln.name for ln in LANES)])}
    for r in sorted(runner.results, key=lambda r: order.get(r.lane, len(order))):
        shown = minutes(r.seconds) if r.status in ("ok", "FAILED") else "-"
        print(f"{r.stage:<22} {r.lane:<9} {shown:<14} {r.status}")
    failed = [r.stage for r in runner.results if r.status == "FAILED"]
    verdict = "failed: " + ", ".join(failed) if failed else "passed"
    print(f"make test {verdict} in {minutes(total)} (logs in artifacts/test/)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
