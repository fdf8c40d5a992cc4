"""Naming what a JavaScript call calls costs in proportion to the code, not to 3**depth.

Minified bundles chain calls (`a.b(…).c(…).d(…)`); naming each link asks about the link
below it three ways (is it a `require`? what does it name? what does a bound function
run?). Without a memo for every depth that was 3**MAX_DEPTH questions per chain: prettier's
900 KB `plugins/typescript.js` took minutes. The count of questions is measured, not the
time."""

from __future__ import annotations

import pytest

from package_analysis.analysis.facts import javascript


def _minified(uses: int) -> bytes:
    """Short names reused as minifiers do: each bound to a call of the next, in a cycle, and a
    table of calls to the first (TypeScript's diagnostics table in prettier's plugin)."""
    names = "abcdefgh"
    decls = ", ".join(f"{n} = {names[(i + 1) % len(names)]}({i})" for i, n in enumerate(names))
    table = ", ".join(f"k{i}: a({i}, 'message {i}')" for i in range(uses))
    return f"var {decls};\nvar T = {{ {table} }};\n".encode()


@pytest.mark.parametrize("uses", [50, 300])
def test_names_bound_to_calls_are_named_in_linear_work(
    uses: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = {"n": 0}
    real = javascript.JsFacts._qualname

    def counting(self: javascript.JsFacts, node: object, depth: int) -> str:
        asked["n"] += 1
        return real(self, node, depth)  # type: ignore[arg-type]

    monkeypatch.setattr(javascript.JsFacts, "_qualname", counting)
    facts = javascript.parse(_minified(uses))
    assert facts is not None
    assert len(facts.calls) >= uses
    # each (node, depth) once between two added names: a few per call, not 2**MAX_DEPTH
    assert asked["n"] <= 30 * (uses + 8) + 8 * 2 ** (javascript.MAX_DEPTH // 2)


def test_the_memo_does_not_outlive_a_new_alias() -> None:
    """A name asked about before its alias is declared reads as the module once it is."""
    facts = javascript.parse(
        b"run();\nfunction run() { cp.exec('id'); }\nconst cp = require('child_process');\n"
    )
    assert facts is not None
    names = {facts.qualname(fn) for _, fn in facts.calls}
    assert "child_process.exec" in names
