"""The one sandbox for children that touch hostile bytes: limits from the container's cgroup,
first in line for the OOM killer, and one error mapping (memory, CPU, wall clock, crash).

Real child processes; the cgroup files are written into a temporary folder laid out as
/sys/fs/cgroup is (v2 and v1), since this machine's own limits are not ours to set."""

from __future__ import annotations

from pathlib import Path

import pytest

from package_analysis import sandbox
from package_analysis.sandbox import Budget, MiB, SandboxCrash, SandboxLimit

BUDGET = Budget(memory=256 * MiB, cpu_seconds=5, wall_seconds=20, file_size=0, open_files=16)


def entry(name: str) -> str:
    return f"tests.sandbox_entries:{name}"


def test_the_child_runs_first_in_line_for_the_oom_killer_under_every_limit() -> None:
    out = sandbox.run(entry("echo"), b"x" * 1000, BUDGET, memory=200 * MiB)
    assert out.answer == {
        "size": 1000,
        "oom_score_adj": 1000,
        "as": [200 * MiB, 200 * MiB],
        "cpu": [5, 6],  # the hard limit a second later: an overrun is SIGXCPU, never SIGKILL
        "fsize": [0, 0],
        "nofile": [16, 16],
        "core": [0, 0],
    }
    assert out.memory == 200 * MiB
    assert out.rlimits == {"as": 200 * MiB, "cpu": 5, "fsize": 0, "nofile": 16, "core": 0}
    assert 0 < out.peak_rss_bytes < 200 * MiB


def test_running_out_of_address_space_is_memory() -> None:
    with pytest.raises(SandboxLimit) as caught:
        sandbox.run(entry("hog"), b"", BUDGET, memory=128 * MiB)
    assert (caught.value.kind, caught.value.amount) == ("memory", "128 MiB")


def test_a_sigkill_is_the_oom_killer_so_memory_not_cpu() -> None:
    # The review's L2: the cgroup OOM killer's SIGKILL used to read "used up its CPU time".
    with pytest.raises(SandboxLimit) as caught:
        sandbox.run(entry("killed"), b"", BUDGET, memory=100 * MiB)
    assert (caught.value.kind, caught.value.amount) == ("memory", "100 MiB")


def test_running_out_of_cpu_is_cpu() -> None:
    budget = Budget(memory=256 * MiB, cpu_seconds=1, wall_seconds=30)
    with pytest.raises(SandboxLimit) as caught:
        sandbox.run(entry("burn"), b"", budget)
    assert (caught.value.kind, caught.value.amount) == ("cpu", "1 s")


def test_the_wall_clock_is_time() -> None:
    budget = Budget(memory=256 * MiB, cpu_seconds=5, wall_seconds=1.5)
    with pytest.raises(SandboxLimit) as caught:
        sandbox.run(entry("sleepy"), b"", budget)
    assert (caught.value.kind, caught.value.amount) == ("time", "1.5 s")


def test_any_other_death_is_a_crash_with_its_exit_code_and_last_line() -> None:
    with pytest.raises(SandboxCrash, match=r"^the child exited 3: something broke$"):
        sandbox.run(entry("crash"), b"", BUDGET)


# ── limits from the container's cgroup ──────────────────────────────────────────────────


def cgroup_v2(root: Path, path: str, *, limit: str, current: int, inactive_file: int) -> None:
    folder = root.joinpath(*[p for p in path.split("/") if p])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "memory.max").write_text(f"{limit}\n")
    (folder / "memory.current").write_text(f"{current}\n")
    (folder / "memory.stat").write_text(f"anon {current}\ninactive_file {inactive_file}\n")


def test_cgroup_v2_the_child_gets_90_percent_of_what_is_left(tmp_path: Path) -> None:
    proc = tmp_path / "cgroup"
    proc.write_text("0::/\n")
    # A worker pod with 384 MiB, using 150 MiB of which 20 MiB is reclaimable page cache.
    cgroup_v2(tmp_path, "/", limit=str(384 * MiB), current=150 * MiB, inactive_file=20 * MiB)
    assert sandbox.cgroup_memory_headroom(root=tmp_path, proc_cgroup=proc) == (
        384 * MiB,
        254 * MiB,
    )
    memory = sandbox.child_memory(1024 * MiB, root=tmp_path, proc_cgroup=proc)
    assert memory == int(254 * MiB * 0.9) < 384 * MiB  # below the container's limit (L2)
    # A budget already under the room is kept as is.
    assert sandbox.child_memory(100 * MiB, root=tmp_path, proc_cgroup=proc) == 100 * MiB


def test_cgroup_v2_no_limit_keeps_the_budget_and_the_tightest_ancestor_wins(tmp_path: Path) -> None:
    proc = tmp_path / "cgroup"
    proc.write_text("0::/\n")
    cgroup_v2(tmp_path, "/", limit="max", current=5 * 2**30, inactive_file=0)
    assert sandbox.cgroup_memory_headroom(root=tmp_path, proc_cgroup=proc) is None
    assert sandbox.child_memory(1024 * MiB, root=tmp_path, proc_cgroup=proc) == 1024 * MiB

    proc.write_text("0::/kubepods/pod1/worker\n")
    cgroup_v2(tmp_path, "/kubepods/pod1/worker", limit="max", current=90 * MiB, inactive_file=0)
    cgroup_v2(tmp_path, "/kubepods/pod1", limit=str(256 * MiB), current=100 * MiB, inactive_file=0)
    assert sandbox.cgroup_memory_headroom(root=tmp_path, proc_cgroup=proc) == (
        256 * MiB,
        156 * MiB,
    )


def test_cgroup_v1_limit_and_usage(tmp_path: Path) -> None:
    proc = tmp_path / "cgroup"
    proc.write_text("4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n")
    memory = tmp_path / "memory"  # inside a container the mount is the container's own cgroup
    memory.mkdir()
    (memory / "memory.limit_in_bytes").write_text(f"{512 * MiB}\n")
    (memory / "memory.usage_in_bytes").write_text(f"{200 * MiB}\n")
    (memory / "memory.stat").write_text(f"cache 0\ntotal_inactive_file {50 * MiB}\n")
    assert sandbox.cgroup_memory_headroom(root=tmp_path, proc_cgroup=proc) == (
        512 * MiB,
        362 * MiB,
    )
    (memory / "memory.limit_in_bytes").write_text("9223372036854771712\n")  # v1's "no limit"
    assert sandbox.cgroup_memory_headroom(root=tmp_path, proc_cgroup=proc) is None


def test_a_nearly_full_container_still_gives_the_child_the_floor(tmp_path: Path) -> None:
    proc = tmp_path / "cgroup"
    proc.write_text("0::/\n")
    cgroup_v2(tmp_path, "/", limit=str(256 * MiB), current=250 * MiB, inactive_file=0)
    assert sandbox.child_memory(384 * MiB, root=tmp_path, proc_cgroup=proc) == 64 * MiB


def test_this_machine_read_without_error() -> None:
    memory = sandbox.child_memory(1024 * MiB)
    assert sandbox.CHILD_MEMORY_FLOOR <= memory <= 1024 * MiB
