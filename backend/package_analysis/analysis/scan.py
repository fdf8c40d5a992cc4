"""The `scan` role: `docker/entrypoint.sh scan TARGET...` is `packamal scan TARGET...`.

The command itself (targets, formats, exit status) is `cli/`; this module keeps the role's
name for its messages ("scan: ...") and its `python -m package_analysis.analysis.scan` entry.
"""

from __future__ import annotations

import sys
from typing import TextIO

from .cli import EXIT_FAILED, EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from .cli import main as cli_main

__all__ = ["EXIT_FAILED", "EXIT_FLAGGED", "EXIT_OK", "EXIT_USAGE", "main"]


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Run the scan role; returns the exit status."""
    return cli_main(argv, out, prog="scan")


if __name__ == "__main__":
    sys.exit(main())
