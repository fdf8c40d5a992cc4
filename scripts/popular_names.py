"""Build the typosquat rule's popular-names lists from a registry download-count table.

Usage: python scripts/popular_names.py pypi TABLE.tsv > backend/.../rules/data/popular-pypi.txt

TABLE.tsv has a header line; for pypi a `rank_among_15000_most_downloaded` column, for npm a
`downloads_a_month` column. The output is the top N names (default 5000), normalised, sorted.
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
    args = parser.parse_args()
    ranked: list[tuple[float, str]] = []
    csv.field_size_limit(1 << 24)
    with open(args.table, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            name = (row.get("name") or "").strip()
            if args.ecosystem == "pypi":
                rank = row.get("rank_among_15000_most_downloaded") or ""
                if rank.isdigit():
                    ranked.append((float(rank), re.sub(r"[-_.]+", "-", name.lower())))
            else:
                downloads = row.get("downloads_a_month") or ""
                if downloads.isdigit():
                    ranked.append((-float(downloads), name.lower()))
    names = sorted({n for _, n in sorted(ranked)[: args.top] if n})
    sys.stdout.write(
        f"# The {len(names)} most downloaded {args.ecosystem} names "
        "(scripts/popular_names.py; registry download counts)\n"
    )
    sys.stdout.write("".join(f"{n}\n" for n in names))


if __name__ == "__main__":
    main()
