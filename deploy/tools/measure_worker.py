"""Measure the worker container's memory on real analyses, for its Kubernetes limit.

    python deploy/tools/measure_worker.py [--image packamal:dev] [PURL...]   (make image-measure)

Runs migrate, api and a worker of the built image as containers with the rendered minikube
manifests' environment and hardening, except the worker's CPU and memory limits (what is
measured; `--limited` keeps them: does each job complete within them?), against the
harness's PostgreSQL and Redis (a database and queue names of its own).
For each package URL: a fresh worker container, one `analyze` job dispatched through the
api, and the worker container's memory, sampled from its cgroup ten times a second while
the job runs: peak RSS (processes' anonymous memory, the unpack child's included) and the
cgroup's high-water mark (which also counts page cache the kernel can reclaim).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # harness
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import image
import render

# Large and many-file artifacts from both registries: a big JS bundle, a C/Python tree with
# thousands of files, a wheel of mostly JSON data, and a small everyday package.
DEFAULT_PURLS = [
    "pkg:pypi/requests@2.32.3",
    "pkg:npm/typescript@5.6.3",
    "pkg:pypi/numpy@2.1.3",
    "pkg:pypi/botocore@1.35.0",
]


def engine(*args: str, check: bool = True) -> str:
    done = image.run(*args, check=False, capture=True)
    if check and done.returncode != 0:
        raise SystemExit(f"measure: {' '.join(args[:3])}: {done.stderr.strip()}")
    return done.stdout.strip()


def cgroup_dir(name: str) -> Path:
    pid = engine("inspect", "--format", "{{.State.Pid}}", name)
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return Path("/sys/fs/cgroup/memory") / path.lstrip("/")
    raise SystemExit("measure: needs cgroup v1's memory controller (this machine's)")


class Sampler(threading.Thread):
    def __init__(self, cgroup: Path):
        super().__init__(daemon=True)
        self.cgroup, self.peak_rss, self.stop = cgroup, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            stat = dict(
                line.split() for line in (self.cgroup / "memory.stat").read_text().splitlines()
            )
            self.peak_rss = max(self.peak_rss, int(stat["total_rss"]))
            time.sleep(0.1)


def http(method: str, url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
        return json.loads(answer.read())


def main() -> int:
    import yaml
    from containers import env_flags, hardened_flags, services, spare_port

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="packamal:dev")
    parser.add_argument("purls", nargs="*", default=DEFAULT_PURLS)
    parser.add_argument(
        "--limited",
        action="store_true",
        help="the worker with the manifest's CPU and memory limits (does each job fit?)",
    )
    args = parser.parse_args()

    with tempfile_dir() as out:
        minikube = render.render_all(Path(out))["minikube"].read_text()
    docs = [d for d in yaml.safe_load_all(minikube) if d]
    manifests = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    config = manifests[("ConfigMap", "packamal-config")]["data"]
    run = uuid.uuid4().hex[:8]
    api_port = spare_port()
    local = services("measure", run)
    # The rendered Secret holds the committed examples' placeholders: fine for a local run.
    secret = next(d for d in docs if d["kind"] == "Secret")
    example = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    env = {**config, **example, **local.env(), "PORT": str(api_port)}

    def flags(role: str, name: str, *, unlimited: bool = False) -> list[str]:
        workload = manifests[("Deployment", f"packamal-{'api' if role == 'migrate' else role}")]
        spec = workload["spec"]["template"]["spec"]
        container = next(
            c for c in spec.get("initContainers", []) + spec["containers"] if c["args"] == [role]
        )
        if unlimited:
            container = {**container, "resources": {}}
        extra = image.runtime_flags() if role == "worker" else []
        return [
            "--name", name, "--network", "host", *hardened_flags(workload, container),
            *extra, *env_flags(env),
        ]  # fmt: skip

    names = {"api": f"packamal-measure-api-{run}"}
    rows = []
    try:
        engine("run", "--rm", *flags("migrate", f"packamal-measure-migrate-{run}"),
               args.image, "migrate")  # fmt: skip
        engine("run", "--detach", *flags("api", names["api"]), args.image, "api")
        api = f"http://127.0.0.1:{api_port}"
        wait(lambda: bool(http("GET", f"{api}/readyz")), 90)
        for i, purl in enumerate(args.purls):
            worker = names[f"worker{i}"] = f"packamal-measure-worker{i}-{run}"
            engine("run", "--detach", *flags("worker", worker, unlimited=not args.limited),
                   args.image, "worker")  # fmt: skip
            time.sleep(3)  # the worker loop is up; its idle memory is part of the figure
            sampler = Sampler(cgroup_dir(worker))
            sampler.start()
            job = http("POST", f"{api}/dispatch", {"task": "analyze", "params": {"purl": purl}})
            done = wait(lambda j=job: http("GET", f"{api}/jobs/{j['id']}")["status"]
                        in ("completed", "failed"), 600)  # fmt: skip
            body = http("GET", f"{api}/jobs/{job['id']}")
            sampler.stop.set()
            sampler.join()
            high = int((cgroup_dir(worker) / "memory.max_usage_in_bytes").read_text())
            engine("stop", "--time", "30", worker)
            result = body.get("result") or {}
            verdict = result.get("verdict") or body.get("error")
            count = len(result.get("artifacts", []))
            rows.append((purl, body["status"], verdict, count, done, sampler.peak_rss, high))
            print(f"measure: {purl}: {rows[-1][1:4]} {done:.1f} s,"
                  f" peak RSS {sampler.peak_rss / 2**20:.0f} MiB, cgroup high-water"
                  f" {high / 2**20:.0f} MiB", flush=True)  # fmt: skip
    finally:
        for name in names.values():
            image.run("rm", "--force", "--volumes", name, check=False, capture=True)
        local.release()
    print("\n| package | job | verdict | artifacts | seconds | peak RSS (MiB) | cgroup high-water"
          " (MiB) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for purl, status, verdict, count, seconds, rss, high in rows:
        print(f"| `{purl}` | {status} | {verdict} | {count} | {seconds:.1f} | {rss / 2**20:.0f}"
              f" | {high / 2**20:.0f} |")  # fmt: skip
    return 0 if all(r[1] == "completed" for r in rows) else 1


def wait(check, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"measure: timed out after {timeout:.0f} s")


def tempfile_dir():
    import tempfile

    return tempfile.TemporaryDirectory(prefix="packamal-measure-")


if __name__ == "__main__":
    raise SystemExit(main())
