"""`make bench-analysis`: detection quality and cost of the analysis rules, side by side with
GuardDog on the same local files.

- recall (suspicious or worse) on the malicious archives of the samples folder;
- false positives on the benign lists, fetched by the project's own fetcher
  (`analysis.fetch`) into a git-ignored cache: the sdist and one wheel of each PyPI package;
- time per artifact (p50/p95) and peak RSS, for our engine and for GuardDog.

Our side runs in one child process (rules compiled once, as in a worker): time per artifact
is unpack + scan in that process, peak RSS is that process's. GuardDog runs as its CLI, one
process per artifact (how it is used): time is the process's wall time, peak RSS the largest
of its processes. GuardDog's verdict is its own risk label: `high_risk` = malicious,
`suspicious` = suspicious, anything lower = clean. Its bundled popular-package lists are
used as shipped (their timestamp is refreshed in a private copy so it does not try a network
refresh that this machine cannot make). GuardDog results are cached per file sha256 and
GuardDog version, so a rule change re-measures only our side.

Results: bench/results/analysis.md (+ .json) and bench/results/analysis-misses.md (every miss
and every false positive with the findings, or the lack of them, that explain it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "backend"))

# Runs write to the git-ignored artifacts/; `make chaos-publish` and friends set
# BENCH_RESULTS_DIR=bench/results to update the published figures.
RESULTS = REPO / os.environ.get("BENCH_RESULTS_DIR", "artifacts/bench/results")
DEFAULT_SAMPLES = Path(os.environ.get("BENCH_SAMPLES") or REPO.parent / "shared" / "samples")
DEFAULT_CACHE = REPO / ".bench-cache" / "analysis"
DEFAULT_GUARDDOG = REPO / ".bench-venv" / "bin" / "guarddog"
GUARDDOG_VERSION = "3.2.0"
GUARDDOG_TIMEOUT = 600
FLAGGED = {"malicious", "suspicious"}


# ------------------------------------------------------------------ the artifact list


def malicious_artifacts(samples: Path) -> list[dict[str, Any]]:
    out = []
    for eco in ("pypi", "npm"):
        manifest = samples / f"{eco}-malicious" / "manifest.json"
        for m in json.loads(manifest.read_text(encoding="utf-8")):
            out.append(
                {
                    "label": "malicious",
                    "ecosystem": eco,
                    "name": m["name"],
                    "version": m["version"],
                    "path": str(samples / f"{eco}-malicious" / m["file"]),
                    "sha256": m["sha256"],
                }
            )
    return out


def _benign_list(samples: Path) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for line in (samples / "benign-pypi.txt").read_text(encoding="utf-8").split():
        name, _, version = line.partition("==")
        out.append(("pypi", name, version or None))
    for line in (samples / "benign-npm.txt").read_text(encoding="utf-8").split():
        at = line.rfind("@")
        name, version = (line[:at], line[at + 1 :]) if at > 0 else (line, "")
        out.append(("npm", name, version or None))
    return out


def benign_artifacts(samples: Path, cache: Path, *, fetch_missing: bool) -> list[dict[str, Any]]:
    """The benign packages' files, fetched once by `analysis.fetch` into `cache`."""
    index_path = cache / "index.json"
    index: dict[str, Any] = (
        json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else {}
    )
    wanted = _benign_list(samples)
    missing = [w for w in wanted if f"{w[0]}:{w[1]}" not in index]
    if missing and fetch_missing:
        _fetch(missing, cache, index)
        index_path.write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
    out = []
    for eco, name, _ in wanted:
        entry = index.get(f"{eco}:{name}")
        if not entry or "files" not in entry:
            continue
        for filename in entry["files"]:
            path = cache / eco / filename.replace("/", "_")
            if path.exists():
                out.append(
                    {
                        "label": "benign",
                        "ecosystem": eco,
                        "name": name,
                        "version": entry["version"],
                        "path": str(path),
                        "sha256": "",
                    }
                )
    return out


def _fetch(missing: list[tuple[str, str, str | None]], cache: Path, index: dict[str, Any]) -> None:
    from package_analysis.analysis import fetch
    from package_analysis.analysis.model import AnalysisError, PackageRef

    for eco, name, version in missing:
        dest = cache / eco
        dest.mkdir(parents=True, exist_ok=True)
        ref = PackageRef(eco, name, version, f"pkg:{eco}/{name}")  # type: ignore[arg-type]
        try:
            resolved = fetch.resolve(ref, deadline=time.monotonic() + 120)
            files = []
            for remote in resolved.files:
                if not (dest / remote.filename.replace("/", "_")).exists():
                    fetch.download(
                        remote, dest, max_bytes=100 << 20, deadline=time.monotonic() + 600
                    )
                files.append(remote.filename)
            index[f"{eco}:{name}"] = {"version": resolved.package.version, "files": files}
        except AnalysisError as exc:
            print(f"bench-analysis: {eco} {name}: {exc}", file=sys.stderr)
            index[f"{eco}:{name}"] = {"error": str(exc)}


# ------------------------------------------------------------------ our engine (child)


def _unpack(path: Path, dest: Path) -> None:
    """Bench-only extraction (byte reading, no links, no absolute paths)."""
    if path.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = info.filename
                if info.is_dir() or name.startswith("/") or ".." in Path(name).parts:
                    continue
                target = dest / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
    else:
        with tarfile.open(path) as tf:
            tf.extractall(dest, filter="data")


def run_ours(items: list[dict[str, Any]], out: Path) -> None:
    """Child-process side: scan each artifact, one JSON line each, then peak RSS."""
    from package_analysis.analysis import engine, scoring
    from package_analysis.analysis.model import PackageRef

    try:
        from package_analysis.analysis import pipeline  # the real stage chain, once landed
    except ImportError:
        pipeline = None  # type: ignore[assignment]
    with out.open("w", encoding="utf-8") as fh:
        for item in items:
            path = Path(item["path"])
            started = time.perf_counter()
            row: dict[str, Any] = {"path": item["path"]}
            try:
                if pipeline is not None and hasattr(pipeline, "analyze_file"):
                    marks: dict[str, float] = {}

                    def mark(stage: str, _fraction: float, marks: dict[str, float] = marks) -> None:
                        marks.setdefault(stage, time.perf_counter())

                    report = pipeline.analyze_file(
                        path,
                        ecosystem=item["ecosystem"],
                        limits=pipeline.Limits.from_env(),
                        on_progress=mark,
                    )
                    if "unpacked" in marks:
                        row["scan_seconds"] = time.perf_counter() - marks["unpacked"]
                    findings = report.findings
                    verdict, score = report.verdict, report.score
                else:
                    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
                        _unpack(path, Path(tmp))
                        scan_started = time.perf_counter()
                        ref = PackageRef(item["ecosystem"], item["name"], item["version"], "")
                        findings = engine.scan_tree(
                            Path(tmp), ecosystem=item["ecosystem"], package=ref, artifact_sha256=""
                        )
                        row["scan_seconds"] = time.perf_counter() - scan_started
                    verdict, score = scoring.verdict(findings)
                row.update(
                    verdict=verdict,
                    score=score,
                    findings=[
                        {
                            k: f.as_dict()[k]
                            for k in ("rule", "severity", "reachability", "file", "line")
                        }
                        for f in sorted(findings, key=scoring.weight, reverse=True)[:8]
                    ],
                )
            except Exception as exc:  # an artifact we cannot analyse is a result too
                row.update(verdict="error", score=0.0, error=f"{type(exc).__name__}: {exc}")
            row["seconds"] = time.perf_counter() - started
            fh.write(json.dumps(row) + "\n")
            fh.flush()
        # the scanning process and the unpack children the pipeline starts
        peak_kib = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        fh.write(
            json.dumps({"peak_rss_kib": peak_kib, "rules_version": engine.RULES_VERSION}) + "\n"
        )


# ------------------------------------------------------------------ GuardDog


def _guarddog_env(tmp: Path, guarddog: Path) -> dict[str, str]:
    """A private copy of GuardDog's shipped popular-package lists, marked fresh."""
    site = next((guarddog.parent.parent / "lib").glob("python3*/site-packages/guarddog"))
    resources = site / "analyzer" / "metadata" / "resources"
    copy = tmp / "guarddog-resources"
    shutil.copytree(resources, copy, dirs_exist_ok=True)
    for path in copy.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "downloaded_timestamp" in data:
            data["downloaded_timestamp"] = int(time.time())
            path.write_text(json.dumps(data), encoding="utf-8")
    return {**os.environ, "GUARDDOG_TOP_PACKAGES_CACHE_LOCATION": str(copy)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def spread(mal: list[dict[str, Any]], ben: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Both sets interleaved in a fixed scattered order, so a time-boxed GuardDog run
    covers a spread of both (the order is a permutation: strides prime to the set sizes)."""
    out: list[dict[str, Any]] = []

    def stride(n: int) -> int:
        k = 37
        while n and math.gcd(k, n) != 1:
            k += 2
        return k

    sb, sm = stride(len(ben)), stride(len(mal))
    for i in range(max(len(mal), len(ben))):
        if i < len(ben):
            out.append(ben[(i * sb) % len(ben)])
        if i < len(mal):
            out.append(mal[(i * sm) % len(mal)])
    return out


def run_guarddog(
    items: list[dict[str, Any]], guarddog: Path, cache: Path, budget_s: float = 0.0
) -> dict[str, dict[str, Any]]:
    """GuardDog on each item (cached results reused); new scans stop after `budget_s`."""
    deadline = time.monotonic() + budget_s if budget_s else None
    results_dir = cache / f"guarddog-{GUARDDOG_VERSION}"
    results_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-guarddog-") as tmp_root:
        env = _guarddog_env(Path(tmp_root), guarddog)
        for n, item in enumerate(items, 1):
            path = Path(item["path"])
            cached = results_dir / f"{item['sha256'] or _sha256(path)}.json"
            if cached.exists():
                out[item["path"]] = json.loads(cached.read_text(encoding="utf-8"))
                continue
            if deadline is not None and time.monotonic() > deadline:
                continue
            row = _guarddog_one(item, guarddog, env, Path(tmp_root))
            cached.write_text(json.dumps(row), encoding="utf-8")
            out[item["path"]] = row
            if n % 25 == 0:
                print(f"bench-analysis: guarddog {n}/{len(items)}", file=sys.stderr, flush=True)
    return out


def _guarddog_one(
    item: dict[str, Any], guarddog: Path, env: dict[str, str], tmp_root: Path
) -> dict[str, Any]:
    path = Path(item["path"])
    with tempfile.TemporaryDirectory(dir=tmp_root) as tmp:
        target = path
        if item["ecosystem"] == "npm":  # guarddog scans an npm package as a directory
            target = Path(tmp) / "pkg"
            target.mkdir()
            _unpack(path, target)
        argv = [str(guarddog), item["ecosystem"], "scan", str(target), "--output-format", "json"]
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=tmp
        )
        timer = threading.Timer(GUARDDOG_TIMEOUT, proc.kill)
        timer.start()
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        proc.stdout.close()
        # wait4: this process's own peak RSS (it includes the children it waited for)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
        timer.cancel()
        seconds = time.perf_counter() - started
        peak = usage.ru_maxrss
    try:
        doc = json.loads(stdout.decode("utf-8", "replace") or "{}")
    except ValueError:
        doc = {}
    label = (doc.get("risk_score") or {}).get("label", "")
    verdict = {"high_risk": "malicious", "suspicious": "suspicious"}.get(label, "clean")
    if not doc:
        verdict = "error"
    rules = sorted(k for k, v in (doc.get("results") or {}).items() if v)
    return {
        "verdict": verdict,
        "label": label,
        "score": (doc.get("risk_score") or {}).get("score"),
        "issues": doc.get("issues", 0),
        "rules": rules,
        "seconds": seconds,
        "peak_rss_kib": peak,
    }


# ------------------------------------------------------------------ figures


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(rows: list[dict[str, Any]], side: str) -> dict[str, Any]:
    mal = [r for r in rows if r["label"] == "malicious"]
    ben = [r for r in rows if r["label"] == "benign"]
    ben_pkgs: dict[str, list[str]] = {}
    for r in ben:
        ben_pkgs.setdefault(f"{r['ecosystem']}:{r['name']}", []).append(r[side]["verdict"])

    def pkg_rate(pred: set[str]) -> float:
        hit = sum(1 for vs in ben_pkgs.values() if any(v in pred for v in vs))
        return hit / max(len(ben_pkgs), 1)

    times = [r[side]["seconds"] for r in rows if r[side]["verdict"] != "error"]
    scan_times = [
        r[side]["scan_seconds"]
        for r in rows
        if r[side]["verdict"] != "error" and "scan_seconds" in r[side]
    ]
    return {
        "recall": sum(r[side]["verdict"] in FLAGGED for r in mal) / max(len(mal), 1),
        "recall_malicious": sum(r[side]["verdict"] == "malicious" for r in mal) / max(len(mal), 1),
        "benign_packages": len(ben_pkgs),
        "benign_artifacts": len(ben),
        "fp_malicious_pkg": pkg_rate({"malicious"}),
        "fp_flagged_pkg": pkg_rate(FLAGGED),
        "fp_flagged_artifact": sum(r[side]["verdict"] in FLAGGED for r in ben) / max(len(ben), 1),
        "errors": sum(r[side]["verdict"] == "error" for r in rows),
        "p50_s": _pct(times, 0.5),
        "scan_p50_s": _pct(scan_times, 0.5),
        "scan_p95_s": _pct(scan_times, 0.95),
        "p95_s": _pct(times, 0.95),
        "mean_s": statistics.fmean(times) if times else 0.0,
    }


def _row_line(r: dict[str, Any], side: str) -> str:
    s = r[side]
    if side == "ours":
        why = ", ".join(
            f"{f['rule']}({f['severity']}/{f['reachability']} {f['file']}:{f['line']})"
            for f in s.get("findings", [])[:5]
        )
        why = why or s.get("error", "") or "no finding"
    else:
        why = ", ".join(s.get("rules", [])[:8]) or "no rule matched"
    name = Path(r["path"]).name
    return f"| {r['ecosystem']} | `{name}` | {s['verdict']} {s.get('score')} | {why} |"


def portable(path: str | Path, samples: Path) -> str:
    """A path as the published results show it: inside the samples folder `samples/…`,
    inside the checkout relative to it, else the file name (never this machine's layout)."""
    path = Path(path)
    if not path.is_absolute():
        return str(path)  # already published
    for root, label in ((samples, "samples"), (REPO, ".")):
        if path.is_relative_to(root):
            return str(Path(label) / path.relative_to(root))
    return path.name


def write_results(rows: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    samples = Path(meta["samples"])
    rows = [{**r, "path": portable(r["path"], samples)} for r in rows]
    meta = {**meta, "samples": "samples (BENCH_SAMPLES, else ../shared/samples)"}
    ours, gd = meta["ours"], meta.get("guarddog")
    goals = meta["goals"]
    lines = [
        "# Package analysis: detection and cost (`make bench-analysis`)",
        "",
        f"Run {meta['when']} on {meta['machine']}; rules_version `{meta['rules_version']}`; "
        f"samples `{meta['samples']}`. Same local files for both tools.",
        "",
        f"The side-by-side columns cover the {meta['n_compared']} artifacts GuardDog has "
        f"scanned so far ({meta['n_compared_malicious']} malicious; its results are cached, "
        "a time-boxed run adds more); the first column is ours on every artifact.",
        "",
        "| figure | ours, all | ours, same files | GuardDog 3.2.0, same files | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    sub_ = meta.get("ours_subset")

    def fig(label: str, key: str, fmt: str, goal: str, met: bool | None) -> None:
        g = fmt.format(gd[key]) if gd else "not run"
        o = fmt.format(sub_[key]) if sub_ else "-"
        mark = "n/a" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {label} | {fmt.format(ours[key])} | {o} | {g} | {goal} | {mark} |")

    fig("recall, suspicious or worse", "recall", "{:.1%}", "≥ 95% and ≥ GuardDog", goals["recall"])
    fig("recall, malicious", "recall_malicious", "{:.1%}", "", None)
    fig("benign packages flagged malicious", "fp_malicious_pkg", "{:.1%}", "≤ 1%", goals["fp_mal"])
    fig(
        "benign packages suspicious or worse",
        "fp_flagged_pkg",
        "{:.1%}",
        "≤ 5% and ≤ GuardDog",
        goals["fp_flag"],
    )
    fig("benign artifacts suspicious or worse", "fp_flagged_artifact", "{:.1%}", "", None)
    fig("time per artifact p50", "p50_s", "{:.3f} s", "≤ 0.25x GuardDog", goals["time"])
    fig("time per artifact p95", "p95_s", "{:.3f} s", "", None)
    lines.append(
        f"| of which rules only (after unpack), p50 / p95 | {ours['scan_p50_s']:.3f} / "
        f"{ours['scan_p95_s']:.3f} s | "
        + (f"{sub_['scan_p50_s']:.3f} / {sub_['scan_p95_s']:.3f} s" if sub_ else "-")
        + " | - |  | n/a |"
    )
    lines.append(
        f"| peak RSS | {meta['ours_peak_mib']:.0f} MiB | - | "
        f"{meta['guarddog_peak_mib']:.0f} MiB | ≤ GuardDog | "
        f"{'n/a' if goals['memory'] is None else ('yes' if goals['memory'] else '**no**')} |"
    )
    fig("artifacts that could not be analysed", "errors", "{}", "", None)
    lines += [
        "",
        f"{meta['n_malicious']} malicious archives; {ours['benign_packages']} benign packages "
        f"({ours['benign_artifacts']} artifacts: sdist and wheel for PyPI"
        + (
            f"; every {meta['benign_every']}th package of the benign lists, for time"
            if meta.get("benign_every", 1) > 1
            else ""
        )
        + "). A benign package counts as flagged when any of its artifacts is.",
        "",
        "How it is measured: see the docstring of `bench/analysis.py` (ours: unpack + scan "
        "in one process, rules compiled once; GuardDog: its CLI per artifact, its own risk "
        "label). Every miss and false positive: `analysis-misses.md`.",
        "",
    ]
    pipe = meta.get("pipeline")
    if pipe:
        lines += [
            "## Through the real pipeline",
            "",
            f"{pipe['1']['packages']} malicious archives uploaded with `POST /analyze/upload` "
            "while no worker runs, then drained by workers started with "
            "`docker/entrypoint.sh worker` (bench/analysis_pipeline.py).",
            "",
            "| workers | packages/min | outcomes |",
            "|---|---|---|",
        ]
        lines += [
            f"| {k} | {v['per_minute']:.1f} | {v['outcomes']} |" for k, v in sorted(pipe.items())
        ]
        lines.append("")
    (RESULTS / "analysis.md").write_text("\n".join(lines), encoding="utf-8")
    (RESULTS / "analysis.json").write_text(
        json.dumps({**meta, "rows": rows}, indent=1, sort_keys=True), encoding="utf-8"
    )
    miss = [
        "# Misses and false positives (`make bench-analysis`)",
        "",
        f"rules_version `{meta['rules_version']}`. Ours first; GuardDog's verdict on the same "
        "file for comparison. The reason is the strongest findings (rule, severity/"
        "reachability, file:line), or that nothing matched.",
        "",
        "## Malicious archives we did not flag",
        "",
        "| eco | file | ours | why | GuardDog |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r["label"] == "malicious" and r["ours"]["verdict"] not in FLAGGED:
            g = r.get("guarddog", {}).get("verdict", "not run")
            miss.append(f"{_row_line(r, 'ours')} {g} |")
    miss += [
        "",
        "## Benign artifacts we flagged (suspicious or worse)",
        "",
        "| eco | file | ours | why | GuardDog |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r["label"] == "benign" and r["ours"]["verdict"] in FLAGGED:
            g = r.get("guarddog", {}).get("verdict", "not run")
            miss.append(f"{_row_line(r, 'ours')} {g} |")
    if gd:
        for title, pred in (
            (
                "Malicious archives GuardDog did not flag",
                lambda r: r["label"] == "malicious" and r["guarddog"]["verdict"] not in FLAGGED,
            ),
            (
                "Benign artifacts GuardDog flagged",
                lambda r: r["label"] == "benign" and r["guarddog"]["verdict"] in FLAGGED,
            ),
        ):
            miss += [
                "",
                f"## {title}",
                "",
                "| eco | file | GuardDog | rules |",
                "|---|---|---|---|",
            ]
            miss += [_row_line(r, "guarddog") for r in rows if "guarddog" in r and pred(r)]
    (RESULTS / "analysis-misses.md").write_text("\n".join(miss) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--guarddog", type=Path, default=DEFAULT_GUARDDOG)
    parser.add_argument("--no-guarddog", action="store_true")
    parser.add_argument("--no-fetch", action="store_true", help="only what is already cached")
    parser.add_argument(
        "--guarddog-minutes",
        type=float,
        default=float(os.environ.get("GUARDDOG_MINUTES", "0")),
        help="time box for new GuardDog scans (0: scan everything); cached results always count",
    )
    parser.add_argument("--limit", type=int, default=0, help="first N of each set (smoke runs)")
    parser.add_argument(
        "--benign-every",
        type=int,
        default=int(os.environ.get("BENIGN_EVERY", "1")),
        help="every Kth benign package of the lists (both its artifacts); 1: all",
    )
    parser.add_argument(
        "--pipeline", type=int, default=40, help="uploads through api+workers (0: skip)"
    )
    parser.add_argument(
        "--pipeline-only",
        action="store_true",
        help="only the pipeline figures, added to the last analysis.json",
    )
    parser.add_argument("--child", nargs=2, metavar=("ITEMS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        items = json.loads(Path(args.child[0]).read_text(encoding="utf-8"))
        run_ours(items, Path(args.child[1]))
        return

    samples = args.samples.resolve()
    if args.pipeline_only:
        from bench import analysis_pipeline

        last = json.loads((RESULTS / "analysis.json").read_text(encoding="utf-8"))
        rows = last.pop("rows")
        last["pipeline"] = analysis_pipeline.run(samples, n=args.pipeline)
        write_results(rows, last)
        print((RESULTS / "analysis.md").read_text(encoding="utf-8"))
        return
    mal = malicious_artifacts(samples)
    ben = benign_artifacts(samples, args.cache, fetch_missing=not args.no_fetch)
    if args.benign_every > 1:
        names = sorted({(b["ecosystem"], b["name"]) for b in ben}, key=str)
        keep = set(names[:: args.benign_every])
        ben = [b for b in ben if (b["ecosystem"], b["name"]) in keep]
    if args.limit:
        mal, ben = mal[: args.limit], ben[: args.limit]
    items = mal + ben
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        items_file, out_file = Path(tmp) / "items.json", Path(tmp) / "out.jsonl"
        items_file.write_text(json.dumps(items), encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "bench.analysis", "--child", str(items_file), str(out_file)],
            cwd=REPO,
            check=True,
        )
        lines = [json.loads(x) for x in out_file.read_text(encoding="utf-8").splitlines()]
    tail = lines.pop()
    by_path = {x["path"]: x for x in lines}
    rows = [{**item, "ours": by_path[item["path"]]} for item in items]
    gd_rows: dict[str, dict[str, Any]] = {}
    if not args.no_guarddog and args.guarddog.exists():
        gd_rows = run_guarddog(
            spread(mal, ben), args.guarddog, args.cache, budget_s=args.guarddog_minutes * 60
        )
        for r in rows:
            if r["path"] in gd_rows:
                r["guarddog"] = gd_rows[r["path"]]
    ours = summarise(rows, "ours")
    both = [r for r in rows if "guarddog" in r]
    gd = summarise(both, "guarddog") if both else None
    ours_subset = summarise(both, "ours") if both else None
    gd_peak = max((g.get("peak_rss_kib", 0) for g in gd_rows.values()), default=0) / 1024
    ours_peak = tail["peak_rss_kib"] / 1024
    sub_ = ours_subset or ours
    goals = {
        "recall": ours["recall"] >= 0.95 and (gd is None or sub_["recall"] >= gd["recall"]),
        "fp_mal": ours["fp_malicious_pkg"] <= 0.01,
        "fp_flag": ours["fp_flagged_pkg"] <= 0.05
        and (gd is None or sub_["fp_flagged_pkg"] <= gd["fp_flagged_pkg"]),
        "time": None if gd is None else sub_["p50_s"] <= 0.25 * gd["p50_s"],
        "memory": None if gd is None else ours_peak <= gd_peak,
    }
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs",
        "samples": str(args.samples),
        "rules_version": tail["rules_version"],
        "n_malicious": len(mal),
        "benign_every": args.benign_every,
        "ours": ours,
        "ours_subset": ours_subset,
        "n_compared": len(both),
        "n_compared_malicious": sum(r["label"] == "malicious" for r in both),
        "guarddog": gd,
        "ours_peak_mib": ours_peak,
        "guarddog_peak_mib": gd_peak,
        "goals": goals,
    }
    if args.pipeline:
        from bench import analysis_pipeline

        meta["pipeline"] = analysis_pipeline.run(samples, n=args.pipeline)
    write_results(rows, meta)
    print((RESULTS / "analysis.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
