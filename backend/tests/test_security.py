"""Security review findings that show in-process (Django's test client, real PostgreSQL and
Redis): rate-limit identity (H1), keys and reads (L5), admin login throttling (M3), error
shapes (L3), deploy settings (L4). The web-port findings are in test_security_web.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from package_analysis import ratelimit
from package_analysis.models import Job

from .conftest import ENTRYPOINT, role_env

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)

KEY_A = "a" * 40
KEY_B = "b" * 40


@pytest.fixture
def client() -> Client:
    return Client()


def post_json(client: Client, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/dispatch", data=data, content_type="application/json", **extra)


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return dict(body["error"])


def limit(settings: Any, **rates: str) -> None:
    for name, rate in rates.items():
        setattr(settings, name, rate)
    ratelimit.cache_clear()


# ---------------------------------------------------------------- H1


def test_made_up_keys_share_the_address_bucket_when_keys_are_off(
    client: Client, settings: Any
) -> None:
    limit(settings, DISPATCH_RATE_LIMIT="5/minute")
    codes = [post_json(client, {}, HTTP_X_API_KEY=f"junk-{i}").status_code for i in range(8)]
    assert codes == [202] * 5 + [429] * 3
    assert Job.objects.count() == 5


def test_a_valid_key_has_one_bucket_whichever_header_carries_it(
    client: Client, settings: Any
) -> None:
    settings.DISPATCH_API_KEYS = [KEY_A]
    limit(settings, DISPATCH_RATE_LIMIT="4/minute")
    codes = [post_json(client, {}, HTTP_X_API_KEY=KEY_A).status_code for _ in range(2)]
    codes += [
        post_json(client, {}, HTTP_AUTHORIZATION=f"Bearer {KEY_A}").status_code for _ in "xyz"
    ]
    assert codes == [202, 202, 202, 202, 429]
    # the key's bucket is the key's, not the address's: another address gets no more
    assert post_json(client, {}, HTTP_X_API_KEY=KEY_A, REMOTE_ADDR="10.9.9.9").status_code == 429


def test_x_forwarded_for_does_not_name_the_bucket(client: Client, settings: Any) -> None:
    """M1 in-process: the address is REMOTE_ADDR (uvicorn's, from trusted proxies only)."""
    limit(settings, DISPATCH_RATE_LIMIT="3/minute")
    codes = [
        post_json(client, {}, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(5)
    ]
    assert codes == [202, 202, 202, 429, 429]


# ---------------------------------------------------------------- L5


def test_wrong_keys_are_throttled(client: Client, settings: Any) -> None:
    settings.DISPATCH_API_KEYS = [KEY_A]
    limit(settings, AUTH_FAILURE_RATE_LIMIT="3/minute")
    codes = [post_json(client, {}, HTTP_X_API_KEY=f"wrong-{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    error = error_of(post_json(client, {}, HTTP_X_API_KEY="wrong"), 429)
    assert error["code"] == "rate_limited" and error["details"]["retry_after"] >= 1
    # the right key still works from elsewhere; wrong keys from elsewhere have their own budget
    assert post_json(client, {}, HTTP_X_API_KEY=KEY_A).status_code == 202
    assert post_json(client, {}, HTTP_X_API_KEY="nope", REMOTE_ADDR="10.2.2.2").status_code == 401


def test_read_keys_protect_every_read_and_leave_probes_open(client: Client, settings: Any) -> None:
    settings.DISPATCH_API_KEYS = [KEY_A]
    settings.API_READ_KEYS = [KEY_B]
    job = post_json(client, {}, HTTP_X_API_KEY=KEY_A).json()
    for path in ("/jobs", f"/jobs/{job['id']}", "/stats", "/metrics"):
        assert error_of(client.get(path), 401)["code"] == "unauthorized", path
        assert error_of(client.get(path, HTTP_X_API_KEY="c" * 40), 401)["code"] == "unauthorized"
        assert client.get(path, HTTP_X_API_KEY=KEY_B).status_code == 200, path
        assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {KEY_A}").status_code == 200, path
    # a read key cannot dispatch
    assert error_of(post_json(client, {}, HTTP_X_API_KEY=KEY_B), 401)["code"] == "unauthorized"
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs"):
        assert client.get(path).status_code == 200, path


def test_reads_stay_open_without_read_keys(client: Client, settings: Any) -> None:
    settings.DISPATCH_API_KEYS = [KEY_A]
    assert client.get("/jobs").status_code == 200
    assert client.get("/stats").status_code == 200


@pytest.mark.parametrize("name", ["DISPATCH_API_KEYS", "API_READ_KEYS"])
def test_keys_shorter_than_32_characters_stop_the_api_at_start(name: str) -> None:
    env = role_env(**{name: f"{'x' * 40},k1", "PORT": "1"})
    out = subprocess.run(
        [ENTRYPOINT, "api"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 78, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert lines == [
        f"configuration error: {name} has 1 key(s) shorter than 32 characters "
        "(make one: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    ]


# ---------------------------------------------------------------- M3


def test_admin_login_failures_are_throttled_per_client(client: Client, settings: Any) -> None:
    limit(settings, AUTH_FAILURE_RATE_LIMIT="3/minute")
    User.objects.create_superuser("root", "root@example.com", "Winter2026!")
    url = "/admin/login/?next=/admin/"

    def attempt(password: str, addr: str = "127.0.0.1") -> Any:
        return client.post(url, {"username": "root", "password": password}, REMOTE_ADDR=addr)

    assert [attempt(p).status_code for p in ("password", "changeme", "letmein")] == [200] * 3
    # the budget is spent: even the right password waits (no oracle for guessers)
    error = error_of(attempt("Winter2026!"), 429)
    assert error["code"] == "rate_limited"
    # another client is unaffected
    assert attempt("Winter2026!", addr="10.3.3.3").status_code == 302


# ---------------------------------------------------------------- L3


def test_head_answers_like_get_without_a_body(client: Client) -> None:
    response = client.head("/jobs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.content == b""


@pytest.mark.parametrize(
    "body",
    [b"[" * 30000, b'{"params": ' + b'{"a": ' * 6000 + b"1" + b"}" * 6001],
    ids=["arrays", "objects"],
)
def test_deep_nesting_is_malformed_json(client: Client, body: bytes) -> None:
    error = error_of(post_json(client, body), 400)
    assert error["code"] == "malformed_json"
    assert Job.objects.count() == 0


# ---------------------------------------------------------------- L4


def test_check_deploy_is_clean() -> None:
    env = {
        **role_env(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "s" * 20 + "-Not-A-Real-Secret-But-Long-Enough-" + "t" * 20,
        "PYTHONPATH": str(ROOT / "backend"),
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT / "backend",
        env=env | {"DJANGO_SETTINGS_MODULE": "packamal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout


def test_admin_cookies_are_secure(client: Client) -> None:
    User.objects.create_superuser("root", "root@example.com", "Winter2026!")
    page = client.get("/admin/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    done = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": "Winter2026!"}
    )
    assert done.status_code == 302
    session = done.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
