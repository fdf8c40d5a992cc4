#!/usr/bin/env python
"""The worker's documented entry point, kept as a launcher: it runs `manage.py worker`
(the worker itself is package_analysis/worker.py).

    python backend/package_analysis/analysis_runner.py [--burst] [--max-jobs N] [--name NAME]
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    manage = Path(__file__).resolve().parents[1] / "manage.py"
    os.execv(sys.executable, [sys.executable, str(manage), "worker", *sys.argv[1:]])  # noqa: S606
