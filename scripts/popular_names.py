"""Build the typosquat rule's popular-names lists from a registry download-count table.

Usage: python scripts/popular_names.py pypi TABLE.tsv > backend/.../rules/data/popular-pypi.txt

TABLE.tsv has a header line; for pypi a `rank_among_15000_most_downloaded` column, for npm a
`downloads_a_month` column. The output is the top N names (default 5000), normalised, sorted.

With `--ranked` the output keeps rank order and pins the table's version of each name
(`name==version` for pypi, `name@version` for npm): the benign lists of `make bench-analysis`
(bench/data/top-*.txt).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ecosystem", choices=["pypi", "npm"])
    parser.add_argument("table")
    parser.add_argument("--top", type=int, default=5000)
    parser.add_argument("--ranked", action="store_true", help="rank order, pinned versions")
    args = parser.parse_args()
    ranked: list[tuple[float, str]] = []
    versions: dict[str, str] = {}
    csv.field_size_limit(1 << 24)
    with open(args.table, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            name = (row.get("name") or "").strip()
            version = (row.get("version") or "").strip()
            if args.ecosystem == "pypi":
                rank = row.get("rank_among_15000_most_downloaded") or ""
                if rank.isdigit():
                    key = re.sub(r"[-_.]+", "-", name.lower())
                    ranked.append((float(rank), key))
                    versions[key] = version
            else:
                downloads = row.get("downloads_a_month") or ""
                if downloads.isdigit():
                    ranked.append((-float(downloads), name.lower()))
                    versions[name.lower()] = version
    if args.ranked:
        sep = "==" if args.ecosystem == "pypi" else "@"
        top = [n for _, n in sorted(ranked) if n][: args.top]
        sys.stdout.write(
            f"# The {len(top)} most downloaded {args.ecosystem} names, most downloaded first, "
            "each pinned to one version (scripts/popular_names.py --ranked)\n"
        )
        sys.stdout.write(
            "".join(f"{n}{sep}{versions[n]}\n" if versions[n] else f"{n}\n" for n in top)
        )
        return
    names = sorted({n for _, n in sorted(ranked)[: args.top] if n})
    sys.stdout.write(
        f"# The {len(names)} most downloaded {args.ecosystem} names "
        "(scripts/popular_names.py; registry download counts)\n"
    )
    sys.stdout.write("".join(f"{n}\n" for n in names))


if __name__ == "__main__":
    main()
