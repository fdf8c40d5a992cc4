"""`packamal scan --server URL`: the same targets analysed by a Pack-A-Mal deployment.

Package URLs (a lockfile's pinned versions included) go in `POST /dispatch/batch` (up to
1000 a request), archives in `POST /analyze/upload`; then every job is polled
(`GET /jobs/{id}`) until it finishes, and a finished job's `GET /jobs/{id}/report` becomes a
`Report` like a local scan's, so output, suppressions and exit status are the same.
`PACKAMAL_API_KEY`, when set, is sent as `X-API-Key`. Folders are only scanned locally.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import httpx

from .console import Console, Outcome, Target
from .model import Artifact, Finding, PackageRef, Report, Suppressed

BATCH = 1000
POLL_SECONDS = 2.0
_PYPI_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".egg")


class RemoteError(Exception):
    pass


def remote_scan(args: argparse.Namespace, targets: list[Target], console: Console) -> list[Outcome]:
    headers = {"Accept": "application/json"}
    if os.environ.get("PACKAMAL_API_KEY"):
        headers["X-API-Key"] = os.environ["PACKAMAL_API_KEY"]
    base = args.server.rstrip("/")
    jobs: dict[int, str] = {}  # target index → job id
    outcomes: dict[int, Outcome] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=60.0) as client:
        try:
            _submit(client, args, targets, jobs, outcomes)
            _wait(client, args, targets, jobs, outcomes, console)
        except (httpx.HTTPError, RemoteError, OSError) as exc:
            reason = str(exc) or type(exc).__name__
            for i, t in enumerate(targets):
                outcomes.setdefault(i, Outcome(t, error=f"server {base}: {reason}"))
    return [outcomes[i] for i in range(len(targets))]


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            message = response.json().get("message") or response.text
        except ValueError:
            message = response.text
        raise RemoteError(
            f"{response.request.method} {response.request.url.path}:"
            f" {response.status_code} {str(message)[:300]}"
        )
    return response.json()


def _submit(
    client: httpx.Client,
    args: argparse.Namespace,
    targets: list[Target],
    jobs: dict[int, str],
    outcomes: dict[int, Outcome],
) -> None:
    purls = [(i, t) for i, t in enumerate(targets) if t.kind == "purl"]
    for start in range(0, len(purls), BATCH):
        chunk = purls[start : start + BATCH]
        body = {"jobs": [{"task": "analyze", "params": {"purl": t.value}} for _i, t in chunk]}
        answer = _check(client.post("/dispatch/batch", json=body))
        for (i, _t), job in zip(chunk, answer["items"], strict=True):
            jobs[i] = job["id"]
    for i, t in enumerate(targets):
        if t.kind == "dir":
            outcomes[i] = Outcome(t, error="folders are scanned locally only (not with --server)")
        elif t.kind == "file":
            ecosystem = args.ecosystem or _guess_ecosystem(t.value)
            if ecosystem is None:
                outcomes[i] = Outcome(t, error="give --ecosystem pypi|npm for this archive")
                continue
            with Path(t.value).open("rb") as fh:
                answer = _check(
                    client.post(
                        "/analyze/upload",
                        files={"file": (Path(t.value).name, fh)},
                        data={"ecosystem": ecosystem},
                    )
                )
            jobs[i] = answer["id"]


def _guess_ecosystem(path: str) -> str | None:
    name = path.lower()
    if name.endswith(".tgz"):
        return "npm"
    return "pypi" if name.endswith(_PYPI_SUFFIXES) else None


def _wait(
    client: httpx.Client,
    args: argparse.Namespace,
    targets: list[Target],
    jobs: dict[int, str],
    outcomes: dict[int, Outcome],
    console: Console,
) -> None:
    deadline = time.monotonic() + args.wait
    pending = dict(jobs)
    total = len(jobs)
    while pending:
        for i, job_id in list(pending.items()):
            job = _check(client.get(f"/jobs/{job_id}"))
            if job["status"] == "completed":
                report = report_from_json(_check(client.get(f"/jobs/{job_id}/report")))
                report.extra["job"] = job_id
                if targets[i].origin:
                    report.extra["lockfile"] = targets[i].origin
                outcomes[i] = Outcome(targets[i], report=report)
            elif job["status"] == "failed":
                outcomes[i] = Outcome(targets[i], error=str(job.get("error") or "job failed"))
            else:
                continue
            del pending[i]
            console.progress(total - len(pending), total, targets[i].label)
        if pending and time.monotonic() > deadline:
            for i, job_id in pending.items():
                outcomes[i] = Outcome(
                    targets[i], error=f"job {job_id} did not finish within --wait {args.wait} s"
                )
            break
        if pending:
            time.sleep(POLL_SECONDS)
    console.done()


def report_from_json(body: dict[str, Any]) -> Report:
    """A `Report` from the api's report JSON (summary + findings + suppressed)."""
    suppressed = []
    for item in body.get("suppressed") or []:
        info = item.get("suppression") or {}
        suppressed.append(
            Suppressed(
                Finding.from_dict(item),
                str(info.get("reason", "")),
                str(info.get("source", "server")),
                info.get("by"),
                info.get("expires"),
            )
        )
    return Report(
        verdict=body["verdict"],
        score=float(body["score"]),
        package=PackageRef(**body["package"]),
        artifacts=[Artifact(**a) for a in body.get("artifacts", [])],
        findings=[Finding.from_dict(f) for f in body.get("findings", [])],
        rules_version=str(body.get("rules_version", "")),
        cached=bool(body.get("cached")),
        seconds=float(body.get("seconds", 0.0)),
        suppressed=suppressed,
        notes=list(body.get("notes") or []),
    )
