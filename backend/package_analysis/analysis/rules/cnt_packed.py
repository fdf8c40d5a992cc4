"""Content rule: Python packed by an obfuscator.

The YARA rules below run (compiled once, with every module's) on each text file and on
payloads decoded statically; each reports its rule id in `meta: id`."""

from __future__ import annotations

from .base import Rule

RULES = (
    Rule(
        id="CNT-PACKED-CODE",
        title="Python packed by an obfuscator (pyarmor, pyobfuscate, BlankOBF...)",
        category="obfuscation",
        severity="high",
        explanation=(
            "Packed code cannot be reviewed at all: what it does is only known once it runs. "
            "A library has no reason to hide its source from the people installing it."
        ),
        strong_at_load=True,
    ),
)

YARA = r"""
rule packed_python {
  meta: id = "CNT-PACKED-CODE"
  strings:
    $pyarmor = /__pyarmor__\(|pyarmor_runtime\(/
    $pyobf = "pyobfuscate.com"
    $blank = /BlankOBF|Obfuscated (with|by) (Py|Blank|Hyperion|pyob)/
    $zexec = /exec\(__import__\(['"](zlib|lzma|bz2|base64|marshal)['"]\)\./
  condition: any of them
}
"""
