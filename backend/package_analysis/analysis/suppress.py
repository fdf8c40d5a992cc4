"""Suppressions: findings a person accepted, with a reason, pinned to content.

A suppression names a `rule` and pins it to what was reviewed: the artifact's `sha256` or the
finding's `fingerprint` (rule, artifact, file, line and snippet hashed; the `fingerprint` of
every finding in a JSON report). Optional `package` (a purl, with or without version, or a
bare name) and `path` (a glob over the file inside the archive) narrow it; `reason` is
required; `expires` (a date) and `by` are optional.

Applied to a report, a matching finding moves to `Report.suppressed` with its reason (never
dropped) and stops counting for the verdict. An entry that stops applying says so in
`Report.notes`: expired, or the content changed (same rule firing on the same package and
path, but the hash no longer matches, so the new code must be looked at again).

The command line reads `packamal.toml` (`[[suppress]]` tables) or `pyproject.toml`
(`[[tool.packamal.suppress]]`); the service keeps the same entries in its database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import scoring
from .model import AnalysisError, Finding, Report, Suppressed, finding_fingerprint

CONFIG_FILE = "packamal.toml"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_KEYS = {"rule", "sha256", "fingerprint", "package", "path", "reason", "expires", "by"}


class SuppressionError(AnalysisError):
    """A suppression entry that cannot be accepted; the text names the entry."""


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    source: str  # where it was written, for every message about it
    sha256: str | None = None
    fingerprint: str | None = None
    package: str | None = None
    path: str | None = None
    expires: dt.date | None = None
    by: str | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def _package_matches(self, report: Report) -> bool:
        if not self.package:
            return True
        want = self.package.strip()
        ref = report.package
        if not want.startswith("pkg:"):
            return want.lower() == ref.name.lower()
        base, _, version = want.partition("@")
        have_base = ref.purl.partition("@")[0]
        return base.lower() == have_base.lower() and (not version or version == ref.version)

    def _place_matches(self, f: Finding) -> bool:
        """Rule and path: what the entry is about, before its content pin."""
        return f.rule == self.rule and (self.path is None or fnmatch.fnmatchcase(f.file, self.path))

    def _pin_matches(self, f: Finding) -> bool:
        if self.sha256 is not None and f.artifact != self.sha256:
            return False
        return self.fingerprint is None or finding_fingerprint(f) == self.fingerprint

    def describe(self) -> str:
        pin = f"sha256 {self.sha256[:12]}…" if self.sha256 else ""
        if self.fingerprint:
            pin += (", " if pin else "") + f"fingerprint {self.fingerprint[:12]}…"
        return f"{self.source} (rule {self.rule}, {pin})"


def suppression_parse(raw: Any, *, source: str) -> Suppression:
    """One entry from a TOML table or the service's row; refuses it with the entry named."""
    if not isinstance(raw, dict):
        raise SuppressionError(f"{source}: a suppression must be a table of keys")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise SuppressionError(
            f"{source}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_KEYS))})"
        )
    text = {k: v for k, v in raw.items() if k != "expires"}
    for key, value in text.items():
        if value is not None and not isinstance(value, str):
            raise SuppressionError(f"{source}: `{key}` must be a string")
    reason = (raw.get("reason") or "").strip()
    if not reason:
        raise SuppressionError(f"{source}: `reason` is required: say why the finding is accepted")
    rule = (raw.get("rule") or "").strip()
    if not rule:
        raise SuppressionError(f"{source}: `rule` is required (the finding's rule id)")
    pins = {}
    for key in ("sha256", "fingerprint"):
        value = (raw.get(key) or "").strip().lower()
        if value and not _HEX64.match(value):
            raise SuppressionError(f"{source}: `{key}` must be 64 hexadecimal characters")
        pins[key] = value or None
    if not pins["sha256"] and not pins["fingerprint"]:
        raise SuppressionError(
            f"{source}: give `sha256` (the artifact's) or `fingerprint` (the finding's),"
            " so the suppression stops applying when the code changes"
        )
    return Suppression(
        rule=rule,
        reason=reason,
        source=source,
        sha256=pins["sha256"],
        fingerprint=pins["fingerprint"],
        package=(raw.get("package") or "").strip() or None,
        path=(raw.get("path") or "").strip() or None,
        expires=_date(raw.get("expires"), source),
        by=(raw.get("by") or "").strip() or None,
    )


def _date(value: Any, source: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SuppressionError(f"{source}: `expires` must be a date (2027-01-31), not {value!r}")


def suppressions_load(directory: Path, *, config: Path | None = None) -> list[Suppression]:
    """The entries of `config`, else of packamal.toml in `directory`, else of its
    pyproject.toml's [tool.packamal]; none when there is no such file."""
    if config is not None:
        return _from_file(config, packamal_toml=config.name != "pyproject.toml")
    if (directory / CONFIG_FILE).is_file():
        return _from_file(directory / CONFIG_FILE, packamal_toml=True)
    if (directory / "pyproject.toml").is_file():
        return _from_file(directory / "pyproject.toml", packamal_toml=False)
    return []


def _from_file(path: Path, *, packamal_toml: bool) -> list[Suppression]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SuppressionError(f"{path.name}: cannot read it: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SuppressionError(f"{path.name}: not valid TOML: {exc}") from None
    table = doc if packamal_toml else doc.get("tool", {}).get("packamal", {})
    if not isinstance(table, dict):
        raise SuppressionError(f"{path.name}: [tool.packamal] must be a table")
    entries = table.get("suppress", [])
    where = "[[suppress]]" if packamal_toml else "[[tool.packamal.suppress]]"
    if not isinstance(entries, list):
        raise SuppressionError(f"{path.name}: {where} must be an array of tables")
    return [
        suppression_parse(raw, source=f"{path.name} {where} #{i}")
        for i, raw in enumerate(entries, start=1)
    ]


def suppressions_apply(
    report: Report, entries: Iterable[Suppression], *, today: dt.date | None = None
) -> Report:
    """The report with accepted findings moved to `suppressed`, the verdict and score
    recomputed from the rest, and a note for every entry that stopped applying."""
    today = today or dt.date.today()
    relevant = [e for e in entries if e._package_matches(report)]
    if not relevant:
        return report
    live = [e for e in relevant if not e.expired(today)]
    kept: list[Finding] = []
    suppressed = list(report.suppressed)
    for f in report.findings:
        entry = next((e for e in live if e._place_matches(f) and e._pin_matches(f)), None)
        if entry is None:
            kept.append(f)
            continue
        expires = entry.expires.isoformat() if entry.expires else None
        suppressed.append(Suppressed(f, entry.reason, entry.source, entry.by, expires))
    notes = list(report.notes) + _notes(report.findings, relevant, suppressed, today)
    verdict, score = scoring.verdict(kept)
    return dataclasses.replace(
        report,
        verdict=verdict,
        score=score,
        findings=kept,
        suppressed=suppressed,
        notes=notes,
    )


def _notes(
    findings: list[Finding],
    entries: list[Suppression],
    suppressed: list[Suppressed],
    today: dt.date,
) -> list[str]:
    used = {s.source for s in suppressed}
    notes = []
    for e in entries:
        placed = [f for f in findings if e._place_matches(f)]
        if e.expired(today) and any(e._pin_matches(f) for f in placed):
            assert e.expires is not None
            notes.append(
                f"{e.describe()} expired on {e.expires.isoformat()}: its findings count again"
            )
        elif e.source not in used and placed and not e.expired(today):
            now = sorted({f.artifact[:12] for f in placed})
            notes.append(
                f"{e.describe()} no longer matches (the rule now fires on artifact"
                f" {', '.join(now)}…): the code changed, so it stopped applying; review the"
                " finding again"
            )
    return notes
