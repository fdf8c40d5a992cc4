"""The one sandbox for child processes that touch hostile bytes (unpacking, lockfile parsing).

A child runs one function, `module:function(payload: bytes) -> dict`, under:

- RLIMIT_AS: the caller's memory budget, cut to what the container's cgroup has left
  (its limit less its working set, read from /sys/fs/cgroup, v2 or v1), so the rlimit — a
  clean MemoryError in the child — fires before the kernel's OOM killer would;
- RLIMIT_CPU: soft at the CPU budget, hard a second later, so running out of CPU shows as
  SIGXCPU and nothing else does;
- RLIMIT_FSIZE, RLIMIT_NOFILE, and no core dumps;
- oom_score_adj 1000: if the container runs out of memory all the same, the kernel kills
  the child first, never the api or the worker;
- a wall-clock timeout, enforced by the parent (it kills the child).

One error mapping for every caller (`SandboxLimit.kind`): "memory" for a MemoryError in the
child or a SIGKILL (the OOM killer: the parent's own kill is the wall clock's, known as
such), "cpu" for SIGXCPU, "time" for the wall clock. Any other death is `SandboxCrash`.

Standard library only: the unpack child runs this module with `python -I -S`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

MiB = 1024 * 1024
CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
# Left to the parent when the cgroup is what bounds the child, and the least a child gets.
HEADROOM_SHARE = 0.9
CHILD_MEMORY_FLOOR = 64 * MiB
_UNLIMITED_V1 = 1 << 60  # cgroup v1 says "no limit" with a number near 2**63

LimitKind = Literal["memory", "cpu", "time"]


@dataclass(frozen=True)
class Budget:
    """What one child may use."""

    memory: int  # bytes of address space wanted (cut to the cgroup's headroom)
    cpu_seconds: int
    wall_seconds: float
    file_size: int = 0  # largest file it may write (0: none)
    open_files: int = 16


class SandboxLimit(Exception):
    """The child hit a limit: `kind` says which, `amount` how much it had ("64 MiB")."""

    def __init__(self, kind: LimitKind, amount: str) -> None:
        super().__init__(f"{kind} limit ({amount})")
        self.kind = kind
        self.amount = amount


class SandboxCrash(Exception):
    """The child died some other way (a bug, not the input's size): exit code and last line."""


@dataclass
class Outcome:
    answer: dict[str, Any]
    memory: int  # the RLIMIT_AS the child ran under
    peak_rss_bytes: int = 0
    rlimits: dict[str, int] = field(default_factory=dict)  # the soft limits, by name


# ── the container's memory ───────────────────────────────────────────────────────────────


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    if text == "max":
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _stat_value(path: Path, name: str) -> int:
    try:
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == name:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def _cgroup_dirs(root: Path, proc_cgroup: Path) -> list[tuple[str, Path]]:
    """(version, folder) of this process's memory cgroup and its ancestors, innermost
    first; the mount's root last (inside a container it is the container's own cgroup)."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    found: list[tuple[str, Path]] = []
    for line in lines:
        _id, controllers, path = [*line.split(":", 2), "", ""][:3]
        if controllers == "":
            version, base = "v2", root
        elif "memory" in controllers.split(","):
            version, base = "v1", root / "memory"
        else:
            continue
        parts = [p for p in path.strip().split("/") if p]
        for depth in range(len(parts), -1, -1):
            folder = base.joinpath(*parts[:depth])
            if folder.is_dir() and (version, folder) not in found:
                found.append((version, folder))
    for version, folder in (("v2", root), ("v1", root / "memory")):
        if folder.is_dir() and (version, folder) not in found:
            found.append((version, folder))
    return found


def cgroup_memory_headroom(
    *, root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP
) -> tuple[int, int] | None:
    """(limit, bytes left) of the tightest memory cgroup this process is in, or None when
    none is limited. Left = limit - working set (usage less inactive page cache, as the
    kubelet counts it)."""
    tightest: tuple[int, int] | None = None
    for version, folder in _cgroup_dirs(root, proc_cgroup):
        if version == "v2":
            limit = _read_int(folder / "memory.max")
            usage = _read_int(folder / "memory.current") or 0
            cache = _stat_value(folder / "memory.stat", "inactive_file")
        else:
            limit = _read_int(folder / "memory.limit_in_bytes")
            usage = _read_int(folder / "memory.usage_in_bytes") or 0
            cache = _stat_value(folder / "memory.stat", "total_inactive_file")
        if limit is None or limit >= _UNLIMITED_V1:
            continue
        left = max(0, limit - max(0, usage - cache))
        if tightest is None or left < tightest[1]:
            tightest = (limit, left)
    return tightest


def child_memory(wanted: int, *, root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> int:
    """The RLIMIT_AS a child gets: `wanted`, cut to 90 % of what the container's memory
    cgroup has left (never under 64 MiB: below that the OOM killer is the limit)."""
    cgroup = cgroup_memory_headroom(root=root, proc_cgroup=proc_cgroup)
    if cgroup is None:
        return wanted
    return max(min(wanted, CHILD_MEMORY_FLOOR), min(wanted, int(cgroup[1] * HEADROOM_SHARE)))


# ── the parent ───────────────────────────────────────────────────────────────────────────


def run(
    entry: str,
    payload: bytes,
    budget: Budget,
    *,
    cwd: Path | None = None,
    site: bool = True,
    memory: int | None = None,
) -> Outcome:
    """Run `entry` ("module:function") in a limited child with `payload` on its stdin;
    return its answer, or raise SandboxLimit / SandboxCrash. `site=False` starts Python
    without site-packages (`-S`), for entries that need only the standard library;
    `memory` is the RLIMIT_AS to use as is (else `child_memory(budget.memory)`)."""
    memory = child_memory(budget.memory) if memory is None else memory
    limits = {
        "as": memory,
        "cpu": max(1, int(budget.cpu_seconds)),
        "fsize": budget.file_size,
        "nofile": budget.open_files,
        "core": 0,
    }
    spec = {"entry": entry, "limits": limits}
    backend = str(Path(__file__).resolve().parents[1])
    code = (
        f"import sys; sys.path.insert(0, {backend!r}); "
        "from package_analysis.sandbox import child_main; child_main()"
    )
    flags = ["-I"] if site else ["-I", "-S"]
    try:
        proc = subprocess.run(
            [sys.executable, *flags, "-c", code, json.dumps(spec)],
            input=payload,
            capture_output=True,
            timeout=max(budget.wall_seconds, 0.001),
            cwd=cwd,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SandboxLimit("time", f"{budget.wall_seconds:g} s") from None
    return _outcome(proc, memory, limits["cpu"])


def _outcome(proc: subprocess.CompletedProcess[bytes], memory: int, cpu: int) -> Outcome:
    """The one error mapping, from how the child ended."""
    try:
        out = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError, UnicodeDecodeError):
        out = None
    if isinstance(out, dict) and out.get("sandbox") == "memory":
        raise SandboxLimit("memory", f"{memory // MiB} MiB")
    if proc.returncode == 0 and isinstance(out, dict) and isinstance(out.get("answer"), dict):
        return Outcome(
            answer=out["answer"],
            memory=memory,
            peak_rss_bytes=int(out.get("peak_rss_kib", 0)) * 1024,
            rlimits=dict(out.get("rlimits", {})),
        )
    if proc.returncode == -signal.SIGXCPU:
        raise SandboxLimit("cpu", f"{cpu} s")
    if proc.returncode == -signal.SIGKILL:  # the OOM killer (CPU overruns end in SIGXCPU)
        raise SandboxLimit("memory", f"{memory // MiB} MiB")
    last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
    raise SandboxCrash(f"the child exited {proc.returncode}: {last[:300]}")


# ── the child ────────────────────────────────────────────────────────────────────────────

_RLIMITS = {
    "as": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "fsize": resource.RLIMIT_FSIZE,
    "nofile": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
}


def _limit(which: int, soft: int, hard: int) -> None:
    _soft, ceiling = resource.getrlimit(which)
    if ceiling != resource.RLIM_INFINITY:
        soft, hard = min(soft, ceiling), min(hard, ceiling)
    resource.setrlimit(which, (soft, hard))


def _limits_apply(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        # CPU: the hard limit a second later, so an overrun ends in SIGXCPU, never SIGKILL
        _limit(_RLIMITS[name], value, value + 1 if name == "cpu" else value)


def _peak_rss_kib() -> int:
    """This process's high-water RSS since its exec (ru_maxrss also counts the pre-exec image)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def child_main() -> None:
    """The child: first in line for the OOM killer, the entry imported, the payload read,
    then the limits, then the work; one JSON line out."""
    spec = json.loads(sys.argv[1])
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")
    module, _, function = str(spec["entry"]).partition(":")
    work = getattr(importlib.import_module(module), function)
    payload = sys.stdin.buffer.read()  # before the limits: its size is the caller's to bound
    _limits_apply(spec["limits"])
    try:
        answer = work(payload)
        line = json.dumps(
            {
                "answer": answer,
                "peak_rss_kib": _peak_rss_kib(),
                "rlimits": {n: resource.getrlimit(r)[0] for n, r in _RLIMITS.items()},
            }
        )
    except MemoryError:
        answer = None  # let go of what there is before writing
        line = '{"sandbox": "memory"}'
    sys.stdout.write(line + "\n")
