"""Work for the sandbox's tests, run inside its child (importable there as `tests.sandbox_entries`:
the child puts backend/ on its path). Each stands in for what a hostile input makes a parser do."""

from __future__ import annotations

import os
import resource
import signal
import time
from pathlib import Path
from typing import Any


def echo(payload: bytes) -> dict[str, Any]:
    """What the child sees: its payload, its OOM score and its limits (soft, hard)."""
    return {
        "size": len(payload),
        "oom_score_adj": int(Path("/proc/self/oom_score_adj").read_text()),
        "as": list(resource.getrlimit(resource.RLIMIT_AS)),
        "cpu": list(resource.getrlimit(resource.RLIMIT_CPU)),
        "fsize": list(resource.getrlimit(resource.RLIMIT_FSIZE)),
        "nofile": list(resource.getrlimit(resource.RLIMIT_NOFILE)),
        "core": list(resource.getrlimit(resource.RLIMIT_CORE)),
    }


def hog(payload: bytes) -> dict[str, Any]:
    """Allocate far past any budget (a decompression bomb's dictionary)."""
    held = [bytearray(64 * 2**20) for _ in range(64)]
    return {"held": len(held)}


def burn(payload: bytes) -> dict[str, Any]:
    """Spin on the CPU forever (a parser in a pathological loop)."""
    n = 0
    while True:
        n += 1


def killed(payload: bytes) -> dict[str, Any]:
    """Die by SIGKILL, as the kernel's OOM killer kills a process."""
    os.kill(os.getpid(), signal.SIGKILL)
    return {}


def sleepy(payload: bytes) -> dict[str, Any]:
    """Block without using CPU (only the wall clock stops it)."""
    time.sleep(30)
    return {}


def crash(payload: bytes) -> dict[str, Any]:
    """Exit with a code of its own, after a line on stderr."""
    os.write(2, b"something broke\n")
    os._exit(3)
