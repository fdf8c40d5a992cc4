"""The `packamal` command (`pip install packamal-scanner`), and the image's `scan` role.

    packamal scan TARGET... [--format json|sarif|text] [--fail-on suspicious|malicious]
                            [--ecosystem pypi|npm] [--output FILE] [--jobs N] [--no-cache]
                            [--config FILE] [--server URL]
                            [--baseline previous|VERSION|PATH]
    packamal --version

A TARGET is a package URL (`pkg:pypi/name@version`, `pkg:npm/name`), a local archive, a
directory holding an unpacked package, or a lockfile (requirements*.txt, package-lock.json,
npm-shrinkwrap.json, pnpm-lock.yaml, pylock.toml, poetry.lock, uv.lock), whose pinned
versions are all scanned. Packages are scanned concurrently (`--jobs`), with a progress line
on stderr when it is a terminal, and findings are cached per artifact in
`$XDG_CACHE_HOME/packamal`. Suppressions come from packamal.toml or pyproject.toml
(suppress.py). `--server URL` hands the work to a Pack-A-Mal deployment and waits for it.

Output: json, one report per line; sarif, one SARIF 2.1.0 log with one run; text, a line per
package and one per finding. With a lockfile, or with `--format text` and several packages,
a summary table follows (on stderr for json and sarif, so stdout stays machine-readable).

`--baseline` compares each package with the release before it, a version of the same
package, or a local archive (docs/diff.md): findings in added code are marked new, and
--fail-on judges the verdict of the new findings alone.

Exit status: 0 every target analysed and none reached --fail-on (default: malicious); 3 at
least one did; 1 a target could not be analysed (its reason on stderr) and none reached
--fail-on; 2 bad usage or a refused suppression file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import TextIO

from .console import Console, Outcome, Target
from .model import AnalysisError, Report
from .remote import remote_scan

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_FLAGGED = 0, 1, 2, 3
RANK = {"clean": 0, "suspicious": 1, "malicious": 2}
DISTRIBUTION = "packamal-scanner"
LOCKFILE_NAMES = {
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "pnpm-lock.yml",
    "poetry.lock",
    "uv.lock",
    "pylock.toml",
}


def is_lockfile(path: Path) -> bool:
    """By name, as the tools that write them name them (archives are told by content)."""
    name = path.name.lower()
    if name in LOCKFILE_NAMES:
        return True
    if name.startswith("pylock.") and name.endswith(".toml"):  # PEP 751 pylock.<name>.toml
        return True
    return name.endswith(".txt") and ("requirements" in name or "constraints" in name)


def version_text() -> str:
    from importlib import metadata

    from .engine import RULES_VERSION

    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = "checkout"
    return f"packamal {version} (rules {RULES_VERSION})"


class _Version(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kw: object) -> None:
        print(version_text())
        parser.exit()


def _add_scan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="PURL_OR_FILE",
        help="a package URL (pkg:pypi/name@version, pkg:npm/name), a local archive, a"
        " directory holding an unpacked package, or a lockfile",
    )
    parser.add_argument(
        "--lockfiles-in",
        action="append",
        default=[],
        metavar="DIR",
        dest="lockfiles_in",
        help="scan every lockfile under DIR (node_modules, virtualenvs and VCS folders left out)",
    )
    parser.add_argument("--ecosystem", choices=["pypi", "npm"], help="for archives and folders")
    parser.add_argument("--format", choices=["json", "sarif", "text"], default="json")
    parser.add_argument(
        "--fail-on", choices=["suspicious", "malicious"], default="malicious", dest="fail_on"
    )
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour in --format text (auto: on a terminal, unless NO_COLOR is set)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report here")
    parser.add_argument(
        "-j", "--jobs", type=int, default=4, metavar="N", help="packages scanned at once (4)"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the local cache"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="suppressions file (default: ./packamal.toml,"
        " else [tool.packamal] in ./pyproject.toml)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress line, even on a terminal"
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help="send the work to a Pack-A-Mal deployment (its API base URL) and wait for its"
        " jobs; PACKAMAL_API_KEY is sent as X-API-Key",
    )
    parser.add_argument(
        "--baseline",
        metavar="previous|VERSION|PATH",
        help="compare with the release before, a version of the same package, or a local"
        " archive: findings in added code are marked new, and --fail-on judges the new"
        " findings only (docs/diff.md)",
    )
    parser.add_argument(
        "--wait",
        type=int,
        default=3600,
        metavar="SECONDS",
        help="with --server: how long to wait for the jobs (3600)",
    )


_EPILOG = (
    "exit status: 0 clean enough, 3 a target reached --fail-on,"
    " 1 a target could not be analysed, 2 bad usage"
)
_DESCRIPTION = (
    "Statically analyse PyPI/npm packages (purls, archives, folders or lockfiles) for"
    " malicious behaviour. Nothing from a package is installed or run."
)


def _parser(prog: str) -> argparse.ArgumentParser:
    if prog == "scan":  # the image's scan role: the scan command's arguments alone
        parser = argparse.ArgumentParser(prog=prog, description=_DESCRIPTION, epilog=_EPILOG)
        _add_scan_arguments(parser)
        return parser
    parser = argparse.ArgumentParser(prog=prog, description=_DESCRIPTION, epilog=_EPILOG)
    parser.add_argument("--version", action=_Version, nargs=0, help="print the rules version")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    scan = commands.add_parser(
        "scan", help="analyse packages", description=_DESCRIPTION, epilog=_EPILOG
    )
    _add_scan_arguments(scan)
    return parser


def main(
    argv: list[str] | None = None, out: TextIO | None = None, *, prog: str = "packamal"
) -> int:
    """Run the command; returns the exit status."""
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if not args.targets and not args.lockfiles_in:
        parser.error("the following arguments are required: PURL_OR_FILE (or --lockfiles-in)")
    for folder in args.lockfiles_in:
        if not Path(folder).is_dir():
            parser.error(f"--lockfiles-in: not a folder: {folder}")
        args.targets += [str(p) for p in lockfiles_find(Path(folder))]
    return scan_command(args, out or sys.stdout, prog=prog)


_NOT_SOURCES = {
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
}


def lockfiles_find(root: Path) -> list[Path]:
    """Every lockfile under `root`, sorted; installed trees (node_modules, virtualenvs) and
    VCS folders are left out, and symbolic links are not followed."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if d not in _NOT_SOURCES and not (here / d / "pyvenv.cfg").exists()
        )
        found += [here / f for f in sorted(filenames) if is_lockfile(here / f)]
    return found


def scan_command(args: argparse.Namespace, out: TextIO, *, prog: str) -> int:
    from . import suppress
    from .pipeline import Limits

    console = Console(prog, progress=not args.no_progress and sys.stderr.isatty())
    if args.jobs < 1:
        console.say("--jobs must be at least 1")
        return EXIT_USAGE
    try:
        limits = Limits.from_env()
        entries = suppress.suppressions_load(
            Path.cwd(), config=Path(args.config) if args.config else None
        )
    except ValueError as exc:
        console.say(f"configuration error: {exc}")
        return EXIT_USAGE
    except suppress.SuppressionError as exc:
        console.say(f"suppressions refused: {exc}")
        return EXIT_USAGE
    targets, failures, lockfiles = _expand(args.targets, console)
    if args.server:
        outcomes = remote_scan(args, targets, console)
    else:
        outcomes = _scan_local(args, targets, limits, console)
    outcomes = failures + outcomes
    outcomes.sort(key=lambda o: _order(o, args.targets))
    for o in outcomes:
        if o.report is not None:
            o.report = suppress.suppressions_apply(o.report, entries)
            for note in o.report.notes:
                console.say(f"{o.report.package.purl}: {note}")
        else:
            console.say(f"{o.target.label}: {o.error}")
    reports = [o.report for o in outcomes if o.report is not None]
    with contextlib.ExitStack() as stack:
        sink = out
        if args.output:
            try:
                sink = stack.enter_context(open(args.output, "w", encoding="utf-8"))
            except OSError as exc:
                console.say(f"--output {args.output}: {exc.strerror or exc}")
                return EXIT_USAGE
        _write(args.format, outcomes, sink, color=args.color)
        if args.format == "text" and len(outcomes) > 1:
            sink.write(summary_table(outcomes))
    if lockfiles and args.format != "text":
        sys.stderr.write(summary_table(outcomes))
    flagged = any(RANK[_judged(r, args)] >= RANK[args.fail_on] for r in reports)
    if flagged:
        return EXIT_FLAGGED
    return EXIT_FAILED if any(o.error for o in outcomes) else EXIT_OK


def _judged(report: Report, args: argparse.Namespace) -> str:
    """The verdict --fail-on judges: the new findings' when a baseline was compared."""
    if getattr(args, "baseline", None) and report.diff is not None:
        return str(report.diff.get("new_verdict", report.verdict))
    return report.verdict


def baseline_request(value: str | None) -> str:
    """--baseline as the pipeline's request: an existing file is a path even without "/"."""
    if not value:
        return "none"
    if value not in ("previous", "none") and Path(value).is_file():
        return str(Path(value).absolute())
    return value


def _order(outcome: Outcome, given: list[str]) -> tuple[int, int]:
    """Reports in the order the targets were given (a lockfile's packages in its order)."""
    t = outcome.target
    source = t.origin if t.origin is not None else t.value
    return (given.index(source) if source in given else len(given), 0)


def _expand(given: list[str], console: Console) -> tuple[list[Target], list[Outcome], bool]:
    """Targets to analyse, the ones refused before any work, and whether a lockfile was read."""
    from ..lockfiles import LockfileError, lockfile_parse_isolated

    targets: list[Target] = []
    failures: list[Outcome] = []
    lockfiles = False
    seen: set[str] = set()
    for value in given:
        path = Path(value)
        if value.startswith("pkg:"):
            targets.append(Target("purl", value))
        elif path.is_dir():
            targets.append(Target("dir", value))
        elif path.is_file() and is_lockfile(path):
            lockfiles = True
            try:
                parsed = lockfile_parse_isolated(
                    filename=_parser_name(path), data=path.read_bytes()
                )
            except (LockfileError, OSError, RuntimeError) as exc:
                failures.append(Outcome(Target("file", value), error=_reason(exc)))
                continue
            for skipped in parsed.skipped:
                console.say(f"{value}: skipped {skipped.line!r}: {skipped.reason}")
            for package in parsed.packages:
                if package.purl not in seen:
                    seen.add(package.purl)
                    targets.append(Target("purl", package.purl, origin=value))
        elif path.is_file():
            targets.append(Target("file", value))
        else:
            failures.append(
                Outcome(
                    Target("file", value),
                    error=f"Not a package URL (pkg:...) and no such file: {value}",
                )
            )
    return targets, failures, lockfiles


def _parser_name(path: Path) -> str:
    return path.name


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"Cannot read it: {exc.strerror or exc}"
    return str(exc)


def _scan_local(
    args: argparse.Namespace, targets: list[Target], limits: object, console: Console
) -> list[Outcome]:
    from .localcache import LocalCache, cache_dir

    cache = None if args.no_cache else LocalCache(cache_dir())
    outcomes: list[Outcome] = []
    if not targets:
        return outcomes
    done = 0
    lock = threading.Lock()
    console.progress(0, len(targets), "")

    def finished(future: Future[Outcome]) -> None:
        nonlocal done
        with lock:
            done += 1
            console.progress(done, len(targets), future.result().target.label)

    with ThreadPoolExecutor(max_workers=min(args.jobs, len(targets))) as pool:
        futures = []
        for t in targets:
            future = pool.submit(_scan_one, t, args, limits, cache)
            future.add_done_callback(finished)
            futures.append(future)
        outcomes = [f.result() for f in futures]
    console.done()
    return outcomes


def _scan_one(target: Target, args: argparse.Namespace, limits: object, cache: object) -> Outcome:
    from .localcache import LocalCache
    from .pipeline import CacheFn, Limits, analyze_file, analyze_purl, analyze_tree

    assert isinstance(limits, Limits)
    hook: CacheFn | None = None
    if isinstance(cache, LocalCache):
        hook = cache.get
    try:
        baseline = baseline_request(getattr(args, "baseline", None))
        if target.kind == "purl":
            report = analyze_purl(
                target.value, limits=limits, cache=hook, baseline_request=baseline
            )
        elif target.kind == "dir":
            report = analyze_tree(
                Path(target.value), ecosystem=args.ecosystem, limits=limits, cache=hook
            )
        else:
            report = analyze_file(
                Path(target.value),
                ecosystem=args.ecosystem,
                limits=limits,
                cache=hook,
                baseline_request=baseline,
            )
    except AnalysisError as exc:
        return Outcome(target, error=str(exc))
    except Exception as exc:  # a bug must cost this target, not the other packages' reports
        return Outcome(target, error=f"internal error: {type(exc).__name__}: {exc}")
    if isinstance(cache, LocalCache):
        cache.put(report)
    report.extra["target"] = target.value
    if target.origin:
        report.extra["lockfile"] = target.origin
    return Outcome(target, report=report)


# --- output -------------------------------------------------------------------------------


def _write(fmt: str, outcomes: list[Outcome], out: TextIO, *, color: str = "never") -> None:
    from .textreport import text_report, use_color

    reports = [o.report for o in outcomes if o.report is not None]
    colored = use_color(color, out)
    if fmt == "sarif":
        from .sarif import to_sarif_ci

        out.write(json.dumps(to_sarif_ci(reports), ensure_ascii=False, indent=2) + "\n")
        return
    for report in reports:
        if fmt == "json":
            out.write(json.dumps(report_json(report), ensure_ascii=False) + "\n")
        else:
            text_report(report, out, color=colored)
    out.flush()


def report_json(report: Report) -> dict[str, object]:
    body = report.as_dict()
    if report.extra.get("lockfile"):
        body["lockfile"] = report.extra["lockfile"]
    return body


def summary_table(outcomes: list[Outcome]) -> str:
    rows = [("VERDICT", "SCORE", "FINDINGS", "SUPPRESSED", "CACHED", "PACKAGE")]
    counts: dict[str, int] = {}
    for o in outcomes:
        r = o.report
        if r is None:
            rows.append(("error", "-", "-", "-", "-", f"{o.target.label}: {o.error}"))
            counts["error"] = counts.get("error", 0) + 1
            continue
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
        rows.append(
            (
                r.verdict,
                f"{r.score:.1f}",
                str(len(r.findings)),
                str(len(r.suppressed)),
                "yes" if r.cached else "no",
                r.package.purl,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row[:5], widths, strict=True)) + "  " + row[5]
        for row in rows
    ]
    order = ["malicious", "suspicious", "clean", "error"]
    total = ", ".join(f"{counts[k]} {k}" for k in order if counts.get(k))
    lines.append(f"{len(outcomes)} package(s): {total or 'nothing scanned'}")
    return "\n".join(lines) + "\n"


def relative_uri(path: str) -> str:
    """A path as a repository-relative URI when it lies under the working directory."""
    try:
        rel = os.path.relpath(Path(path).resolve(), Path.cwd())
    except ValueError:
        return PurePosixPath(path).as_posix()
    return PurePosixPath(Path(rel).as_posix()).as_posix()


if __name__ == "__main__":
    sys.exit(main())
