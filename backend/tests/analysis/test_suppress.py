"""Suppressions with a reason, as a user writes them in packamal.toml or pyproject.toml and
the `packamal scan` command applies them: accepted, expired, content changed, refused."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from package_analysis.analysis import cli
from package_analysis.analysis.suppress import (
    SuppressionError,
    suppression_parse,
    suppressions_load,
)

from . import archives
from .test_sarif import REV


def _bad(path: Path, *, payload: str = REV) -> Path:
    return archives.tar_gz(
        path,
        {
            "bad-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n",
            "bad-1.0/setup.py": (
                "from setuptools import setup\nimport os\nos.system('" + payload + "')\n"
            ).encode(),
        },
    )


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("ANALYSIS_SCRATCH_DIR", str(tmp_path / "scratch"))
    _bad(tmp_path / "bad-1.0.tar.gz")
    return tmp_path


def scan(*args: str) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    code = cli.main(["scan", "--no-progress", *args], out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def _toml_entries(entries: list[dict[str, str]], table: str = "suppress") -> str:
    text = ""
    for e in entries:
        text += f"[[{table}]]\n" + "".join(f"{k} = {v}\n" for k, v in e.items()) + "\n"
    return text


def _q(value: str) -> str:
    return json.dumps(value)  # a TOML basic string


def test_accepted_findings_move_to_suppressed_with_their_reason(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, (report,) = scan("bad-1.0.tar.gz")
    assert (code, report["verdict"]) == (3, "malicious")
    sha = report["artifacts"][0]["sha256"]
    rules = sorted({f["rule"] for f in report["findings"]})
    (work / "packamal.toml").write_text(
        _toml_entries(
            [
                {
                    "rule": _q(r),
                    "sha256": _q(sha),
                    "reason": _q("our own test fixture"),
                    "by": _q("alice"),
                    "expires": "2999-12-31",
                }
                for r in rules
            ]
        )
    )
    code, (after,) = scan("bad-1.0.tar.gz")
    assert (code, after["verdict"], after["score"], after["findings"]) == (0, "clean", 0.0, [])
    assert len(after["suppressed"]) == len(report["findings"])
    assert {s["suppression"]["reason"] for s in after["suppressed"]} == {"our own test fixture"}
    first = after["suppressed"][0]["suppression"]
    assert first["by"] == "alice" and first["expires"] == "2999-12-31"
    assert first["source"].startswith("packamal.toml [[suppress]] #")
    assert {s["fingerprint"] for s in after["suppressed"]} == {
        f["fingerprint"] for f in report["findings"]
    }
    assert after["notes"] == [] and capsys.readouterr().err == ""


def test_one_finding_by_fingerprint_and_path_in_pyproject(work: Path) -> None:
    _code, (report,) = scan("bad-1.0.tar.gz")
    target = next(f for f in report["findings"] if f["file"] == "bad-1.0/setup.py")
    (work / "pyproject.toml").write_text(
        "[project]\nname = 'app'\n\n"
        + _toml_entries(
            [
                {
                    "rule": _q(target["rule"]),
                    "fingerprint": _q(target["fingerprint"]),
                    "path": _q("bad-*/setup.py"),
                    "package": _q("pkg:pypi/bad"),
                    "reason": _q("reviewed"),
                }
            ],
            table="tool.packamal.suppress",
        )
    )
    _code, (after,) = scan("bad-1.0.tar.gz")
    assert [s["fingerprint"] for s in after["suppressed"]] == [target["fingerprint"]]
    assert len(after["findings"]) == len(report["findings"]) - 1
    assert after["suppressed"][0]["suppression"]["source"] == (
        "pyproject.toml [[tool.packamal.suppress]] #1"
    )


def test_an_expired_suppression_stops_applying_and_says_so(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _code, (report,) = scan("bad-1.0.tar.gz")
    sha = report["artifacts"][0]["sha256"]
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    rules = sorted({f["rule"] for f in report["findings"]})
    (work / "packamal.toml").write_text(
        _toml_entries(
            [
                {
                    "rule": _q(r),
                    "sha256": _q(sha),
                    "reason": _q("ok until yesterday"),
                    "expires": yesterday,
                }
                for r in rules
            ]
        )
    )
    code, (after,) = scan("bad-1.0.tar.gz")
    assert (code, after["verdict"], after["suppressed"]) == (3, "malicious", [])
    assert len(after["findings"]) == len(report["findings"])
    assert len(after["notes"]) == len(rules)
    assert all(f"expired on {yesterday}: its findings count again" in n for n in after["notes"])
    assert f"expired on {yesterday}" in capsys.readouterr().err


def test_a_suppression_whose_hash_no_longer_matches_stops_applying(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _code, (old,) = scan("bad-1.0.tar.gz")
    rules = sorted({f["rule"] for f in old["findings"]})
    (work / "packamal.toml").write_text(
        _toml_entries(
            [
                {
                    "rule": _q(r),
                    "sha256": _q(old["artifacts"][0]["sha256"]),
                    "package": _q("bad"),
                    "reason": _q("reviewed 1.0"),
                }
                for r in rules
            ]
        )
    )
    # The same package and file, new content (a new release): the review does not carry over.
    _bad(work / "bad-1.0.tar.gz", payload=REV.replace("4444", "5555"))
    code, (new,) = scan("bad-1.0.tar.gz")
    assert new["artifacts"][0]["sha256"] != old["artifacts"][0]["sha256"]
    assert (code, new["verdict"], new["suppressed"]) == (3, "malicious", [])
    assert len(new["notes"]) == len(rules)
    assert all("no longer matches" in n and "stopped applying" in n for n in new["notes"])
    assert "no longer matches" in capsys.readouterr().err


def test_an_entry_without_a_reason_is_refused_naming_it(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "packamal.toml").write_text(
        _toml_entries(
            [
                {"rule": _q("PY-X"), "sha256": _q("a" * 64), "reason": _q("fine")},
                {"rule": _q("PY-Y"), "sha256": _q("b" * 64)},
            ]
        )
    )
    code, reports = scan("bad-1.0.tar.gz")
    assert (code, reports) == (2, [])
    assert capsys.readouterr().err == (
        "packamal: suppressions refused: packamal.toml [[suppress]] #2: `reason` is required:"
        " say why the finding is accepted\n"
    )


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"rule": "R", "sha256": "a" * 64, "reason": "  "}, "`reason` is required"),
        ({"sha256": "a" * 64, "reason": "r"}, "`rule` is required"),
        ({"rule": "R", "reason": "r"}, "give `sha256` (the artifact's) or `fingerprint`"),
        ({"rule": "R", "sha256": "xyz", "reason": "r"}, "`sha256` must be 64 hexadecimal"),
        ({"rule": "R", "sha256": "a" * 64, "reason": "r", "reson": "x"}, "unknown key(s) reson"),
        ({"rule": "R", "sha256": "a" * 64, "reason": "r", "expires": "soon"}, "must be a date"),
        ({"rule": 7, "sha256": "a" * 64, "reason": "r"}, "`rule` must be a string"),
    ],
)
def test_bad_entries_are_refused_with_the_entry_named(raw: dict[str, object], needle: str) -> None:
    with pytest.raises(SuppressionError) as caught:
        suppression_parse(raw, source="packamal.toml [[suppress]] #4")
    assert str(caught.value).startswith("packamal.toml [[suppress]] #4: ")
    assert needle in str(caught.value)


def test_files_that_are_not_toml_are_refused(tmp_path: Path) -> None:
    (tmp_path / "packamal.toml").write_text("[[suppress]\nrule = \n")
    with pytest.raises(SuppressionError, match=r"^packamal.toml: not valid TOML"):
        suppressions_load(tmp_path)
    assert suppressions_load(tmp_path / "missing") == []
