"""META-WHEEL-SDIST-DIFF: a wheel holds Python code its sdist (the reviewable source) does not.

Run after every artifact of a release is scanned (pipeline), from a digest of each tree's
Python modules: a wheel module with no counterpart in the sdist, or a different one, is code
that exists only in the built artifact. Files a build commonly writes (version files) are not
reported; a changed or added module that has findings of its own weighs high."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..model import Finding
from .base import FileCtx, Rule, Sink, Variant

WHEEL_DIFF = Rule(
    id="META-WHEEL-SDIST-DIFF",
    title="The wheel contains Python code that its sdist does not",
    category="tampering",
    severity="low",
    explanation=(
        "Installers prefer wheels, reviewers read the sdist or the repository. A module that "
        "exists (or differs) only in the wheel was added after the source was published, the "
        "way a compromised release pipeline ships a payload. Diff the two artifacts."
    ),
    variants={"flagged": Variant("high", "the wheel-only code has findings of its own")},
)
RULES = (WHEEL_DIFF,)
# written by builds from the source (setuptools_scm, versioneer, build-info hooks)
_GENERATED = {"_version.py", "version.py", "__version__.py", "_build_info.py", "_git_version.py"}
MAX_MODULES = 20_000


@dataclass
class Digest:
    """The Python modules of one unpacked artifact: path inside the archive → sha256."""

    kind: str  # "wheel" | "sdist"
    modules: dict[str, str] = field(default_factory=dict)


def digest(root: Path, filename: str) -> Digest | None:
    """The module digest of an unpacked wheel or sdist (None for anything else)."""
    if filename.endswith(".whl"):
        kind = "wheel"
    elif filename.endswith((".tar.gz", ".zip", ".tgz")):
        kind = "sdist"
    else:
        kind = ""
    if not kind:
        return None
    out = Digest(kind)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".py") or len(out.modules) >= MAX_MODULES:
                continue
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            out.modules[rel] = hashlib.sha256(_normalised(path.read_bytes())).hexdigest()
    return out


def _normalised(data: bytes) -> bytes:
    return b"\n".join(line.rstrip() for line in data.replace(b"\r\n", b"\n").splitlines())


def compare(
    sdist: Digest, wheel: Digest, wheel_sha: str, wheel_findings: list[Finding]
) -> list[Finding]:
    """Findings for wheel modules that the sdist lacks or has with other content."""
    by_suffix: dict[str, set[str]] = {}
    for rel, sha in sdist.modules.items():
        parts = PurePosixPath(rel).parts
        for i in range(len(parts)):
            by_suffix.setdefault("/".join(parts[i:]), set()).add(sha)
    flagged = {f.file for f in wheel_findings if f.severity in {"critical", "high", "medium"}}
    sink = Sink(artifact=wheel_sha)
    for rel, sha in sorted(wheel.modules.items()):
        parts = PurePosixPath(rel).parts
        if (parts and parts[0].endswith((".dist-info", ".data"))) or parts[-1] in _GENERATED:
            continue
        seen = by_suffix.get(rel)
        if seen is not None and sha in seen:
            continue
        what = "is not in the sdist" if seen is None else "differs from the sdist's copy"
        sink.add(
            WHEEL_DIFF,
            FileCtx(rel, "metadata", "pypi"),
            None,
            rel,
            detail=f"The wheel's {rel} {what}.",
            variant="flagged" if rel in flagged else "",
        )
    return sink.findings
