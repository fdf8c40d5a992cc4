"""META-PLACEHOLDER: empty, template or random metadata."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from .subjects import ManifestCheck, MetaCheck

PLACEHOLDER = Rule(
    id="META-PLACEHOLDER",
    title="Placeholder or random metadata",
    category="metadata",
    severity="low",
    explanation=(
        "Empty, random or template descriptions and authors are common on throw-away "
        "malicious uploads; on their own they prove nothing."
    ),
)
RULES = (PLACEHOLDER,)


def _gibberish(text: str) -> bool:
    words = re.findall(r"[A-Za-z]{6,}", text)
    if len(words) < 2:
        return False
    odd = sum(
        1
        for w in words
        if sum(1 for a, b in itertools.pairwise(w) if a.islower() and b.isupper()) >= 2
    )
    return odd / len(words) >= 0.5


def check_pkg_info(m: MetaCheck) -> None:
    if m.msg is None:
        return
    summary = (m.msg.get("Summary") or "").strip()
    author = (m.msg.get("Author") or m.msg.get("Author-email") or "").strip()
    home = (m.msg.get("Home-page") or m.msg.get("Project-URL") or "").strip()
    missing = []
    if summary.upper() in {"", "UNKNOWN"} or _gibberish(summary):
        missing.append("summary")
    if author.upper() in {"", "UNKNOWN"} or _gibberish(author):
        missing.append("author")
    if home.upper() in {"", "UNKNOWN"}:
        missing.append("home page")
    if len(missing) >= 2 or _gibberish(summary):
        snippet = f"Summary: {summary[:120]} Author: {author[:60]}"
        m.emit(PLACEHOLDER, None, snippet, f"Missing or random: {', '.join(missing) or 'summary'}.")


def check_manifest(m: ManifestCheck) -> None:
    doc = m.doc
    description = doc.get("description")
    missing = []
    if not isinstance(description, str) or not description.strip():
        missing.append("description")
    if not doc.get("repository") and not doc.get("homepage"):
        missing.append("repository")
    if not doc.get("author") and not doc.get("maintainers") and not doc.get("contributors"):
        missing.append("author")
    if len(missing) >= 3:
        m.emit(
            PLACEHOLDER,
            None,
            f"description: {str(description)[:120]}",
            f"Missing: {', '.join(missing)}.",
        )
