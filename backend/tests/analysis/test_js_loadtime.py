"""When JavaScript runs (`facts/jsload.py`): an entry file's top level, and the functions its
load-time code calls or hands to something that runs them at once. Each construct is one
case: `probe()` marks a position, and the case says whether requiring the file runs it."""

from __future__ import annotations

import pytest

from package_analysis.analysis.facts import javascript
from package_analysis.analysis.jspass import JsCheck
from package_analysis.analysis.rules.base import FileCtx, Sink

CASES = {
    # runs when the file is required
    "top level": ("probe();", True),
    "a function called by name": ("function go() { probe(); }\ngo();", True),
    "called before its declaration (hoisted)": ("go();\nfunction go() { probe(); }", True),
    "a const arrow called": ("const go = () => { probe(); };\ngo();", True),
    "an async function whose promise is caught": (
        "async function main() { probe(); }\nmain().catch(() => {});",
        True,
    ),
    "go.call(this)": ("function go() { probe(); }\ngo.call(this);", True),
    "through two functions": (
        "function a() { b(); }\nfunction b() { probe(); }\na();",
        True,
    ),
    "new LocalClass(): its constructor": (
        "class K { constructor() { probe(); } other() {} }\nmodule.exports = new K();",
        True,
    ),
    "setTimeout with a function written in place": ("setTimeout(() => probe(), 10);", True),
    "setImmediate with a local function": ("function go() { probe(); }\nsetImmediate(go);", True),
    "process.nextTick": ("process.nextTick(function () { probe(); });", True),
    "a promise's then": ("Promise.resolve().then(() => { probe(); });", True),
    "new Promise(executor)": ("new Promise((resolve) => { probe(); resolve(); });", True),
    "an array's forEach": ("[1, 2].forEach(function (x) { probe(x); });", True),
    "process.on('exit')": ("process.on('exit', () => probe());", True),
    "an immediately invoked wrapper": ("(function () { probe(); })();", True),
    "in a timer set by a function called at load": (
        "function start() { setTimeout(() => probe(), 5); }\nstart();",
        True,
    ),
    "this.method() from the constructor": (
        "class K { constructor() { this.setup(); } setup() { probe(); } }\nnew K();",
        True,
    ),
    "a constant object's method": (
        "const api = { run() { probe(); }, other: () => 1 };\napi.run();",
        True,
    ),
    "a constant object's function property": (
        "const api = { 'go': function () { probe(); } };\napi.go();",
        True,
    ),
    # runs only when someone calls it later
    "a function never called": ("function go() { probe(); }", False),
    "a function only exported": ("function go() { probe(); }\nmodule.exports = go;", False),
    "a handler on another object": (
        "function h(req, res) { probe(); }\nserver.on('request', h);\napp.get('/', h);",
        False,
    ),
    "called only from a function nobody calls": (
        "function a() { b(); }\nfunction b() { probe(); }\nmodule.exports = a;",
        False,
    ),
    "a method other than the constructor": (
        "class K { constructor() {} run() { probe(); } }\nnew K();",
        False,
    ),
    "a timer set inside an exported function": (
        "module.exports = function () { setTimeout(() => probe(), 5); };",
        False,
    ),
    "a callback handed to an unknown function": ("register(() => probe());", False),
    "this.method() from a method nobody calls": (
        "class K { start() { this.setup(); } setup() { probe(); } }\nnew K();",
        False,
    ),
    "this in a plain function is not the class's": (
        "class K { constructor() { function f() { this.setup(); } } setup() { probe(); } }"
        "\nnew K();",
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_when_a_position_runs(case: str) -> None:
    code, runs = CASES[case]
    data = code.encode()
    facts = javascript.parse(data)
    assert facts is not None
    ctx = FileCtx(path="package/index.js", reach="runtime", ecosystem="npm")
    check = JsCheck(data, facts, ctx, Sink(artifact=""), loadtime_all=False, entry=True)
    probes = [call for call, fn in facts.calls if facts.text(fn) == "probe"]
    assert probes, "the case has no probe() call"
    assert {check.loadtime(call) for call in probes} == {runs}


def test_a_file_that_is_not_an_entry_runs_nothing_at_load() -> None:
    data = b"function go() { probe(); }\ngo();\nprobe();"
    facts = javascript.parse(data)
    assert facts is not None
    ctx = FileCtx(path="package/lib/util.js", reach="runtime", ecosystem="npm")
    check = JsCheck(data, facts, ctx, Sink(artifact=""), loadtime_all=False, entry=False)
    assert not any(check.loadtime(call) for call, _ in facts.calls)
