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
import sys
from pathlib import Path
from typing import TextIO

from ..console import Console
from ..model import Report
from ..remote import remote_scan
from .local import _scan_local
from .output import _write, summary_table
from .targets import _expand, _order, lockfiles_find

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_FLAGGED = 0, 1, 2, 3
RANK = {"clean": 0, "suspicious": 1, "malicious": 2}
DISTRIBUTION = "packamal-scanner"


def version_text() -> str:
    from importlib import metadata

    from ..engine import RULES_VERSION

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


def scan_command(args: argparse.Namespace, out: TextIO, *, prog: str) -> int:
    from .. import suppress
    from ..pipeline import Limits

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


__all__ = ["EXIT_FAILED", "EXIT_FLAGGED", "EXIT_OK", "EXIT_USAGE", "lockfiles_find", "main"]
