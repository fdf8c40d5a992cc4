"""The api's parse: `lockfile_parse` in a child process with a memory, CPU and wall-clock
budget, because a few MiB of YAML can take hundreds of MiB to load, and a hostile file must
cost a clear error, never the api process."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from .detect import lockfile_parse
from .model import LockfileError, Package, Parsed, Skipped

PARSE_MEMORY_BYTES = 384 * 2**20  # address space of the child (the api pod has 256 MiB)
PARSE_SECONDS = 30


class LockfileTooLarge(LockfileError):
    """Parsing would take more memory or time than the child's budget."""


def lockfile_parse_isolated(
    *, filename: str, data: bytes, memory: int | None = None, seconds: float | None = None
) -> Parsed:
    """`lockfile_parse` in a child process limited to `memory` bytes of address space and
    `seconds` (wall clock and CPU); defaults PARSE_MEMORY_BYTES and PARSE_SECONDS."""
    memory = PARSE_MEMORY_BYTES if memory is None else memory
    seconds = PARSE_SECONDS if seconds is None else seconds
    backend = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; sys.path.insert(0, {backend!r}); "
        "from package_analysis.lockfiles.isolated import _child_main; _child_main()"
    )
    too_big = "a lockfile that size or shape is not accepted"
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-c", code, filename, str(memory), str(int(seconds) + 1)],
            input=data,
            capture_output=True,
            timeout=seconds,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LockfileTooLarge(f"Reading the file took over {seconds:g} s; {too_big}.") from None
    try:
        answer = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError, UnicodeDecodeError):
        answer = None
    out_of_memory = f"Reading the file needs over {memory // 2**20} MiB of memory; {too_big}."
    if isinstance(answer, dict) and "too_large" in answer:
        raise LockfileTooLarge(out_of_memory)
    if isinstance(answer, dict) and "error" in answer:
        raise LockfileError(str(answer["error"]))
    if proc.returncode == 0 and isinstance(answer, dict):
        out = Parsed(answer["format"])
        out.packages = [Package(e, n, v) for e, n, v in answer["packages"]]
        out.skipped = [Skipped(line, reason) for line, reason in answer["skipped"]]
        return out
    if proc.returncode == -signal.SIGXCPU:
        raise LockfileTooLarge(f"Reading the file took over {seconds:g} s of CPU; {too_big}.")
    if proc.returncode == -signal.SIGKILL:  # the kernel's OOM killer
        raise LockfileTooLarge(out_of_memory)
    last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
    raise RuntimeError(f"lockfile parser exited {proc.returncode}: {last[:300]}")


def _limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard if hard != resource.RLIM_INFINITY else value))


def _child_main() -> None:
    """The child: limits first, then the file from stdin; one JSON line out."""
    filename, memory, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    data = sys.stdin.buffer.read()  # before the limits: its size is the upload limit's
    # If the pod's memory runs out anyway, the kernel kills this child first, not the api.
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_CPU, cpu)
    _limit(resource.RLIMIT_FSIZE, 0)
    _limit(resource.RLIMIT_NOFILE, 16)
    _limit(resource.RLIMIT_AS, memory)
    try:
        line = json.dumps(_child_answer(filename, data))
    except MemoryError:
        line = json.dumps({"too_large": True})
    sys.stdout.write(line + "\n")


def _child_answer(filename: str, data: bytes) -> dict[str, Any]:
    try:
        parsed = lockfile_parse(filename=filename, data=data)
    except LockfileError as exc:
        return {"error": str(exc)}
    return {
        "format": parsed.format,
        "packages": [[p.ecosystem, p.name, p.version] for p in parsed.packages],
        "skipped": [[s.line, s.reason] for s in parsed.skipped],
    }
