"""Copy the latest figures from bench/results/ into the README's Reliability and Performance
sections (between their BEGIN/END markers; nothing else in the README is touched).

    python -m bench.readme
"""

from __future__ import annotations

import json
import re
import sys

from bench.common import REPO, RESULTS

README = REPO / "README.md"


def _body(name: str) -> tuple[str, dict]:
    md = (RESULTS / f"{name}.md").read_text()
    data = json.loads((RESULTS / f"{name}.json").read_text())
    body = md.split("\n", 2)[2].strip()  # drop the file's own title
    return body, data


def _demote(md: str) -> str:
    return re.sub(r"^## ", "#### ", md, flags=re.M)


def reliability(notes: str) -> str:
    body, _ = _body("chaos")
    return (
        "## Reliability\n\n"
        "`make chaos` (about 5 minutes) starts its own PostgreSQL and Redis on spare loopback "
        "ports, runs the real roles through `docker/entrypoint.sh` (api, 4 workers with "
        "`JOB_LEASE_SECONDS=3`), injects the faults below and checks every accepted job in "
        "the rows, the `job_updates` stream and the worker logs. A short run of all seven "
        "scenarios is part of `make test` (`make test-chaos`). Code: `bench/chaos.py`.\n\n"
        f"### Latest run\n\n{body}\n\n{notes}".rstrip()
        + "\n"
    )


def _batch_run(body: str) -> str:
    """The batch-dispatch figures of a separate `--only dispatch` run, when the full run
    (bench.md) predates them: both dispatch tables of that run, its machine and load."""
    if "## Batch dispatch" in body or not (RESULTS / "bench-dispatch.md").exists():
        return ""
    part = _body("bench-dispatch")[0]
    head, _, rest = part.partition("\n\n## ")
    tables = "## " + rest.split("\n\nGoals:")[0]
    return (
        "\n\n### Batch dispatch beside single dispatch (a separate run)\n\n"
        f"{head}\n\n{_demote(tables)}"
    )


def performance(notes: str) -> str:
    body, _ = _body("bench")
    body += _batch_run(body)
    return (
        "## Performance\n\n"
        "`make bench` (about 15 minutes; needs `wrk` and `nginx`, which `make bench-tools` "
        "installs) measures on private PostgreSQL and Redis servers, one api process, one "
        "nginx worker. Every ratio compares figures from the same run: absolute numbers on a "
        "shared 2-core machine drift with whatever else runs. Medians of the repeats; full "
        "figures, the machine and every version in `bench/results/bench.json`. Code: "
        "`bench/run.py`, `bench/workers.py`, `bench/compare/`.\n\n"
        f"### Latest run\n\n{_demote(body)}\n\n{notes}".rstrip()
        + "\n"
    )


def replace(text: str, section: str, content: str) -> str:
    begin, end = f"<!-- BEGIN {section} -->", f"<!-- END {section} -->"
    if begin not in text:
        text = text.rstrip() + f"\n\n{begin}\n{end}\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    return pattern.sub(lambda _: f"{begin}\n{content}{end}", text, count=1)


def main() -> int:
    notes_dir = REPO / "bench"
    rel_notes = (notes_dir / "NOTES-reliability.md").read_text().strip()
    perf_notes = (notes_dir / "NOTES-performance.md").read_text().strip()
    text = README.read_text()
    text = replace(text, "reliability", reliability(rel_notes))
    text = replace(text, "performance", performance(perf_notes))
    README.write_text(text)
    print("README.md: reliability and performance sections updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
