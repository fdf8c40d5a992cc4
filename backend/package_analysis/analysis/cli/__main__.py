"""`python -m package_analysis.analysis.cli`: the `packamal` command."""

import sys

from . import main

sys.exit(main())
