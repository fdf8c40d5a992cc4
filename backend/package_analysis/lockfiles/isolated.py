"""The api's parse: `lockfile_parse` in the one sandbox (`package_analysis.sandbox`), because a
few MiB of YAML can take hundreds of MiB to load, and a hostile file must cost a clear error,
never the api process."""

from __future__ import annotations

import json
from typing import Any

from .. import sandbox
from .detect import lockfile_parse
from .model import LockfileError, Package, Parsed, Skipped

PARSE_MEMORY_BYTES = 384 * 2**20  # address space wanted; the sandbox cuts it to the cgroup's room
PARSE_SECONDS = 30
ENTRY = "package_analysis.lockfiles.isolated:_child_answer"


class LockfileTooLarge(LockfileError):
    """Parsing would take more memory or time than the child's budget."""


def lockfile_parse_isolated(
    *, filename: str, data: bytes, memory: int | None = None, seconds: float | None = None
) -> Parsed:
    """`lockfile_parse` in a sandboxed child limited to `memory` bytes of address space
    (default PARSE_MEMORY_BYTES, cut to what the api's cgroup has left) and `seconds` of
    wall clock and CPU (default PARSE_SECONDS)."""
    seconds = PARSE_SECONDS if seconds is None else seconds
    budget = sandbox.Budget(
        memory=PARSE_MEMORY_BYTES, cpu_seconds=int(seconds) + 1, wall_seconds=seconds
    )
    payload = json.dumps({"filename": filename}).encode() + b"\n" + data
    too_big = "a lockfile that size or shape is not accepted"
    try:
        out = sandbox.run(ENTRY, payload, budget, memory=memory)
    except sandbox.SandboxLimit as exc:
        what = {
            "memory": f"needs over {exc.amount} of memory",
            "cpu": f"took over {seconds:g} s of CPU",
            "time": f"took over {seconds:g} s",
        }[exc.kind]
        raise LockfileTooLarge(f"Reading the file {what}; {too_big}.") from None
    except sandbox.SandboxCrash as exc:
        raise RuntimeError(f"lockfile parser failed: {exc}") from None
    answer = out.answer
    if "error" in answer:
        raise LockfileError(str(answer["error"]))
    parsed = Parsed(answer["format"])
    parsed.packages = [Package(e, n, v) for e, n, v in answer["packages"]]
    parsed.skipped = [Skipped(line, reason) for line, reason in answer["skipped"]]
    return parsed


def _child_answer(payload: bytes) -> dict[str, Any]:
    """The child's work (run by the sandbox, limits already set): one answer."""
    head, _, data = payload.partition(b"\n")
    filename = str(json.loads(head)["filename"])
    try:
        parsed = lockfile_parse(filename=filename, data=data)
    except LockfileError as exc:
        return {"error": str(exc)}
    return {
        "format": parsed.format,
        "packages": [[p.ecosystem, p.name, p.version] for p in parsed.packages],
        "skipped": [[s.line, s.reason] for s in parsed.skipped],
    }
