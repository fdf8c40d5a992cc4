"""The files a package's install step runs, as its manifest names them: one reading of npm's
script lines and of pyproject's in-tree build backend, shared by the ecosystem adapters and
the engine's layout. A path keeps its dots: only a leading `./` is dropped."""

from __future__ import annotations

import json
from pathlib import Path

from package_analysis.analysis import engine, install_files
from package_analysis.analysis.ecosystems import npm
from package_analysis.analysis.model import PackageRef

SHA = "0" * 64
SPAWN = (
    "const { spawn } = require('child_process');\n"
    "const fs = require('fs');\n"
    "const cmd = fs.readFileSync(__dirname + '/run.txt', 'utf8');\n"
    "spawn('sh', ['-c', cmd], { detached: true, stdio: 'ignore' }).unref();\n"
)


def test_a_script_path_keeps_its_dots_but_a_leading_dot_slash() -> None:
    files = install_files.script_files(
        "node ./.setup.js && node ../helper.js && sh .env.sh && node ./lib/x.js"
    )
    assert files == {".setup.js", "../helper.js", ".env.sh", "lib/x.js"}


def test_an_in_tree_backend_names_its_module_files() -> None:
    system = {"build-backend": "_build.backend:api", "backend-path": ["./tools", "."]}
    assert install_files.backend_files(system) == {
        "tools/_build/backend.py",
        "tools/_build/backend/__init__.py",
        "_build/backend.py",
        "_build/backend/__init__.py",
    }
    assert install_files.backend_files({"build-backend": "x"}) == set()


def _package(root: Path, scripts: dict[str, str], files: dict[str, str]) -> Path:
    pkg = root / "package"
    pkg.mkdir(parents=True)
    manifest = {"name": "demo-runner", "version": "1.0.0", "main": "index.js", "scripts": scripts}
    (pkg / "package.json").write_text(json.dumps(manifest))
    (pkg / "index.js").write_text("module.exports = {};\n")
    for name, text in files.items():
        (pkg / name).write_text(text)
    return root


def _hidden_process_files(root: Path) -> set[str]:
    ref = PackageRef("npm", "demo-runner", "1.0.0", "pkg:npm/demo-runner@1.0.0")
    found = engine.scan_tree(root, ecosystem="npm", package=ref, artifact_sha256=SHA)
    return {f.file for f in found if f.rule == "JS-INSTALL-PROCESS-HIDDEN"}


def test_a_dot_named_install_script_runs_at_install(tmp_path: Path) -> None:
    root = _package(tmp_path, {"postinstall": "node ./.setup.js"}, {".setup.js": SPAWN})
    assert _hidden_process_files(root) == {"package/.setup.js"}
    facts = npm.facts(root, ["package/package.json", "package/.setup.js", "package/index.js"])
    assert ".setup.js" in facts.install_files


def test_a_script_outside_the_package_is_not_a_package_file(tmp_path: Path) -> None:
    # `../helper.js` is not the package's own helper.js: that one runs only when called
    root = _package(tmp_path, {"postinstall": "node ../helper.js"}, {"helper.js": SPAWN})
    assert _hidden_process_files(root) == set()
    facts = npm.facts(root, ["package/package.json", "package/helper.js", "package/index.js"])
    assert "helper.js" not in facts.install_files
