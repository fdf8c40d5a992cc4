"""What a module's own calls hand its functions' parameters (`facts/pyparams.py`)."""

from __future__ import annotations

import ast

from package_analysis.analysis.facts.python import PyFacts
from package_analysis.analysis.pypass import parse


def _param(src: str, func: str, name: str) -> object:
    facts = parse(src)
    assert isinstance(facts, PyFacts)
    (d,) = [x for x in facts.defs[func] if isinstance(x, ast.FunctionDef)]
    value = facts.resolver.params.get((id(d), name))
    return None if value is None else value.data


def test_one_constant_from_every_site_is_the_parameters_value() -> None:
    src = "def post(url):\n    pass\npost('https://a.example.invalid')\npost('https://a.example.invalid')\n"
    assert _param(src, "post", "url") == "https://a.example.invalid"


def test_sites_that_disagree_leave_the_parameter_unknown() -> None:
    src = "def run(m):\n    __import__(m)\nrun('os')\nrun('json')\n"
    assert _param(src, "run", "m") is None
    src = "import sys\ndef post(url):\n    pass\npost('https://a.example.invalid')\npost(sys.argv[1])\n"
    assert _param(src, "post", "url") is None


def test_partial_and_aliases_hand_their_arguments() -> None:
    src = (
        "import functools\n"
        "def send(url, body):\n    pass\n"
        "report = functools.partial(send, 'https://c.example.invalid')\n"
        "report('x')\n"
        "g = send\n"
    )
    assert _param(src, "send", "url") == "https://c.example.invalid"
    assert _param(src, "send", "body") == "x"
    assert _param("def f(a):\n    pass\ng = f\ng('k')\n", "f", "a") == "k"
