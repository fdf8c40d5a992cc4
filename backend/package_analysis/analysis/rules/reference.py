"""The rule reference (docs/rules.md), generated from the catalogue: `make rules-doc`.

A test compares the file with `markdown()`, so the reference cannot drift from the rules."""

from __future__ import annotations

import sys
from pathlib import Path

from .catalog import modules, rules

KINDS = {
    "py_": "Python (facts of each module: resolved calls, folded values, load time)",
    "js_": "JavaScript (tree-sitter facts of each file)",
    "npm_": "npm manifest",
    "cnt_": "Content (YARA-X, every text file and every decoded payload)",
    "meta_": "Package metadata",
}
DOC = Path(__file__).resolve().parents[4] / "docs" / "rules.md"


def markdown() -> str:
    by_id = rules()
    lines = [
        "# Rule reference",
        "",
        "Generated from the rule modules by `make rules-doc` (a test fails when this file is "
        "stale). How rules are written, how findings become a verdict, and how to add a rule: "
        "[detection.md](detection.md).",
        "",
        f"{len(by_id)} rules. *Strong* rules are evidence of intent on their own (a malicious "
        "verdict needs one, or a source → sink chain, in code that runs at install or import); "
        "*strong at load* ones only in code that runs by itself on install or import.",
        "",
    ]
    for prefix, title in KINDS.items():
        lines += [f"## {title}", "", "| rule | severity | category | title | module |"]
        lines += ["|---|---|---|---|---|"]
        details: list[str] = []
        for module in modules():
            short = module.__name__.rsplit(".", 1)[-1]
            if not short.startswith(prefix):
                continue
            for rule in module.RULES:
                strength = (
                    "strong" if rule.strong else "strong at load" if rule.strong_at_load else ""
                )
                if strength and rule.strong_critical_only:
                    strength += " (critical only)"
                severity = rule.severity + (f", {strength}" if strength else "")
                title_cell = rule.title.replace("|", "\\|")
                lines.append(
                    f"| [`{rule.id}`](#{rule.id.lower()}) | {severity} | {rule.category} | "
                    f"{title_cell} | `rules/{short}.py` |"
                )
                details += ["", f"### {rule.id}", "", rule.explanation]
                for name, variant in rule.variants.items():
                    details.append(f"- variant `{name}` ({variant.severity}): {variant.when}.")
        lines += [*details, ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        DOC.write_text(markdown(), encoding="utf-8")
    else:
        sys.stdout.write(markdown())
