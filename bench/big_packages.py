"""`make bench-big`: the analysis engine on big, benign packages, side by side with GuardDog.

Eight pinned artifacts (the wheels of sympy, kubernetes, transformers, pandas, django and
botocore, the npm tarballs of typescript and rxjs) are fetched once through the project's own
fetcher (`analysis.fetch`: the registry's file list and a hash-checked download; nothing is
built or installed) into the git-ignored `.bench-cache/big-packages/`, and their sha256 is
checked again against the pins below.

For each artifact, in one run and one after the other (so the machine's load is shared):

- ours: one child process per artifact, the rules compiled once before timing (as in a
  worker), then `--reps` analyses through `pipeline.analyze_file` (unpack + scan, what a
  worker does with an upload); the median wall time, and the peak memory of its whole
  process tree (below);
- before (with `--before REV`): the same child on the engine of commit REV
  (`git archive REV backend/package_analysis`, kept in the cache), for a before/after column;
- GuardDog 3.2.0 (`make bench-analysis-tools`) as its CLI, one process per scan, as
  `bench/analysis.py` runs it (its popular-package lists refreshed in a private copy):
  the median of `--guarddog-reps` wall times, and the peak memory of its process tree.

Memory is measured the same way on every side (`bench/treemem.py`): the process and all its
descendants (ours: the forkserver and scanning processes of a parallel scan too; GuardDog:
its semgrep) sampled every 20 ms, the peaks of the summed RSS and of the summed PSS. One
process's `ru_maxrss` (what earlier runs reported) misses the scanning processes and never
adds up processes that run at the same time.

Also per artifact: how many Python modules the prefilter had the engine parse, and how many
it skipped. Results: big-packages.md (+ .json) in artifacts/bench/results/, or in
bench/results/ with `make bench-big-publish`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.treemem import TreePeak

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / os.environ.get("BENCH_RESULTS_DIR", "artifacts/bench/results")
CACHE = REPO / ".bench-cache" / "big-packages"
DEFAULT_GUARDDOG = REPO / ".bench-venv" / "bin" / "guarddog"

# (ecosystem, name, version, file, sha256): pinned; the download is checked against the
# registry's published hash by the fetcher, then against this pin.
ARTIFACTS = [
    (
        "pypi",
        "sympy",
        "1.13.3",
        "sympy-1.13.3-py3-none-any.whl",
        "54612cf55a62755ee71824ce692986f23c88ffa77207b30c1368eda4a7060f73",
    ),
    (
        "pypi",
        "kubernetes",
        "31.0.0",
        "kubernetes-31.0.0-py2.py3-none-any.whl",
        "bf141e2d380c8520eada8b351f4e319ffee9636328c137aa432bc486ca1200e1",
    ),
    (
        "pypi",
        "transformers",
        "4.46.3",
        "transformers-4.46.3-py3-none-any.whl",
        "a12ef6f52841fd190a3e5602145b542d03507222f2c64ebb7ee92e8788093aef",
    ),
    (
        "pypi",
        "pandas",
        "2.2.3",
        "pandas-2.2.3-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "f3a255b2c19987fbbe62a9dfd6cff7ff2aa9ccab3fc75218fd4b7530f01efa24",
    ),
    (
        "pypi",
        "django",
        "5.1.4",
        "Django-5.1.4-py3-none-any.whl",
        "236e023f021f5ce7dee5779de7b286565fdea5f4ab86bae5338e3f7b69896cf0",
    ),
    (
        "pypi",
        "botocore",
        "1.35.80",
        "botocore-1.35.80-py3-none-any.whl",
        "36e589dccb62380abd628b08fecfa2f7c89b99f41ec9fc42c467c94008c0be4a",
    ),
    (
        "npm",
        "typescript",
        "5.7.2",
        "typescript-5.7.2.tgz",
        "6826f763112d55de0093fd94a4257cabadf1f40b387757e7c68485fc971e886b",
    ),
    (
        "npm",
        "rxjs",
        "7.8.1",
        "rxjs-7.8.1.tgz",
        "c532167725ab7d085123209156c93cef22f2479cb9c8527060f1cd903aa9d149",
    ),
]
GOAL_RATIO, AIM_RATIO, GOAL_MAX_S = 0.5, 0.25, 8.0


# ------------------------------------------------------------------ downloads


def fetch_all() -> list[dict[str, Any]]:
    """Each pinned artifact in the cache (downloaded once), checked against its pin."""
    sys.path.insert(0, str(REPO / "backend"))
    from package_analysis.analysis import ecosystems, fetch
    from package_analysis.analysis.model import PackageRef

    out = []
    for eco, name, version, filename, pin in ARTIFACTS:
        dest = CACHE / "downloads" / eco / name
        path = dest / filename
        if not path.exists():
            dest.mkdir(parents=True, exist_ok=True)
            ref = PackageRef(eco, name, version, f"pkg:{eco}/{name}@{version}")  # type: ignore[arg-type]
            resolved = ecosystems.resolve(ref, deadline=time.monotonic() + 120)
            remote = next((f for f in resolved.files if f.filename == filename), None)
            if remote is None:
                raise SystemExit(f"bench-big: {filename} is not listed by the registry")
            print(f"bench-big: fetching {filename}", file=sys.stderr, flush=True)
            fetch.download(remote, dest, max_bytes=100 << 20, deadline=time.monotonic() + 900)
        sha = fetch.file_digests(path)["sha256"]
        if pin and sha != pin:
            raise SystemExit(f"bench-big: {filename} has sha256 {sha}, pinned {pin}")
        out.append(
            {
                "ecosystem": eco,
                "name": name,
                "version": version,
                "file": filename,
                "path": str(path),
                "sha256": sha,
                "size": path.stat().st_size,
            }
        )
    return out


def engine_at(rev: str) -> Path:
    """`backend/package_analysis` as it was at commit `rev`, extracted once into the cache."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    root = CACHE / "engines" / commit[:12]
    if not (root / "package_analysis").is_dir():
        tmp = root.with_suffix(".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", commit, "backend/package_analysis"],
            capture_output=True,
            check=True,
        ).stdout
        with tempfile.TemporaryFile() as fh:
            fh.write(archive)
            fh.seek(0)
            with tarfile.open(fileobj=fh) as tf:
                tf.extractall(tmp, filter="data")
        (tmp / "backend" / "package_analysis").rename(tmp / "package_analysis")
        tmp.rename(root)
    return root


# ------------------------------------------------------------------ one side, one artifact


def child(path: Path, eco: str, reps: int) -> dict[str, Any]:
    """In a fresh process: warm up (rules compiled), then `reps` analyses of `path`."""
    from package_analysis.analysis import engine, pipeline, prefilter

    counts: dict[str, int] = {}
    if hasattr(prefilter, "choose"):  # an engine that reads each module once while choosing
        real_choose = prefilter.choose

        def choosing(files: list[str], *args: Any, **kwargs: Any) -> Any:
            chosen, flow = real_choose(files, *args, **kwargs)
            counts["python_modules"], counts["parsed"] = len(files), len(chosen)
            return chosen, flow

        prefilter.choose = choosing
    else:  # an earlier engine (`--before`)
        real = prefilter.python_files

        def counting(texts: dict[str, str], *args: Any, **kwargs: Any) -> list[str]:
            chosen = real(texts, *args, **kwargs)
            counts["python_modules"] = len(texts)
            counts["parsed"] = len(chosen)
            return chosen

        prefilter.python_files = counting  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="bench-big-warm-") as tmp:
        (Path(tmp) / "setup.py").write_text("import os\nos.getcwd()\n")
        from package_analysis.analysis.model import PackageRef

        ref = PackageRef("pypi", "warm", None, "pkg:pypi/warm")
        engine.scan_tree(Path(tmp), ecosystem="pypi", package=ref, artifact_sha256="")
    counts.clear()  # the warm-up's module, not the artifact's (npm: no Python graph at all)
    limits = pipeline.Limits.from_env()
    times, verdict, n_findings = [], "", 0
    for _ in range(reps):
        started = time.perf_counter()
        report = pipeline.analyze_file(path, ecosystem=eco, limits=limits)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
        verdict, n_findings = report.verdict, len(report.findings)
    peak = max(  # one process's largest RSS: kept for reference, the figures are the tree's
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "seconds": statistics.median(times),
        "runs": [round(t, 3) for t in times],
        "maxrss_one_process_mib": peak / 1024,
        "verdict": verdict,
        "findings": n_findings,
        **counts,
    }


def run_child(
    item: dict[str, Any], reps: int, engine_root: Path, **settings: str
) -> dict[str, Any]:
    env = {**os.environ, **settings, "BENCH_BIG_ENGINE": str(engine_root)}
    argv = [sys.executable, "-m", "bench.big_packages", "--child", item["path"]]
    argv += ["--ecosystem", item["ecosystem"], "--reps", str(reps)]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO
    )
    tree = TreePeak(proc.pid)  # the child, its forkserver and scanning processes, its unzip
    stdout, stderr = proc.communicate()
    memory = tree.stop()
    if proc.returncode != 0:
        return {"error": stderr.strip().splitlines()[-1:] or ["failed"]}
    return {**json.loads(stdout.strip().splitlines()[-1]), **_tree(memory)}


def _tree(memory: dict[str, Any]) -> dict[str, Any]:
    """The sampled peaks of a whole process tree (`bench.treemem`), as the figures read them:
    `peak_rss_mib` is the summed RSS (the upper bound), `peak_pss_mib` the summed PSS."""
    return {
        "peak_rss_mib": memory["tree_rss_mib"],
        "peak_pss_mib": memory["tree_pss_mib"],
        "memory_samples": memory["samples"],
    }


def run_guarddog(item: dict[str, Any], reps: int, guarddog: Path) -> dict[str, Any]:
    from bench.analysis import _guarddog_env, _guarddog_one

    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-big-guarddog-") as tmp:
        env = _guarddog_env(Path(tmp), guarddog)
        for _ in range(reps):
            runs.append(_guarddog_one(item, guarddog, env, Path(tmp), tree_memory=True))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "runs": [round(r["seconds"], 3) for r in runs],
        "maxrss_one_process_mib": max(r["peak_rss_kib"] for r in runs) / 1024,
        "peak_rss_mib": max(r["tree_rss_mib"] for r in runs),
        "peak_pss_mib": max(r["tree_pss_mib"] for r in runs),
        "memory_samples": sum(r["samples"] for r in runs),
        "verdict": runs[-1]["verdict"],
        "rules": runs[-1]["rules"],
    }


# ------------------------------------------------------------------ figures


def _f(side: dict[str, Any] | None, key: str, fmt: str) -> str:
    return fmt.format(side[key]) if side and key in side else "-"


def _ok(side: dict[str, Any] | None) -> bool:
    """A side that analysed the artifact (a crash or an error gives no time to compare)."""
    return side is not None and "seconds" in side and side.get("verdict") != "error"


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for side in ("ours", "serial", "before", "guarddog"):
        done = [r[side] for r in rows if _ok(r.get(side))]
        if done:
            out[side] = {
                "median_s": statistics.median(d["seconds"] for d in done),
                "max_s": max(d["seconds"] for d in done),
                "peak_rss_mib": max(d["peak_rss_mib"] for d in done),
                "peak_pss_mib": max(d.get("peak_pss_mib", 0.0) for d in done),
                "failed": len(rows) - len(done),
            }
    both = [r for r in rows if _ok(r.get("guarddog")) and _ok(r["ours"])]
    if both:
        ratios = [r["ours"]["seconds"] / r["guarddog"]["seconds"] for r in both]
        out["median_ratio"] = statistics.median(ratios)
        out["both_ours_median_s"] = statistics.median(r["ours"]["seconds"] for r in both)
        out["both_guarddog_median_s"] = statistics.median(r["guarddog"]["seconds"] for r in both)
        out["ratio_of_medians"] = out["both_ours_median_s"] / out["both_guarddog_median_s"]
        out["rss_not_above_guarddog"] = all(
            r["ours"]["peak_rss_mib"] <= r["guarddog"]["peak_rss_mib"] for r in both
        )
        out["pss_not_above_guarddog"] = all(
            r["ours"].get("peak_pss_mib", 0) <= r["guarddog"].get("peak_pss_mib", 0) for r in both
        )
    one = [r for r in both if _ok(r.get("serial"))]
    if one:
        out["serial_median_ratio"] = statistics.median(
            r["serial"]["seconds"] / r["guarddog"]["seconds"] for r in one
        )
        for unit in ("rss", "pss"):
            key = f"peak_{unit}_mib"
            out[f"serial_{unit}_not_above"] = sum(
                r["serial"].get(key, 0) <= r["guarddog"].get(key, 0) for r in one
            )
        out["serial_compared"] = len(one)
    if "before" in out:
        before = [
            r["before"]["seconds"] / r["guarddog"]["seconds"]
            for r in both
            if "seconds" in r.get("before", {})
        ]
        if before:  # without GuardDog (--no-guarddog) there is nothing to divide by
            out["before_median_ratio"] = statistics.median(before)
        if "ours" in out:
            out["speedup_median"] = out["before"]["median_s"] / out["ours"]["median_s"]
    return out


def write_results(rows: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    s = meta["summary"]
    before = meta.get("before")
    lines = [
        "# Analysis speed on big packages (`make bench-big`)",
        "",
        f"Run {meta['when']} on {meta['machine']}; rules_version `{meta['rules_version']}`. "
        f"Ours: median of {meta['reps']} analyses (unpack + scan, `pipeline.analyze_file`, "
        "rules compiled beforehand) in one child process per artifact, with the default "
        "scanning processes; "
        f"in one process: the same with `ANALYSIS_SCAN_PROCESSES=1`, median of "
        f"{meta.get('serial_reps', 0)}. "
        f"GuardDog {meta['guarddog_version']}: its CLI, median of {meta['guarddog_reps']} "
        "runs, one process each. "
        "Memory, both sides alike (`bench/treemem.py`): the whole process tree (ours: the child, "
        "its forkserver and scanning processes, its unpacker; GuardDog: its Python and its "
        "semgrep) sampled every 20 ms, the peak of the summed RSS (shared pages counted in "
        "each process: an upper bound) and of the summed PSS (shared pages divided among "
        "the processes mapping them; read at new RSS highs, at most every 250 ms). "
        + (
            f"Before: the same child on the engine of commit `{before}`, median of "
            f"{meta['before_reps']}. "
            if before
            else ""
        )
        + "All sides measured one after the other on the same files, in one run.",
        "",
        "| artifact | size | Python modules parsed / skipped | before | ours | GuardDog "
        "| ours / GuardDog | peak RSS (tree) before / ours / GuardDog "
        "| peak PSS (tree) before / ours / GuardDog "
        "| ours in one process: time, RSS / PSS (tree) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        o, b, g = r["ours"], r.get("before"), r.get("guarddog")
        one = r.get("serial")
        serial = (
            f"{one['seconds']:.2f} s, {one['peak_rss_mib']:.0f} / {one['peak_pss_mib']:.0f} MiB"
            if _ok(one)
            else "-"
        )
        mods = (
            f"{o['parsed']} / {o['python_modules'] - o['parsed']}" if "parsed" in o else "- (npm)"
        )
        ratio = f"{o['seconds'] / g['seconds']:.2f}x" if _ok(g) and _ok(o) else "-"
        rss = " / ".join(_f(side, "peak_rss_mib", "{:.0f}") for side in (b, o, g))
        pss = " / ".join(_f(side, "peak_pss_mib", "{:.0f}") for side in (b, o, g))
        lines.append(
            f"| {r['file']} | {r['size'] / 1e6:.1f} MB | {mods} | {_f(b, 'seconds', '{:.2f} s')} "
            f"| {_f(o, 'seconds', '{:.2f} s')} | {_f(g, 'seconds', '{:.2f} s')} | {ratio} "
            f"| {rss} MiB | {pss} MiB | {serial} |"
        )
    if "ours" in s:
        o = s["ours"]
        g = s.get("guarddog")
        lines += ["", "| figure | value | goal | met |", "|---|---|---|---|"]
        if g and "median_ratio" in s:
            met = s["median_ratio"] <= GOAL_RATIO
            lines.append(
                f"| median of the per-artifact ratios ours / GuardDog | {s['median_ratio']:.2f}x "
                f"| ≤ {GOAL_RATIO}x (aim {AIM_RATIO}x) | {'yes' if met else '**no**'} |"
            )
            lines.append(
                f"| median time per artifact both analysed, ours / GuardDog "
                f"| {s['both_ours_median_s']:.2f} s / {s['both_guarddog_median_s']:.2f} s "
                f"({s['ratio_of_medians']:.2f}x) | | |"
            )
        if "before" in s:
            versus = (
                f"; before / GuardDog {s['before_median_ratio']:.2f}x"
                if "before_median_ratio" in s
                else ""
            )
            lines.append(
                f"| median time per artifact, before → ours | {s['before']['median_s']:.2f} s → "
                f"{o['median_s']:.2f} s ({s['speedup_median']:.1f}x faster{versus}) | | |"
            )
        if g and g.get("failed"):
            lines.append(
                f"| artifacts GuardDog could not analyse (left out of the ratios) "
                f"| {g['failed']} | | |"
            )
        lines.append(
            f"| slowest artifact, ours | {o['max_s']:.2f} s | ≤ {GOAL_MAX_S:.0f} s "
            f"| {'yes' if o['max_s'] <= GOAL_MAX_S else '**no**'} |"
        )
        if g and "rss_not_above_guarddog" in s:
            met = s["rss_not_above_guarddog"]
            lines.append(
                f"| peak RSS of the process tree, ours (largest) / GuardDog (largest) "
                f"| {o['peak_rss_mib']:.0f} / {g['peak_rss_mib']:.0f} MiB "
                f"| ≤ GuardDog on every artifact | {'yes' if met else '**no**'} |"
            )
            met = s.get("pss_not_above_guarddog", False)
            lines.append(
                f"| peak PSS of the process tree, ours (largest) / GuardDog (largest) "
                f"| {o.get('peak_pss_mib', 0):.0f} / {g.get('peak_pss_mib', 0):.0f} MiB "
                f"| ≤ GuardDog on every artifact | {'yes' if met else '**no**'} |"
            )
        if "serial_compared" in s:
            n = s["serial_compared"]
            lines.append(
                f"| ours in one process (`ANALYSIS_SCAN_PROCESSES=1`): median ratio / GuardDog; "
                f"artifacts with peak RSS, PSS ≤ GuardDog's | {s['serial_median_ratio']:.2f}x; "
                f"RSS {s['serial_rss_not_above']} of {n}, PSS {s['serial_pss_not_above']} of {n} "
                f"| | |"
            )
    lines += [
        "",
        "Verdicts (all eight are benign): "
        + "; ".join(
            f"{r['name']} ours {r['ours'].get('verdict', 'error')}"
            + (f", GuardDog {r['guarddog'].get('verdict')}" if r.get("guarddog") else "")
            for r in rows
        )
        + ".",
        "",
    ]
    (RESULTS / "big-packages.md").write_text("\n".join(lines), encoding="utf-8")
    portable = [{k: v for k, v in r.items() if k != "path"} for r in rows]
    (RESULTS / "big-packages.json").write_text(
        json.dumps({**meta, "rows": portable}, indent=1), encoding="utf-8"
    )
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="analyses per artifact, ours")
    parser.add_argument("--before-reps", type=int, default=1, help="analyses, before engine")
    parser.add_argument(
        "--serial-reps", type=int, default=1, help="analyses in one process (0: none)"
    )
    parser.add_argument("--guarddog-reps", type=int, default=1)
    # absolute: GuardDog runs from a scratch folder, where a relative path would not lead
    parser.add_argument("--guarddog", type=lambda p: Path(p).absolute(), default=DEFAULT_GUARDDOG)
    parser.add_argument("--no-guarddog", action="store_true")
    parser.add_argument("--before", default="", help="a commit: also time its engine")
    parser.add_argument("--only", default="", help="comma-separated names (default: all 8)")
    parser.add_argument("--render", action="store_true", help="rewrite the md from the json")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ecosystem", default="pypi", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, os.environ.get("BENCH_BIG_ENGINE") or str(REPO / "backend"))
        print(json.dumps(child(args.child, args.ecosystem, args.reps)))
        return
    if args.render:
        doc = json.loads((RESULTS / "big-packages.json").read_text(encoding="utf-8"))
        rows = doc.pop("rows")
        doc["summary"] = summarise(rows)
        write_results(rows, doc)
        return
    items = fetch_all()
    if args.only:
        items = [i for i in items if i["name"] in args.only.split(",")]
    before_root = engine_at(args.before) if args.before else None
    guarddog = None if args.no_guarddog or not args.guarddog.exists() else args.guarddog
    rows = []
    for item in items:
        print(f"bench-big: {item['file']}", file=sys.stderr, flush=True)
        row = {k: item[k] for k in ("ecosystem", "name", "version", "file", "sha256", "size")}
        row["ours"] = run_child(item, args.reps, REPO / "backend")
        if args.serial_reps:  # the serial pass: what a one-CPU worker pod runs
            row["serial"] = run_child(
                item, args.serial_reps, REPO / "backend", ANALYSIS_SCAN_PROCESSES="1"
            )
        if before_root is not None:
            row["before"] = run_child(item, args.before_reps, before_root)
        if guarddog is not None:
            row["guarddog"] = run_guarddog(item, args.guarddog_reps, guarddog)
        print(f"bench-big: {json.dumps(row)}", file=sys.stderr, flush=True)
        rows.append(row)
    sys.path.insert(0, str(REPO / "backend"))
    from package_analysis.analysis import engine

    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "rules_version": engine.RULES_VERSION,
        "reps": args.reps,
        "before_reps": args.before_reps,
        "serial_reps": args.serial_reps,
        "guarddog_reps": args.guarddog_reps,
        "guarddog_version": "3.2.0" if guarddog else "not run",
        "before": before_root.name if before_root is not None else None,  # its commit
        "summary": summarise(rows),
    }
    write_results(rows, meta)


if __name__ == "__main__":
    main()
