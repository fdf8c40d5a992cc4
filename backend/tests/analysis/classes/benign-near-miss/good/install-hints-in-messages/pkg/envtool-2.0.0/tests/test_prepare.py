import pytest

from envtool.prepare import prepare


def test_missing_uv_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"curl -LsSf https://tools\.example\.invalid/uv/install\.sh \| sh"):
        prepare(tmp_path)
