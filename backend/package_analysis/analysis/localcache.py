"""The command line's report cache: findings per artifact, keyed as the service keys its own
(pipeline.CacheKey: the artifact's sha256, the ecosystem, the package identity the rules were
given, the rules version), under
`$XDG_CACHE_HOME/packamal` (default `~/.cache/packamal`).

A PyPI file whose published sha256 is cached is not even downloaded (the pipeline's `cache`
hook). Entries are written atomically; an unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import Finding, Report

if TYPE_CHECKING:
    from .pipeline import CacheKey


def cache_dir(env: dict[str, str] | None = None) -> Path:
    source = os.environ if env is None else env
    base = source.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "packamal"


class LocalCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str, rules_version: str) -> Path:
        return self.root / rules_version / sha256[:2] / f"{sha256}.json"

    def get(self, key: CacheKey) -> list[Finding] | None:
        try:
            path = self._path(key.sha256, key.rules_version)
            doc = json.loads(path.read_text(encoding="utf-8"))
            if (doc["ecosystem"], doc.get("package")) != (key.ecosystem, key.package):
                return None
            return [Finding.from_dict(f) for f in doc["findings"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, report: Report) -> None:
        """Store the findings of each artifact the report scanned (not those it read here)."""
        if report.cached:
            return
        everything = report.findings + [s.finding for s in report.suppressed]
        for artifact in report.artifacts:
            findings = [f.as_dict() for f in everything if f.artifact == artifact.sha256]
            doc: dict[str, Any] = {
                "sha256": artifact.sha256,
                "ecosystem": report.package.ecosystem,
                "package": report.package.purl,
                "rules_version": report.rules_version,
                "findings": findings,
            }
            self._write(self._path(artifact.sha256, report.rules_version), doc)

    @staticmethod
    def _write(path: Path, doc: dict[str, Any]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except OSError:
            return  # a read-only or full cache only costs a re-scan next time
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
