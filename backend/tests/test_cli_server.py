"""`packamal scan --server URL`: the same targets analysed by a running deployment (the api
and a worker role, real PostgreSQL and Redis, the real registry), the same output and exit
status as a local scan."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import Role
from package_analysis.analysis import cli
from package_analysis.models import Job

from .analysis import archives
from .analysis.test_sarif import REV
from .conftest import api_start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.timeout(600)
def test_scan_with_server_dispatches_waits_and_reports(
    start_role: Callable[..., Role],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, _api = api_start(start_role)
    start_role("worker", "--name", "cli-server")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("idna==3.7\n")
    archives.tar_gz(
        tmp_path / "bad-1.0.tar.gz",
        {
            "bad-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n",
            "bad-1.0/setup.py": (
                "from setuptools import setup\nimport os\nos.system('" + REV + "')\n"
            ).encode(),
        },
    )
    out = io.StringIO()
    args = ["scan", "--no-progress", "--server", base, "requirements.txt", "bad-1.0.tar.gz"]
    code = cli.main(args, out)
    reports = [json.loads(line) for line in out.getvalue().splitlines()]
    assert code == 3, capsys.readouterr().err
    assert [(r["package"]["purl"], r["verdict"]) for r in reports] == [
        ("pkg:pypi/idna@3.7", "clean"),
        ("pkg:pypi/bad@1.0", "malicious"),
    ]
    assert reports[0]["lockfile"] == "requirements.txt"
    assert any(f["file"] == "bad-1.0/setup.py" for f in reports[1]["findings"])
    # The work was the deployment's: one analyze job per target, completed there.
    jobs = Job.objects.filter(task="analyze")
    assert sorted(j.status for j in jobs) == ["completed", "completed"]
    assert {j.params.get("purl") for j in jobs} == {"pkg:pypi/idna@3.7", None}
    err = capsys.readouterr().err
    assert "VERDICT" in err and "2 package(s): 1 malicious, 1 clean" in err
