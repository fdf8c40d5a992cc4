"""What changed: compare an unpacked package with a baseline (the release before it, a
version the user names, or the original of a copy).

`compare(new, old)` lines the two trees up file by file (the version in folder names
ignored), and for every changed file finds the added lines and which of them run at install
(setup.py, an in-tree build backend, the files npm's lifecycle scripts run) or at import
(module-level Python, top-level JavaScript, `.pth` files), without running anything. Then:

- `mark(findings, comparison)`: each scan finding becomes `baseline="new"` (in an added file
  or on an added line whose text the baseline did not have) or `"unchanged"`;
- `findings(...)`: the diff's own evidence (new install hooks, typosquatted or URL
  dependencies, provenance lost, publisher changed, binaries added, a copy's shadowing);
- `score(...)`: new install/import-time findings weigh more (never less than the plain scan);
- `section(...)`: the report's `diff` object.
"""

from __future__ import annotations

from .compare import Comparison, FileChange, Hunk, RunsAt, compare, runs_at
from .evidence import (
    findings,
    new_dependencies,
    provenance_check,
    typosquat,
    url_dependency,
)
from .lazy import _javascript_lazy, _python_lazy
from .mark import load_time, mark, score
from .own_rules import RULES, DiffRule, diff_finding
from .section import ITEMS_MAX, section
from .tree import Tree, file_key, list_files, similarity, tree_of

__all__ = [
    "ITEMS_MAX",
    "RULES",
    "Comparison",
    "DiffRule",
    "FileChange",
    "Hunk",
    "RunsAt",
    "Tree",
    "_javascript_lazy",
    "_python_lazy",
    "compare",
    "diff_finding",
    "file_key",
    "findings",
    "list_files",
    "load_time",
    "mark",
    "new_dependencies",
    "provenance_check",
    "runs_at",
    "score",
    "section",
    "similarity",
    "tree_of",
    "typosquat",
    "url_dependency",
]
