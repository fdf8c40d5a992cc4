"""`make bench-analysis`: detection quality and cost of the analysis rules, side by side with
GuardDog on the same local files.

- recall (suspicious or worse, and malicious) on the malicious archives of the samples folder;
- false positives on the benign packages, on the whole lists: the samples folder's
  benign-pypi.txt / benign-npm.txt and the 1,000 most downloaded PyPI and 500 most downloaded
  npm names (bench/data/top-*.txt, made by `scripts/popular_names.py --ranked`), one version
  each: the sdist and one wheel of each PyPI package, the tarball of each npm package;
- time per artifact (p50/p95) and peak RSS, for our engine and for GuardDog.

Downloads go through the project's own fetcher (`analysis.fetch`: the registry's file list
and a hash-checked download; nothing is built or installed) into the git-ignored
`.bench-cache/analysis/downloads/` with an index rewritten after every package. Scan results
are cached apart, per artifact sha256 under `scans/<rules version>-<pipeline hash>/`: an
interrupted run resumes where it stopped, and a new rules version re-scans without
re-downloading. Progress (done/total, rate, ETA) goes to stderr; `make
bench-analysis-background` runs the whole thing nice'd in the background with its log in
`.bench-cache/analysis/run.log`.

Our side runs in one child process (rules compiled once, as in a worker): time per artifact
is unpack + scan in that process, peak RSS is that process's. GuardDog runs as its CLI, one
process per artifact (how it is used): time is the process's wall time, peak RSS the largest
of its processes. GuardDog's verdict is its own risk label: `high_risk` = malicious,
`suspicious` = suspicious, anything lower = clean. Its bundled popular-package lists are
used as shipped (their timestamp is refreshed in a private copy so it does not try a network
refresh that this machine cannot make). GuardDog results are cached per file sha256 and
GuardDog version, so a rule change re-measures only our side. GuardDog scans every
malicious archive and, by default, the benign packages of the samples folder's lists
(`--guarddog-benign all` for every benign artifact: several seconds each).

Results: analysis.md (+ .json) and analysis-misses.md (every miss and every false positive
with the findings, or the lack of them, that explain it) in artifacts/bench/results/, or in
bench/results/ with `make bench-analysis-publish`.
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

from bench.treemem import TreePeak

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


BENIGN_TOP = REPO / "bench" / "data"  # top-pypi.txt, top-npm.txt (scripts/popular_names.py)
# Sets whose releases matter as pinned (a review's false alarms): kept even where an earlier
# set has the same name at another version.
VERSION_SETS = {"review"}
FETCH_THREADS = 4


def _parse_list(path: Path, eco: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if eco == "pypi":
            name, _, version = line.partition("==")
        else:
            at = line.rfind("@")
            name, version = (line[:at], line[at + 1 :]) if at > 0 else (line, "")
        out.append((name, version or None))
    return out


def benign_wanted(
    samples: Path, sets: list[str]
) -> list[tuple[tuple[str, ...], str, str, str | None]]:
    """(sets, ecosystem, name, version) of every benign package, one version each, with the
    lists it is on: the samples folder's lists, the most downloaded names (bench/data)."""
    sources = {
        "samples": [("pypi", samples / "benign-pypi.txt"), ("npm", samples / "benign-npm.txt")],
        "top": [("pypi", BENIGN_TOP / "top-pypi.txt"), ("npm", BENIGN_TOP / "top-npm.txt")],
        "review": [
            ("pypi", BENIGN_TOP / "review-pypi.txt"),
            ("npm", BENIGN_TOP / "review-npm.txt"),
        ],
    }
    found: dict[tuple[str, str, str | None], tuple[list[str], str, str, str | None]] = {}
    for set_name in sets:
        for eco, path in sources[set_name]:
            for name, version in _parse_list(path, eco):
                key: tuple[str, str, str | None] = (eco, name.lower(), None)
                pinned_elsewhere = key in found and found[key][3] != version
                if set_name in VERSION_SETS and version and pinned_elsewhere:
                    key = (eco, name.lower(), version)  # this very release, beside the others'
                if key in found:  # one version each: the first list's
                    found[key][0].append(set_name)
                else:
                    found[key] = ([set_name], eco, name, version)
    # Most downloaded first, the two registries alternating (a partial run covers both).
    by_eco: dict[str, list[tuple[tuple[str, ...], str, str, str | None]]] = {}
    for on, eco, name, version in found.values():
        by_eco.setdefault(eco, []).append((tuple(on), eco, name, version))
    out: list[tuple[tuple[str, ...], str, str, str | None]] = []
    for rank in range(max((len(v) for v in by_eco.values()), default=0)):
        out += [v[rank] for v in by_eco.values() if rank < len(v)]
    return out


def _key(eco: str, name: str, version: str | None) -> str:
    return f"{eco}:{name}@{version or 'latest'}"


class DownloadCache:
    """Downloads kept across runs: `<cache>/downloads/<eco>/<name>/<file>` and an index
    (`downloads/index.json`: key → version, files with sha256/size, or the fetch error),
    rewritten atomically after every package so an interrupted run resumes where it stopped.
    Independent of the rules: a new rules version re-scans the same files."""

    def __init__(self, cache: Path) -> None:
        self.root = cache / "downloads"
        self.root.mkdir(parents=True, exist_ok=True)
        self.index_path = self.root / "index.json"
        self.index: dict[str, Any] = (
            json.loads(self.index_path.read_text(encoding="utf-8"))
            if self.index_path.exists()
            else {}
        )
        self.lock = threading.Lock()

    def record(self, key: str, entry: dict[str, Any]) -> None:
        with self.lock:
            self.index[key] = entry
            tmp = self.index_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.index, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(self.index_path)

    def fetch_one(self, eco: str, name: str, version: str | None) -> dict[str, Any]:
        import re

        from package_analysis.analysis import ecosystems, fetch
        from package_analysis.analysis.model import AnalysisError, PackageRef

        ref = PackageRef(eco, name, version, f"pkg:{eco}/{name}")  # type: ignore[arg-type]
        try:
            resolved = ecosystems.resolve(ref, deadline=time.monotonic() + 120)
            dest = self.root / eco / re.sub(r"[^A-Za-z0-9._+-]", "_", name)
            dest.mkdir(parents=True, exist_ok=True)
            files = []
            for remote in resolved.files:
                try:
                    for stale in dest.glob("*"):  # a partial file of an interrupted run
                        if stale.name == remote.filename:
                            stale.unlink()
                    art = fetch.download(
                        remote, dest, max_bytes=100 << 20, deadline=time.monotonic() + 900
                    )
                    assert art.path is not None
                    files.append(
                        {
                            "filename": remote.filename,
                            "path": art.path.relative_to(self.root).as_posix(),
                            "sha256": art.sha256,
                            "size": art.size,
                        }
                    )
                except AnalysisError as exc:  # one file too large: the others still count
                    files.append({"filename": remote.filename, "error": str(exc)})
            return {"version": resolved.package.version, "files": files}
        except AnalysisError as exc:
            return {"error": str(exc)}

    def ensure(
        self, wanted: list[tuple[tuple[str, ...], str, str, str | None]], *, fetch: bool
    ) -> None:
        missing = [w for w in wanted if not self._complete(_key(w[1], w[2], w[3]))]
        if not missing or not fetch:
            if missing:
                print(f"bench-analysis: {len(missing)} benign packages not cached", file=sys.stderr)
            return
        import fcntl  # one fetcher at a time: another run's stale-file cleanup would delete ours

        with (self.root / ".fetch.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.index_path.exists():  # what a run that held the lock before us fetched
                self.index = json.loads(self.index_path.read_text(encoding="utf-8"))
            missing = [w for w in missing if not self._complete(_key(w[1], w[2], w[3]))]
            self._fetch(missing)

    def _fetch(self, missing: list[tuple[tuple[str, ...], str, str, str | None]]) -> None:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        started, done = time.monotonic(), 0
        print(f"bench-analysis: fetching {len(missing)} benign packages", file=sys.stderr)
        with ThreadPoolExecutor(FETCH_THREADS) as pool:
            futures = {pool.submit(self.fetch_one, *w[1:]): w for w in missing}
            for future in as_completed(futures):
                _, eco, name, version = futures[future]
                entry = future.result()
                self.record(_key(eco, name, version), entry)
                done += 1
                if "error" in entry:
                    print(f"bench-analysis: {eco} {name}: {entry['error']}", file=sys.stderr)
                if done % 25 == 0 or done == len(missing):
                    _progress("fetched", done, len(missing), started)

    def _complete(self, key: str) -> bool:
        """Indexed, and every file the index lists is on disk (an interrupted or concurrent
        run can leave an entry whose file is gone: it is fetched again, never skipped)."""
        entry = self.index.get(key)
        if entry is None:
            return False
        files = entry.get("files", [])
        return all("error" in f or (self.root / f["path"]).exists() for f in files)

    def artifacts(
        self, wanted: list[tuple[tuple[str, ...], str, str, str | None]]
    ) -> list[dict[str, Any]]:
        out = []
        for on, eco, name, version in wanted:
            set_name = list(on)
            entry = self.index.get(_key(eco, name, version))
            if not entry:
                continue
            if "error" in entry:
                out.append(_unfetched(set_name, eco, name, version, entry["error"]))
                continue
            for f in entry["files"]:
                if "error" in f:
                    out.append(_unfetched(set_name, eco, name, entry["version"], f["error"]))
                    continue
                path = self.root / f["path"]
                if not path.exists():  # said, not skipped: the figures count it as not analysed
                    why = f"{f['filename']} is missing from the download cache"
                    out.append(_unfetched(set_name, eco, name, entry["version"], why))
                else:
                    out.append(
                        {
                            "label": "benign",
                            "sets": set_name,
                            "ecosystem": eco,
                            "name": name,
                            "version": entry["version"],
                            "path": str(path),
                            "sha256": f["sha256"],
                        }
                    )
        return out


def _unfetched(
    set_name: list[str], eco: str, name: str, version: str | None, error: str
) -> dict[str, Any]:
    return {
        "label": "benign",
        "sets": set_name,
        "ecosystem": eco,
        "name": name,
        "version": version or "",
        "path": f"unfetched:{eco}:{name}:{version}",
        "sha256": "",
        "fetch_error": error,
    }


def _progress(what: str, done: int, total: int, started: float, extra: str = "") -> None:
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed else 0.0
    eta = (total - done) / rate if rate else 0.0
    print(
        f"bench-analysis: {what} {done}/{total} ({rate:.2f}/s, eta {eta / 60:.0f} min){extra}",
        file=sys.stderr,
        flush=True,
    )


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


def scan_key() -> str:
    """What a cached scan result depends on: the rules (engine.RULES_VERSION hashes the
    engine, scoring and rules) and the stages around them (pipeline, unpack, model)."""
    from package_analysis.analysis import engine

    digest = hashlib.sha256()
    here = REPO / "backend" / "package_analysis" / "analysis"
    for name in ("pipeline.py", "stages.py", "treeinfo.py", "unpack.py", "model.py"):
        digest.update((here / name).read_bytes())
    return f"{engine.RULES_VERSION}-{digest.hexdigest()[:8]}"


def _scan_one(item: dict[str, Any]) -> dict[str, Any]:
    from package_analysis.analysis import engine, scoring
    from package_analysis.analysis.model import PackageRef

    try:
        from package_analysis.analysis import pipeline  # the real stage chain, once landed
    except ImportError:
        pipeline = None  # type: ignore[assignment]
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
                    for k in (
                        "rule",
                        "title",
                        "severity",
                        "reachability",
                        "file",
                        "line",
                        "snippet",
                    )
                }
                for f in sorted(findings, key=scoring.weight, reverse=True)[:8]
            ],
        )
    except Exception as exc:  # an artifact we cannot analyse is a result too
        row.update(verdict="error", score=0.0, error=f"{type(exc).__name__}: {exc}")
    row["seconds"] = time.perf_counter() - started
    return row


def run_ours(
    items: list[dict[str, Any]],
    out: Path,
    cache: Path | None = None,
    cached_only: bool = False,
    claims: Path | None = None,
) -> None:
    """Child-process side: scan each artifact, one JSON line each, then peak RSS. With a
    cache, each result is kept under `<cache>/scans/<scan_key>/<sha256>.json` and reused:
    an interrupted run resumes, and only a new rules version re-scans. `cached_only`: no
    new scan, an artifact without a cached result is marked `not-scanned`. With `claims`
    (a folder shared by the children of one run) each child takes the next artifact no
    other child has taken: a work queue, in list order."""
    from package_analysis.analysis import engine

    key = scan_key()
    scans = cache / "scans" / key if cache is not None else None
    if scans is not None:
        scans.mkdir(parents=True, exist_ok=True)
    started, reused, scanned = time.monotonic(), 0, 0
    with out.open("w", encoding="utf-8") as fh:
        for n, item in enumerate(items, 1):
            if claims is not None:
                try:
                    os.close(os.open(claims / str(n), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    continue  # another child has it
            fresh = False
            kept = (
                scans / f"{item['ecosystem']}-{item['sha256']}.json"
                if scans and item["sha256"]
                else None
            )
            if "fetch_error" in item:
                row = {"path": item["path"], "verdict": "error", "score": 0.0, "seconds": 0.0}
                row["error"] = f"not fetched: {item['fetch_error']}"
            elif kept is not None and kept.exists():
                row = {**json.loads(kept.read_text(encoding="utf-8")), "path": item["path"]}
                reused += 1
            elif cached_only:
                row = {"path": item["path"], "verdict": "not-scanned", "score": 0.0}
            else:
                row = _scan_one(item)
                scanned, fresh = scanned + 1, True
                if kept is not None:
                    tmp = kept.with_suffix(".tmp")
                    tmp.write_text(json.dumps(row), encoding="utf-8")
                    tmp.replace(kept)
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            if (fresh and scanned % 10 == 0) or n % 200 == 0:
                extra = f"; this child scanned {scanned}, reused {reused} from the cache"
                _progress("at artifact", n, len(items), started, extra)
        # the scanning process and the unpack children the pipeline starts
        peak_kib = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        fh.write(
            json.dumps(
                {
                    "peak_rss_kib": peak_kib,
                    "scanned": scanned,
                    "rules_version": engine.RULES_VERSION,
                    "scan_key": key,
                }
            )
            + "\n"
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
                row = json.loads(cached.read_text(encoding="utf-8"))
                out[item["path"]] = {**row, "from_cache": True}
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
    item: dict[str, Any],
    guarddog: Path,
    env: dict[str, str],
    tmp_root: Path,
    *,
    tree_memory: bool = False,
) -> dict[str, Any]:
    """One GuardDog scan; with `tree_memory`, also the sampled peak memory of its whole
    process tree (`bench.treemem`: its Python and its semgrep, added up)."""
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
        tree = TreePeak(proc.pid) if tree_memory else None
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        proc.stdout.close()
        # wait4: this process's own peak RSS (it includes the children it waited for)
        _, _, usage = os.wait4(proc.pid, 0)
        memory = tree.stop() if tree is not None else {}
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
        **memory,
    }


# ------------------------------------------------------------------ figures


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _benign_packages(rows: list[dict[str, Any]], side: str) -> dict[str, list[dict[str, Any]]]:
    pkgs: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["label"] == "benign" and side in r:
            pkgs.setdefault(f"{r['ecosystem']}:{r['name']}", []).append(r)
    return pkgs


_RANK = {"malicious": 3, "suspicious": 2, "clean": 1, "error": 0}


def _worst(rs: list[dict[str, Any]], side: str) -> dict[str, Any]:
    return max(rs, key=lambda r: (_RANK.get(r[side]["verdict"], 0), r[side].get("score") or 0))


def summarise(rows: list[dict[str, Any]], side: str) -> dict[str, Any]:
    mal = [r for r in rows if r["label"] == "malicious"]
    ben = [r for r in rows if r["label"] == "benign" and r[side]["verdict"] != "error"]
    pkgs = _benign_packages(rows, side)
    analysed = {k: rs for k, rs in pkgs.items() if any(r[side]["verdict"] != "error" for r in rs)}

    def pkg_count(pred: set[str]) -> int:
        return sum(1 for rs in analysed.values() if _worst(rs, side)[side]["verdict"] in pred)

    times = [r[side]["seconds"] for r in rows if r[side]["verdict"] != "error"]
    scan_times = [
        r[side]["scan_seconds"]
        for r in rows
        if r[side]["verdict"] != "error" and "scan_seconds" in r[side]
    ]
    n = max(len(analysed), 1)
    return {
        "recall": sum(r[side]["verdict"] in FLAGGED for r in mal) / max(len(mal), 1),
        "recall_malicious": sum(r[side]["verdict"] == "malicious" for r in mal) / max(len(mal), 1),
        "benign_packages": len(analysed),
        "benign_not_analysed": len(pkgs) - len(analysed),
        "benign_artifacts": len(ben),
        "fp_malicious_n": pkg_count({"malicious"}),
        "fp_flagged_n": pkg_count(FLAGGED),
        "fp_malicious_pkg": pkg_count({"malicious"}) / n,
        "fp_flagged_pkg": pkg_count(FLAGGED) / n,
        "fp_flagged_artifact": sum(r[side]["verdict"] in FLAGGED for r in ben) / max(len(ben), 1),
        "errors": sum(r[side]["verdict"] == "error" for r in rows),
        "p50_s": _pct(times, 0.5),
        "scan_p50_s": _pct(scan_times, 0.5),
        "scan_p95_s": _pct(scan_times, 0.95),
        "p95_s": _pct(times, 0.95),
        "mean_s": statistics.fmean(times) if times else 0.0,
    }


def _cell(text: str, limit: int = 90) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|").replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why(s: dict[str, Any], n: int = 3) -> str:
    """The strongest findings in words: rule (severity/reach) file:line `snippet`."""
    parts = []
    for f in s.get("findings", [])[:n]:
        where = f"{f['file']}:{f['line']}" if f.get("line") else f["file"]
        snippet = f" `{_cell(f['snippet'], 70)}`" if f.get("snippet") else ""
        parts.append(
            f"{f['rule']} ({f['severity']}/{f['reachability']}) {_cell(where, 80)}{snippet}"
        )
    return "; ".join(parts) or s.get("error", "") or "no finding"


def _row_line(r: dict[str, Any], side: str) -> str:
    s = r[side]
    why = _why(s) if side == "ours" else (", ".join(s.get("rules", [])[:8]) or "no rule matched")
    name = Path(r["path"]).name
    return f"| {r['ecosystem']} | `{name}` | {s['verdict']} {s.get('score')} | {why} |"


def _set_label(name: str) -> str:
    return {
        "samples": "the samples folder's benign lists (top 200 PyPI + top 150 npm)",
        "top": "the 1,000 most downloaded PyPI + 500 npm names (bench/data/top-*.txt)",
        "review": "the releases a detection review found wrongly flagged (bench/data/review-*.txt)",
    }.get(name, name)


def portable(path: str | Path, samples: Path, cache: Path | None = None) -> str:
    """A path as the published results show it: inside the samples folder `samples/…`,
    inside the checkout relative to it, inside a `--cache` folder elsewhere `<cache>/…`, else
    the file name (never this machine's layout)."""
    path = Path(path)
    if not path.is_absolute():
        return str(path)  # already published
    roots = [(samples, "samples"), (REPO, ".")]
    if cache is not None:
        roots.append((cache.resolve(), "<cache>"))
    for root, label in roots:
        if path.is_relative_to(root):
            return str(Path(label) / path.relative_to(root))
    return path.name


def _portable_row(r: dict[str, Any], samples: Path, cache: Path | None) -> dict[str, Any]:
    """The row with every artifact path as published (its own, ours and GuardDog's)."""
    path = portable(r["path"], samples, cache)
    out = {**r, "path": path}
    for side in ("ours", "guarddog"):
        if isinstance(r.get(side), dict) and "path" in r[side]:
            out[side] = {**r[side], "path": path}
    return out


def write_results(rows: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    samples = Path(meta["samples"]).resolve()  # the items carry resolved paths
    cache = Path(meta.pop("cache")) if meta.get("cache") else None
    rows = [_portable_row(r, samples, cache) for r in rows]
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
        f"scanned ({meta['n_compared_malicious']} malicious; benign: "
        f"{meta.get('guarddog_benign', 'samples')}, see below; "
        f"{meta.get('guarddog_from_cache', 0)} of them from GuardDog's result cache, i.e. "
        "earlier runs of the same GuardDog version on the same file); the first column is "
        "ours on every artifact.",
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

    fig("recall, suspicious or worse", "recall", "{:.1%}", "≥ 97% and ≥ GuardDog", goals["recall"])
    fig("recall, malicious", "recall_malicious", "{:.1%}", "≥ 90%", goals.get("recall_mal"))
    fig("benign packages called malicious", "fp_malicious_n", "{}", "0", goals["fp_mal"])
    fig("benign packages suspicious or worse", "fp_flagged_pkg", "{:.1%}", "≤ 1%", goals["fp_flag"])
    fig("benign artifacts suspicious or worse", "fp_flagged_artifact", "{:.1%}", "", None)
    fig("time per artifact p50", "p50_s", "{:.3f} s", "≤ 0.25x GuardDog", goals["time"])
    fig("time per artifact p95", "p95_s", "{:.3f} s", "", None)
    lines.append(
        f"| of which rules only (after unpack), p50 / p95 | {ours['scan_p50_s']:.3f} / "
        f"{ours['scan_p95_s']:.3f} s | "
        + (f"{sub_['scan_p50_s']:.3f} / {sub_['scan_p95_s']:.3f} s" if sub_ else "-")
        + " | - |  | n/a |"
    )
    gd_peak = f"{meta['guarddog_peak_mib']:.0f} MiB" if gd else "not run"
    lines.append(
        "| peak RSS | "
        + (
            "not measured (every result from the scan cache)"
            if meta["ours_peak_mib"] is None
            else f"{meta['ours_peak_mib']:.0f} MiB"
        )
        + f" | - | {gd_peak} | ≤ GuardDog | "
        f"{'n/a' if goals['memory'] is None else ('yes' if goals['memory'] else '**no**')} |"
    )
    fig("artifacts that could not be analysed", "errors", "{}", "", None)
    lines += [
        "",
        f"{meta['n_malicious']} malicious archives; {ours['benign_packages']} benign packages "
        f"analysed ({ours['benign_artifacts']} artifacts: the sdist and one wheel of each PyPI "
        "package, the tarball of each npm package, one version each), "
        f"{ours['benign_not_analysed']} more could not be analysed (listed below)"
        + (
            f"; {meta['not_scanned']} artifacts not scanned yet under these rules are left out "
            "(a `--cached-only` run)"
            if meta.get("not_scanned")
            else ""
        )
        + ". A benign "
        "package counts as flagged when any of its artifacts is. Times of results reused from "
        "the scan cache are those of the run that scanned them; peak RSS is the scanning "
        "process's in this run.",
        "",
        "## Benign packages",
        "",
        "| set | packages analysed | called malicious | suspicious or worse | not analysed |",
        "|---|---|---|---|---|",
    ]
    by_set = meta.get("benign_by_set", {})
    for name, fig_ in by_set.items():
        lines.append(
            f"| {_set_label(name)} | {fig_['benign_packages']} | {fig_['fp_malicious_n']} | "
            f"{fig_['fp_flagged_n']} ({fig_['fp_flagged_pkg']:.1%}) | "
            f"{fig_['benign_not_analysed']} |"
        )
    for eco in ("pypi", "npm"):
        e = summarise([r for r in rows if r["ecosystem"] == eco], "ours")
        lines.append(
            f"| all {eco} | {e['benign_packages']} | {e['fp_malicious_n']} | "
            f"{e['fp_flagged_n']} ({e['fp_flagged_pkg']:.1%}) | {e['benign_not_analysed']} |"
        )
    lines.append(
        f"| **all** | {ours['benign_packages']} | {ours['fp_malicious_n']} | "
        f"{ours['fp_flagged_n']} ({ours['fp_flagged_pkg']:.1%}) | "
        f"{ours['benign_not_analysed']} |"
    )
    pkgs = _benign_packages(rows, "ours")
    flagged = sorted(
        (
            (k, _worst(rs, "ours"))
            for k, rs in pkgs.items()
            if _worst(rs, "ours")["ours"]["verdict"] in FLAGGED
        ),
        key=lambda kv: (-_RANK[kv[1]["ours"]["verdict"]], -(kv[1]["ours"].get("score") or 0)),
    )
    lines += [
        "",
        "### Every benign package we flagged, and why",
        "",
        "The strongest findings of its worst artifact (rule, severity/reachability, file:line, "
        "snippet).",
        "",
        "| package | verdict | artifact | why | GuardDog |",
        "|---|---|---|---|---|",
    ]
    for key, r in flagged:
        g = r.get("guarddog", {}).get("verdict", "not run")
        lines.append(
            f"| {key} {r['version']} | {r['ours']['verdict']} {r['ours']['score']} | "
            f"`{Path(r['path']).name}` | {_why(r['ours'])} | {g} |"
        )
    if not flagged:
        lines.append("| none | | | | |")
    failed = [(k, rs) for k, rs in pkgs.items() if all(r["ours"]["verdict"] == "error" for r in rs)]
    lines += [
        "",
        "### Benign packages that could not be analysed",
        "",
        "| package | reason |",
        "|---|---|",
    ]
    lines += [f"| {k} | {_cell(rs[0]['ours'].get('error', ''), 160)} |" for k, rs in failed]
    if not failed:
        lines.append("| none | |")
    review = [r for r in rows if r["label"] == "benign" and "review" in r.get("sets", [])]
    if review:
        lines += [
            "",
            "### The releases the detection review found wrongly flagged",
            "",
            "Each artifact of each release the review listed as a false alarm (bench/data/"
            "review-*.txt), as it reads now.",
            "",
            "| package | artifact | verdict | why |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r['ecosystem']} {r['name']} {r['version']} | `{Path(r['path']).name}` | "
            f"{r['ours']['verdict']} {r['ours'].get('score')} | "
            f"{_why(r['ours']) if r['ours']['verdict'] != 'clean' else ''} |"
            for r in sorted(review, key=lambda r: (r["ecosystem"], r["name"].lower(), r["path"]))
        ]
    lines += [
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
        'file for comparison ("not run": GuardDog did not scan that file). The reason is the '
        "strongest findings (rule, severity/reachability, file:line, snippet), or that nothing "
        "matched.",
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
        "## Malicious archives we called only suspicious",
        "",
        "| eco | file | ours | why | GuardDog |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r["label"] == "malicious" and r["ours"]["verdict"] == "suspicious":
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
    miss += [
        "",
        "## Artifacts we could not analyse",
        "",
        "| eco | file | ours | why | GuardDog |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r["ours"]["verdict"] == "error":
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
    # absolute: GuardDog runs from a scratch folder, where a relative path would not lead
    parser.add_argument("--guarddog", type=lambda p: Path(p).absolute(), default=DEFAULT_GUARDDOG)
    parser.add_argument("--no-guarddog", action="store_true")
    parser.add_argument("--no-fetch", action="store_true", help="only what is already cached")
    parser.add_argument("--fetch-only", action="store_true", help="download, then stop")
    parser.add_argument(
        "--benign-sets",
        default=os.environ.get("BENIGN_SETS", "samples,top,review"),
        help="comma-separated: samples (the samples folder's lists), top (bench/data/top-*.txt),"
        " review (bench/data/review-*.txt)",
    )
    parser.add_argument(
        "--guarddog-benign",
        choices=["samples", "all", "none"],
        default=os.environ.get("GUARDDOG_BENIGN", "samples"),
        help="benign artifacts GuardDog scans: the samples folder's lists (default), all, none",
    )
    parser.add_argument(
        "--guarddog-minutes",
        type=float,
        default=float(os.environ.get("GUARDDOG_MINUTES", "0")),
        help="time box for new GuardDog scans (0: scan everything); cached results always count",
    )
    parser.add_argument("--limit", type=int, default=0, help="first N of each set (smoke runs)")
    parser.add_argument(
        "--pipeline", type=int, default=40, help="uploads through api+workers (0: skip)"
    )
    parser.add_argument(
        "--pipeline-only",
        action="store_true",
        help="only the pipeline figures, added to the last analysis.json",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=int(os.environ.get("BENCH_JOBS", "1")),
        help="scanning processes (each takes every Nth artifact)",
    )
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="no new scans: figures from the scan cache only (what is not cached is left out, "
        "and the results say how much)",
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("ITEMS", "OUT", "CACHE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        items = json.loads(Path(args.child[0]).read_text(encoding="utf-8"))
        claims = Path(args.child[0]).parent / "claims"
        run_ours(
            items,
            Path(args.child[1]),
            Path(args.child[2]),
            cached_only=args.cached_only,
            claims=claims if claims.is_dir() else None,
        )
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
    sets = [x.strip() for x in args.benign_sets.split(",") if x.strip()]
    wanted = benign_wanted(samples, sets)
    if args.limit:
        wanted = wanted[: args.limit]
    downloads = DownloadCache(args.cache)
    downloads.ensure(wanted, fetch=not args.no_fetch)
    if args.fetch_only:
        return
    mal = malicious_artifacts(samples)
    ben = downloads.artifacts(wanted)
    if args.limit:
        mal = mal[: args.limit]
    items = mal + ben
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        # N children taking artifacts in list order from one queue (claims/): a long artifact
        # does not hold up the rest; each child's figures are its own, peak RSS the largest.
        procs, outs = [], []
        items_file = Path(tmp) / "items.json"
        items_file.write_text(json.dumps(items), encoding="utf-8")
        (Path(tmp) / "claims").mkdir()
        for k in range(args.jobs):
            out_file = Path(tmp) / f"out{k}.jsonl"
            argv = [sys.executable, "-m", "bench.analysis", "--child"]
            argv += [str(items_file), str(out_file), str(args.cache)]
            if args.cached_only:
                argv.append("--cached-only")
            procs.append(subprocess.Popen(argv, cwd=REPO))
            outs.append(out_file)
        if any(p.wait() != 0 for p in procs):
            raise SystemExit("bench-analysis: a scanning child failed")
        lines, tails = [], []
        for out_file in outs:
            part = [json.loads(x) for x in out_file.read_text(encoding="utf-8").splitlines()]
            tails.append(part.pop())
            lines += part
    tail = {**tails[0], "peak_rss_kib": max(t["peak_rss_kib"] for t in tails)}
    # A run that scanned nothing itself (every result from the scan cache) measured no scan's
    # memory: its children's peak is only the interpreter reading JSON.
    scanned_here = sum(t.get("scanned", 1) for t in tails)
    skipped = {x["path"] for x in lines if x.get("verdict") == "not-scanned"}
    if skipped:  # --cached-only: what no run has scanned yet is left out, and said so
        print(
            f"bench-analysis: {len(skipped)} artifacts not scanned yet, left out", file=sys.stderr
        )
        lines = [x for x in lines if x["path"] not in skipped]
        items = [i for i in items if i["path"] not in skipped]
        mal = [i for i in mal if i["path"] not in skipped]
        ben = [i for i in ben if i["path"] not in skipped]
    by_path = {x["path"]: x for x in lines}
    rows = [{**item, "ours": by_path[item["path"]]} for item in items]
    gd_rows: dict[str, dict[str, Any]] = {}
    if not args.no_guarddog and args.guarddog.exists():
        gd_ben = [
            b
            for b in ben
            if "fetch_error" not in b
            and (args.guarddog_benign == "all" or args.guarddog_benign in b.get("sets", []))
        ]
        gd_rows = run_guarddog(
            spread(mal, gd_ben), args.guarddog, args.cache, budget_s=args.guarddog_minutes * 60
        )
        for r in rows:
            if r["path"] in gd_rows:
                r["guarddog"] = gd_rows[r["path"]]
    ours = summarise(rows, "ours")
    both = [r for r in rows if "guarddog" in r]
    gd = summarise(both, "guarddog") if both else None
    ours_subset = summarise(both, "ours") if both else None
    gd_peak = max((g.get("peak_rss_kib", 0) for g in gd_rows.values()), default=0) / 1024
    ours_peak = tail["peak_rss_kib"] / 1024 if scanned_here else None
    sub_ = ours_subset or ours
    goals = {
        "recall": ours["recall"] >= 0.97 and (gd is None or sub_["recall"] >= gd["recall"]),
        "recall_mal": ours["recall_malicious"] >= 0.90,
        "fp_mal": ours["fp_malicious_n"] == 0,
        "fp_flag": ours["fp_flagged_pkg"] <= 0.01,
        "time": None if gd is None else sub_["p50_s"] <= 0.25 * gd["p50_s"],
        "memory": None if gd is None or ours_peak is None else ours_peak <= gd_peak,
    }
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs",
        "samples": str(args.samples),
        "cache": str(args.cache),
        "rules_version": tail["rules_version"],
        "scan_key": tail.get("scan_key", ""),
        "n_malicious": len(mal),
        "benign_sets": sets,
        "benign_by_set": {
            name: summarise([r for r in rows if name in r.get("sets", [])], "ours") for name in sets
        },
        "not_scanned": len(skipped),
        "benign_listed": len(wanted),
        "guarddog_benign": args.guarddog_benign,
        "guarddog_from_cache": sum(1 for g in gd_rows.values() if g.get("from_cache")),
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
