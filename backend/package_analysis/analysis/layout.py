"""What the package declares about itself, and where each file's code runs (reachability).

Install time is what an installer really runs: setup.py, an in-tree PEP 517 backend
(`backend-path`), `setuptools.installation` entry points, .pth lines, npm lifecycle scripts
(through `node .`, `node -e "require(...)"`, `npm run X`, `$npm_package_config_*`) and
`binding.gyp` command expansions. Import time is installed, importable code. Repository
tooling that an sdist carries but never installs (CI, demos, benchmarks, vendored tools,
top-level task runners) weighs like tests; data files are data.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from . import inputs, install_files
from .model import Ecosystem, Reachability
from .rules import metadata
from .treewalk import manifest_prefix

TEST_DIRS = {
    "test",
    "tests",
    "testing",
    "testdata",
    "test_data",
    "fixtures",
    "__tests__",
    "spec",
    "specs",
    "__mocks__",
}
# only at the top of the project
DOC_DIRS = {"doc", "docs", "example", "examples", "sample", "samples"}
GALLERY_DIRS = {"examples", "galleries", "gallery", "docs", "demos"}  # at any depth
EXAMPLE_WORDS = {"example", "examples"}  # below the top folder: airflow's `example_dags`
TOOL_DIRS = {"benchmarks", "asv_bench"}  # at any depth (an import from installed code undoes it)
# repository tooling at the top of an sdist: not installed, run by maintainers like tests
DEV_DIRS = {
    ".github", ".gitlab", ".circleci", ".evergreen", ".azure-pipelines", ".buildkite", "scripts",
    "tools", "benchmarks", "bench", "ci", "lab", "other", "action", "actions", "devtools", "dev",
    "utils_dev", "contrib", "build_tools", "tasks",
}  # fmt: skip
VENDOR_DIRS = {"extern", "external", "vendor", "_vendor", "third_party", "thirdparty", "deps"}
VENDOR_WORDS = {"vendor", "vendored", "extern", "external", "thirdparty"}  # "vendored-meson"
TOOLING_FILES = {
    "runtests.py",
    "noxfile.py",
    "tasks.py",
    "fabfile.py",
    "conftest.py",
    "tests.py",
    "pavement.py",
    "bootstrap.py",
    "run_tests.py",
    "dodo.py",
}
# a folder named in words ("manual tests", "test cases", "unit-tests") holds tests too
TEST_WORDS = {"test", "tests", "testing", "testcases", "testsuite"}
# task runners and shell scripts of the repository: maintainers run them, installers never
TASK_FILES = {"makefile", "gnumakefile", "justfile", "taskfile.yml", "tox.ini"}
TASK_EXT = {".sh", ".bash", ".zsh", ".bat", ".cmd", ".ps1", ".mk"}
DOC_EXT = {".md", ".rst", ".txt", ".html", ".htm", ".ipynb"}
_MAN_PAGE = re.compile(r"\.[1-9][a-z]?$")  # `pipenv.1`: a manual page
META_NAMES = {
    "PKG-INFO", "METADATA", "RECORD", "WHEEL", "entry_points.txt", "requires.txt",
    "top_level.txt", "SOURCES.txt", "dependency_links.txt", "package.json", "setup.cfg",
    "pyproject.toml", "MANIFEST.in",
}  # fmt: skip
# files that list other files' hashes and versions: their text weighs as documentation
LISTINGS = {
    "RECORD", "SOURCES.txt", "pnpm-lock.yaml", "package-lock.json", "yarn.lock", "poetry.lock",
    "Pipfile.lock", "uv.lock", "npm-shrinkwrap.json",
}  # fmt: skip
_NODE_GYP = re.compile(r"\b(node-gyp|node-pre-gyp|prebuild-install|cmake-js)\b")


@dataclass
class Layout:
    prefix: str = ""  # the folder that holds setup.py/PKG-INFO/package.json ("" at root)
    install_files: set[str] = field(default_factory=set)  # relative to prefix
    entry_files: set[str] = field(default_factory=set)
    version_hint: str | None = None
    manifest: dict[str, Any] | None = None
    manifest_text: str = ""
    hooks: dict[str, str] = field(default_factory=dict)  # npm: install-time commands by origin
    install_functions: dict[str, set[str]] = field(default_factory=dict)  # module file → names
    crate_scripts: set[str] = field(default_factory=set)  # script folders of nested projects


_NESTED_ROOTS = ("/Cargo.toml", "/setup.py", "/pyproject.toml")
_NATIVE_ROOTS = ("/CMakeLists.txt", "/meson.build")  # only without a Python package below


def plan_tree(
    layout: Layout, files: list[str], eco: Ecosystem, read: Callable[[str], bytes | None]
) -> None:
    """The project folder, and the script folders of the projects an sdist carries inside
    it (a Rust crate, a vendored Python project): below a `Cargo.toml`, `setup.py` or
    `pyproject.toml` other than the project's own (or a `CMakeLists.txt` / `meson.build` of
    an upstream C/C++ project with no Python package in it), a folder without `__init__.py`
    is no Python package (a crate's generators, a vendored tool's release scripts, ninja's
    `configure.py`); nor is a top folder an sdist's build installs nowhere (`_unshipped`)."""
    layout.prefix = prefix = find_prefix(files, eco)
    inner = [f[len(prefix) :] for f in files if f.startswith(prefix)]
    crates = {p.rsplit("/", 1)[0] + "/" for p in inner if p.endswith(_NESTED_ROOTS)}
    packages = {p.rsplit("/", 1)[0] for p in inner if p.endswith("/__init__.py")}
    for p in inner:
        root = p.rsplit("/", 1)[0] + "/"
        if p.endswith(_NATIVE_ROOTS) and not any((k + "/").startswith(root) for k in packages):
            crates.add(root)
    if eco == "pypi":
        crates |= install_files.unshipped(inner, packages, lambda name: read(prefix + name))
    if eco != "pypi" or not crates:
        return
    for f in inner:
        folder = f.rsplit("/", 1)[0] if "/" in f else ""
        if f.endswith(".py") and folder not in packages and any(f.startswith(c) for c in crates):
            layout.crate_scripts.add(folder)


_QUOTED_PATH = re.compile(r"""['"]([\w./ -]{1,200})['"]""")
_SCRIPT_EXT = (".py", ".sh", ".bash", ".ps1", ".bat", ".cmd")


def named_scripts(text: str, files: list[str], prefix: str) -> set[str]:
    """Scripts of the tree an install-time file names in a string (`[sys.executable,
    os.path.join(HERE, "tools", "gen.py")]`, `"./build.sh"`): they run at install too."""
    by_name: dict[str, list[str]] = {}
    for f in files:
        if f.startswith(prefix):
            by_name.setdefault(f.rsplit("/", 1)[-1], []).append(f[len(prefix) :])
    out: set[str] = set()
    for spelled in _QUOTED_PATH.findall(text):
        if not spelled.endswith(_SCRIPT_EXT):
            continue
        name = spelled.rsplit("/", 1)[-1]
        found = by_name.get(name, [])
        # too common a name to tell which (a setup.py naming "setup.py" means itself)
        if name in {"__init__.py", "setup.py"} or len(found) > 3:
            found = [f for f in found if "/" in spelled and f.endswith(spelled.lstrip("./"))]
        out.update(found)
    return out


def find_prefix(files: list[str], eco: Ecosystem) -> str:
    markers = ("package.json",) if eco == "npm" else ("setup.py", "pyproject.toml", "PKG-INFO")
    return manifest_prefix(files, markers)


def split_name(rel: str) -> tuple[str, str, str]:
    """(folder, stem, suffix) of a clean relative POSIX path (the file list's), as
    `PurePosixPath`'s `parent`, `stem` and `suffix` read them, without building one: a
    package of thousands of small files asks this of each."""
    folder, _, name = rel.rpartition("/")
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        return folder, name[:dot], name[dot:]
    return folder, name, ""


def reachability(inner: str, layout: Layout) -> Reachability:
    folder, stem, suffix = split_name(inner)
    parts = [p.lower() for p in folder.split("/")] if folder else []
    name = inner[len(folder) + 1 :] if folder else inner
    if inner in layout.install_files:
        return "install"
    if name.endswith(".pth"):
        return "import"
    if (
        name in META_NAMES
        or any(p.endswith((".egg-info", ".dist-info")) for p in parts)
        or (parts and parts[0] == "egg-info")
    ):
        return "metadata"
    lower = name.lower()
    words = [set(re.split(r"[^a-z0-9]+", p)) for p in parts]
    vendored = any(p in VENDOR_DIRS for p in parts) or any(w & VENDOR_WORDS for w in words)
    vendored_tool = vendored and any(p in DEV_DIRS or p in TEST_DIRS for p in parts)
    # `import run-bench` cannot be written: a script, run by hand, never at import
    script = suffix == ".py" and not stem.isidentifier()
    if (
        (parts and parts[0] in DEV_DIRS)
        or vendored_tool
        or any(p in TEST_DIRS or p in TOOL_DIRS for p in parts)
        or any(w & TEST_WORDS for w in words)
        or script
        or lower in TASK_FILES
        or (folder or ".") in layout.crate_scripts
        or (not parts and suffix.lower() in TASK_EXT and inner not in layout.entry_files)
        or lower.startswith("test_")
        or lower.endswith(("_test.py", ".test.js", ".spec.js", ".test.ts", ".spec.ts"))
        or (not parts and lower in TOOLING_FILES)
        or lower in {"conftest.py", "tests.py"}
    ):
        return "test"
    if (
        (parts and parts[0] in DOC_DIRS)
        or any(p in GALLERY_DIRS for p in parts)
        or any(w & EXAMPLE_WORDS for w in words[1 + (parts[:1] == ["src"]) :])
        or suffix.lower() in DOC_EXT
        or _MAN_PAGE.match(suffix)
    ):
        return "docs"
    return "runtime"


_SETUP_INSTALLATION = re.compile(
    rb"""["']setuptools\.installation["']\s*:\s*[\[(]([^\])]{0,2000})[\])]"""
)


def python_layout(
    layout: Layout,
    pyproject: bytes | None,
    entry_points: bytes | None,
    setup_py: bytes | None = None,
    setup_cfg: bytes | None = None,
) -> None:
    """setup.py, an in-tree build backend, the modules of command classes declared outside
    setup.py (setup.cfg's `[options] cmdclass`, pyproject's `[tool.setuptools.cmdclass]`),
    and `setuptools.installation` entry points (from entry_points.txt, or declared in
    setup.py's `entry_points={...}`, which an sdist may ship without any egg-info)."""
    layout.install_files.add("setup.py")
    if pyproject is not None:
        layout.install_files |= in_tree_backend(pyproject)
    layout.install_files |= install_files.declared_cmdclass(pyproject, setup_cfg)
    declared = _SETUP_INSTALLATION.search(setup_py) if setup_py else None
    if declared:
        items = re.findall(rb"""["']([^"']*=[^"']*)["']""", declared.group(1))
        entry_points = (entry_points or b"") + b"\n[setuptools.installation]\n"
        entry_points += b"\n".join(items)
    if entry_points is not None:
        section = ""
        for line in entry_points.decode("utf-8", "replace").splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line.strip("[]").strip()
            elif section == "setuptools.installation" and "=" in line:
                target = line.split("=", 1)[1].strip()
                module, _, func = target.partition(":")
                file = module.strip().replace(".", "/") + ".py"
                layout.install_functions.setdefault(file, set()).add(
                    func.strip().split(".")[0] or "main"
                )


def tool_table_lines(raw: bytes) -> set[int]:
    """Lines of pyproject.toml inside `[tool.*]` tables (maintainers' tools, not installers)."""
    out: set[int] = set()
    inside = False
    for number, line in enumerate(inputs.lines(raw.decode("utf-8", "replace")), 1):
        header = line.strip()
        if header.startswith("["):
            inside = header.lstrip("[").startswith("tool.")
        if inside:
            out.add(number)
    return out


def in_tree_backend(raw: bytes) -> set[str]:
    """Files of a build backend that ships inside the sdist (`backend-path`)."""
    try:
        doc = tomllib.loads(raw.decode("utf-8", "replace").removeprefix("\ufeff"))
    except (tomllib.TOMLDecodeError, RecursionError):
        return set()
    system = doc.get("build-system")
    return install_files.backend_files(system) if isinstance(system, dict) else set()


def npm_layout(
    layout: Layout, doc: dict[str, Any], text: str, gyp: bytes | None, npmrc: bytes | None = None
) -> None:
    """Entry points (main, exports, bin) and what npm runs at install (lifecycle scripts,
    resolved through `npm run`, `node .`, `node -e`, config variables; binding.gyp; modules
    an `.npmrc` preloads into every node process npm starts)."""
    layout.manifest, layout.manifest_text = doc, text
    version = doc.get("version")
    layout.version_hint = version if isinstance(version, str) else None
    main = doc.get("main") if isinstance(doc.get("main"), str) else "index.js"
    layout.entry_files = set(_module_files(str(main)))
    for target in _strings(doc.get("exports")) + _strings(doc.get("bin")):
        layout.entry_files |= set(_module_files(target))
    scripts: dict[str, Any] = doc["scripts"] if isinstance(doc.get("scripts"), dict) else {}
    config: dict[str, Any] = doc["config"] if isinstance(doc.get("config"), dict) else {}
    hooks = {
        h: scripts[h]
        for h in metadata.INSTALL_SCRIPTS
        if isinstance(scripts.get(h), str) and scripts[h].strip()
    }
    # npm runs `node-gyp rebuild` itself when binding.gyp is there and no install hook is
    # given; either way node-gyp runs the binding's command expansions at install
    gyp_runs = ("install" not in hooks and "preinstall" not in hooks) or any(
        _NODE_GYP.search(line)
        for cmd in hooks.values()
        for line in expand_script(cmd, scripts, config)
    )
    if gyp is not None and gyp_runs:
        text = gyp.decode("utf-8", "replace")
        for cmd in install_files.gyp_commands(text) + install_files.gyp_actions(text):
            hooks[f"binding.gyp:{len(hooks)}"] = cmd  # node-gyp rebuild runs these at install
    for preload in install_files.npmrc_preloads(npmrc):  # `node-options=--require ./x.js`
        hooks[f".npmrc:{len(hooks)}"] = f"node --require {preload}"
        layout.install_files |= set(_module_files(preload))
    for origin, cmd in hooks.items():
        for expanded in expand_script(cmd, scripts, config):
            layout.hooks.setdefault(origin, expanded)
            for f in script_files(expanded, str(main)):
                layout.install_files.add(f)


def expand_script(
    cmd: str, scripts: dict[str, Any], config: dict[str, Any], depth: int = 0
) -> list[str]:
    """A script line with `$npm_package_config_x` substituted and `npm run X` followed."""
    cmd = re.sub(
        r"\$\{?npm_package_config_(\w+)\}?", lambda m: str(config.get(m.group(1), "")), cmd
    )
    out = [cmd]
    if depth < 4:
        for name in re.findall(r"\b(?:npm|yarn|pnpm)\s+(?:run(?:-script)?\s+)?([\w:.-]+)", cmd):
            target = scripts.get(name)
            if isinstance(target, str):
                out += expand_script(target, scripts, config, depth + 1)
    return out


def script_files(cmd: str, main: str = "index.js") -> set[str]:
    """Files a script line runs: `node x.js`, `node .` (main), `node -e "require('./x')"`."""
    out = set(install_files.script_files(cmd))
    lines = install_files.shell_commands(cmd)
    lines += [w for line in lines for w in shell_words(line) if "require(" in w]  # node -e "…"
    for line in lines:
        if re.search(r"\bnode\s+\.(\s|$|&|;)", line) or "." in out:
            out.discard(".")
            out |= set(_module_files(main))
        for spec in re.findall(r"""require\(\s*['"`](\.{1,2}/[^'"`]+)['"`]\s*\)""", line):
            out |= set(_module_files(spec))
    return {f for f in out if f}


def _module_files(spec: str) -> list[str]:
    base = re.sub(r"^\./", "", spec.strip()).rstrip("/")
    if base in {"", "."}:
        return ["index.js"]
    if re.search(r"\.(c|m)?js$", base):
        return [base]
    return [base + ".js", base + "/index.js", base]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def resolve_require(current: str, spec: str, files: set[str]) -> str | None:
    """The package file a relative `require(spec)` from `current` loads, if it exists."""
    if not spec.startswith("."):
        return None
    base = PurePosixPath(current).parent
    joined = (base / spec).as_posix()
    parts: list[str] = []
    for p in joined.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p not in {".", ""}:
            parts.append(p)
    path = "/".join(parts)
    for cand in (
        path,
        path + ".js",
        path + ".cjs",
        path + ".mjs",
        path + ".json",
        path + "/index.js",
    ):
        if cand in files:
            return cand
    return None


def shell_words(cmd: str) -> list[str]:
    try:
        return shlex.split(cmd, posix=True)
    except ValueError:
        return cmd.split()
