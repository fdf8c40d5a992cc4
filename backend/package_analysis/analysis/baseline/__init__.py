"""The baseline stage of the pipeline: which release the analysed one is compared with,
fetching and unpacking it, and folding the comparison (`diff`) into the report.

Baselines: "previous" (the release before, by version order, yanked/deprecated skipped),
a version of the same package, a local archive (the scan role's `--baseline PATH`), or,
for a copy — a distribution that ships the top-level import name of a popular distribution
under another name — the original's closest release, whatever was asked. The baseline is
never scanned: its tree is only read to tell added code from code that was already there.
"""

from __future__ import annotations

from .choose import BaselineKind, Chosen, Request, choose, pick_pair
from .copies import COPY_SIMILARITY, copy_of, lookalike_of, popular_imports, shadowed
from .merge import merge
from .stage import Stage, apply_score

__all__ = [
    "COPY_SIMILARITY",
    "BaselineKind",
    "Chosen",
    "Request",
    "Stage",
    "apply_score",
    "choose",
    "copy_of",
    "lookalike_of",
    "merge",
    "pick_pair",
    "popular_imports",
    "shadowed",
]
