"""POST /dispatch/batch and POST /analyze/lockfile on real PostgreSQL and Redis: whole
bodies, all or nothing, request order, the push after commit, and recovery of a batch
whose push never reached Redis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from package_analysis import broker, lockfiles, services
from package_analysis.models import Job

from .test_api import JOB_KEYS, assert_error

CLIENT = "addr:127.0.0.1"  # the test client's identity: its bulk lane
KEY = "k" * 40

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).parent / "fixtures" / "lockfiles"
BAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every push fails


@pytest.fixture
def client() -> Client:
    return Client()


def post_batch(client: Client, jobs: Any, **extra: Any) -> Any:
    body = json.dumps({"jobs": jobs})
    return client.post("/dispatch/batch", data=body, content_type="application/json", **extra)


def queued_messages(r: redis.Redis) -> list[dict[str, Any]]:
    """The messages waiting, oldest first (LPUSH puts the newest at the head): the
    interactive list's, then this test client's bulk lane (batch and lockfile jobs)."""
    k = broker.keys()
    raw = [*reversed(r.lrange(k.queue, 0, -1)), *reversed(r.lrange(k.lane(CLIENT), 0, -1))]
    return [json.loads(m) for m in raw]


def simulate(seconds: float) -> dict[str, Any]:
    return {"task": "simulate", "params": {"seconds": seconds, "mode": "sleep"}}


def test_batch_answers_every_job_in_request_order_and_queues_them(
    client: Client, r: redis.Redis
) -> None:
    jobs = [simulate(i) for i in range(25)]
    response = post_batch(client, jobs)

    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"items"}
    items = body["items"]
    assert [item["params"] for item in items] == [
        {"seconds": float(i), "mode": "sleep"} for i in range(25)
    ]
    for item in items:
        assert set(item) == JOB_KEYS
        assert item == {
            **item,
            "task": "simulate",
            "status": "queued",
            "attempts": 0,
            "worker": None,
            "progress": 0.0,
            "result": None,
            "error": None,
            "started_at": None,
            "completed_at": None,
        }
    ids = [item["id"] for item in items]
    assert len(set(ids)) == 25
    # rows committed, messages queued in the same order, each id marked pending
    assert Job.objects.filter(id__in=ids, status="queued").count() == 25
    messages = queued_messages(r)
    assert [m["id"] for m in messages] == ids
    assert [m["params"]["seconds"] for m in messages] == [float(i) for i in range(25)]
    assert r.zcard(broker.keys().pending) == 25
    # the newest-first list shows the batch's last job first
    listed = client.get("/jobs", {"limit": 25}).json()["items"]
    assert [j["id"] for j in listed] == list(reversed(ids))


def test_batch_item_defaults_as_in_single_dispatch(client: Client) -> None:
    response = post_batch(client, [{}, {"params": {"seconds": 3}}])
    assert response.status_code == 202
    assert [i["params"] for i in response.json()["items"]] == [
        {"seconds": 10.0, "mode": "cpu"},
        {"seconds": 3.0, "mode": "cpu"},
    ]


def test_batch_with_bad_items_is_422_naming_each_index_and_dispatches_nothing(
    client: Client, r: redis.Redis
) -> None:
    jobs = [simulate(1), {"task": "nope"}, simulate(2), {"params": {"seconds": 601}}, simulate(3)]
    error = assert_error(post_batch(client, jobs), 422, "validation_error")

    assert error["message"].startswith(
        "The jobs at indexes 1, 3 are invalid; none was dispatched. "
    )
    locs = [d["loc"][:3] for d in error["details"]]
    assert ["body", "jobs", 1] in locs and ["body", "jobs", 3] in locs
    assert {loc[2] for loc in locs} == {1, 3}
    assert Job.objects.count() == 0
    assert broker.queue_length(client=r) == 0


def test_batch_one_bad_item(client: Client) -> None:
    error = assert_error(post_batch(client, [simulate(1), 5]), 422, "validation_error")
    assert error["message"].startswith("The job at index 1 is invalid; none was dispatched.")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"jobs": []}, "jobs: List should have at least 1 item"),
        ({"jobs": [{}] * 1001}, "jobs: List should have at most 1000 items"),
        ({}, "jobs: Field required"),
        ({"jobs": {}}, "jobs: Input should be a valid list"),
        ({"jobs": [{}], "extra": 1}, "extra: Extra inputs are not permitted"),
    ],
)
def test_batch_size_and_shape_are_checked(
    client: Client, r: redis.Redis, body: dict[str, Any], fragment: str
) -> None:
    response = client.post(
        "/dispatch/batch", data=json.dumps(body), content_type="application/json"
    )
    error = assert_error(response, 422, "validation_error")
    assert fragment in error["message"]
    assert Job.objects.count() == 0


def test_batch_of_1000_is_accepted(client: Client, r: redis.Redis) -> None:
    response = post_batch(client, [simulate(0)] * 1000)
    assert response.status_code == 202
    assert len(response.json()["items"]) == 1000
    assert broker.queue_length(client=r) == 1000


def test_batch_body_limit_is_1_mib_not_64_kib(client: Client) -> None:
    padded = [{"task": "simulate", "params": {"seconds": 0, "mode": "sleep"}}] * 1000
    text = json.dumps({"jobs": padded}, indent=1)  # about 90 KiB: over the single route's limit
    assert 64 * 1024 < len(text) < 1024 * 1024
    ok = client.post("/dispatch/batch", data=text, content_type="application/json")
    assert ok.status_code == 202
    too_big = json.dumps({"jobs": [simulate(0)], "pad": " " * (1024 * 1024)})
    error = assert_error(
        client.post("/dispatch/batch", data=too_big, content_type="application/json"),
        413,
        "payload_too_large",
    )
    assert error == {
        "code": "payload_too_large",
        "message": "The request body is over 1 MiB.",
        "details": {"limit": 1024 * 1024},
    }


def test_batch_malformed_and_non_json_bodies(client: Client) -> None:
    assert_error(
        client.post("/dispatch/batch", data="{", content_type="application/json"),
        400,
        "malformed_json",
    )
    assert_error(
        client.post("/dispatch/batch", data="jobs=1", content_type="text/plain"),
        415,
        "unsupported_media_type",
    )


def test_batch_pushes_nothing_when_the_callers_transaction_rolls_back(r: redis.Redis) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        jobs = services.jobs_dispatch(specs=[("simulate", {"seconds": 1})] * 3)
        assert Job.objects.count() == 3  # visible inside the transaction
        assert broker.queue_length(client=r) == 0  # nothing pushed before commit
        raise Abort
    assert len(jobs) == 3
    assert Job.objects.count() == 0
    assert broker.queue_length(client=r) == 0
    assert r.zcard(broker.keys().pending) == 0


def test_batch_pushes_once_after_the_callers_commit(r: redis.Redis) -> None:
    with transaction.atomic():
        first = services.jobs_dispatch(specs=[("simulate", {"seconds": 1})] * 2)
        second = services.jobs_dispatch(specs=[("simulate", {"seconds": 2})])
        assert broker.queue_length(client=r) == 0
    assert [m["id"] for m in queued_messages(r)] == [str(j.id) for j in first + second]


def test_batch_whose_push_failed_is_recovered(
    client: Client, settings: Any, r: redis.Redis
) -> None:
    good_url = settings.REDIS_URL
    settings.REDIS_URL = BAD_REDIS
    broker.redis_client.cache_clear()
    response = post_batch(client, [simulate(i) for i in range(5)])
    # the rows are committed; the push failed and is owed
    assert response.status_code == 202
    ids = [item["id"] for item in response.json()["items"]]
    assert broker.queue_length(client=r) == 0
    assert Job.objects.filter(id__in=ids, status="queued").count() == 5

    settings.REDIS_URL = good_url
    broker.redis_client.cache_clear()
    lost = services.jobs_repush_lost(grace_seconds=0, client=broker.redis_client())
    assert sorted(str(j.id) for j in lost) == sorted(ids)
    assert sorted(m["id"] for m in queued_messages(r)) == sorted(ids)
    assert r.zcard(broker.keys().pending) == 5
    # and only once
    assert services.jobs_repush_lost(grace_seconds=0, client=broker.redis_client()) == []


# ------------------------------------------------------------------ lockfile


def upload(client: Client, name: str, data: bytes, **fields: Any) -> Any:
    return client.post("/analyze/lockfile", {"file": SimpleUploadedFile(name, data), **fields})


def test_lockfile_makes_one_analyze_job_per_pinned_version(client: Client, r: redis.Redis) -> None:
    data = (FIXTURES / "requirements.txt").read_bytes()
    response = upload(client, "requirements.txt", data)

    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"format", "items", "skipped"}
    assert body["format"] == "requirements.txt"
    expected = lockfiles.lockfile_parse(filename="requirements.txt", data=data)
    # the params single dispatch stores for `analyze` (the registry's model, dumped)
    assert [i["params"] for i in body["items"]] == [
        {"purl": purl, "upload": None, "force": False, "baseline": None}
        for purl in (
            "pkg:pypi/requests@2.32.3",
            "pkg:pypi/django@5.2.1",
            "pkg:pypi/typing-extensions@4.12.2",
            "pkg:pypi/pyyaml@6.0.2",
        )
    ]
    assert {i["task"] for i in body["items"]} == {"analyze"}
    assert {i["status"] for i in body["items"]} == {"queued"}
    assert body["skipped"] == [s.as_dict() for s in expected.skipped]
    assert len(body["skipped"]) == 17
    # one push of all four, in order
    assert [m["id"] for m in queued_messages(r)] == [i["id"] for i in body["items"]]
    assert [m["task"] for m in queued_messages(r)] == ["analyze"] * 4


@pytest.mark.parametrize(
    ("fixture", "name", "count"),
    [
        ("poetry.lock", "poetry.lock", 3),
        ("uv.lock", "uv.lock", 3),
        ("package-lock-v1.json", "package-lock.json", 6),
        ("package-lock-v2.json", "package-lock.json", 4),
        ("package-lock.json", "package-lock.json", 5),
        ("pnpm-lock-v5.yaml", "pnpm-lock.yaml", 3),
        ("pnpm-lock-v6.yaml", "pnpm-lock.yaml", 3),
        ("pnpm-lock.yaml", "pnpm-lock.yaml", 3),
    ],
)
def test_lockfile_every_format(
    client: Client, r: redis.Redis, fixture: str, name: str, count: int
) -> None:
    data = (FIXTURES / fixture).read_bytes()
    body = upload(client, name, data).json()
    parsed = lockfiles.lockfile_parse(filename=name, data=data)
    assert body["format"] == parsed.format
    assert [i["params"]["purl"] for i in body["items"]] == [p.purl for p in parsed.packages]
    assert len(body["items"]) == count
    assert body["skipped"] == [s.as_dict() for s in parsed.skipped]
    assert broker.queue_length(client=r) == count


def test_lockfile_force_is_passed_to_every_job(client: Client, settings: Any) -> None:
    settings.DISPATCH_API_KEYS = [KEY]
    form = {"file": SimpleUploadedFile("requirements.txt", b"a==1\nb==2\n"), "force": "true"}
    body = client.post("/analyze/lockfile", form, HTTP_X_API_KEY=KEY).json()
    assert [i["params"] for i in body["items"]] == [
        {"purl": "pkg:pypi/a@1", "upload": None, "force": True, "baseline": None},
        {"purl": "pkg:pypi/b@2", "upload": None, "force": True, "baseline": None},
    ]


def test_lockfile_without_pinned_versions_is_422_with_the_skips(
    client: Client, r: redis.Redis
) -> None:
    error = assert_error(
        upload(client, "requirements.txt", b"flask>=2\n-e .\n"), 422, "no_pinned_packages"
    )
    assert error["message"] == (
        "The requirements.txt names no pinned package version, so no job was made "
        "(2 line(s) skipped; see details)."
    )
    assert error["details"] == {
        "format": "requirements.txt",
        "skipped": [
            {"line": "flask>=2", "reason": lockfiles.UNPINNED},
            {"line": "-e .", "reason": lockfiles.EDITABLE},
        ],
    }
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("package-lock.json", b"{oops", "The package-lock.json is not valid JSON"),
        ("notes.md", b"# hello\n", "Cannot tell what kind of file 'notes.md' is"),
        ("requirements.txt", b"\xff\xfe\xfd", "The file is not UTF-8 text"),
        ("archive.tgz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "not UTF-8"),
    ],
)
def test_bad_lockfiles_are_422_in_plain_words(
    client: Client, name: str, data: bytes, fragment: str
) -> None:
    error = assert_error(upload(client, name, data), 422, "invalid_lockfile")
    assert fragment in error["message"]
    assert Job.objects.count() == 0


def test_lockfile_missing_file_field_is_422(client: Client) -> None:
    error = assert_error(client.post("/analyze/lockfile", {"other": "x"}), 422, "validation_error")
    assert "file" in error["message"]


def test_lockfile_over_the_upload_limit_is_413(client: Client, settings: Any) -> None:
    settings.ANALYSIS_UPLOAD_MAX_BYTES = 1000
    # the file is over the limit, the request (file + multipart framing) is not
    error = assert_error(
        upload(client, "requirements.txt", b"a==1\n" * 300), 413, "payload_too_large"
    )
    assert error == {
        "code": "payload_too_large",
        "message": "The file 'requirements.txt' is over 1000 bytes.",
        "details": {"limit": 1000},
    }
    # the whole request is over: refused from Content-Length before anything is read
    error = assert_error(
        upload(client, "requirements.txt", b"a==1\n" * 20_000), 413, "payload_too_large"
    )
    assert error == {
        "code": "payload_too_large",
        "message": "The request body is over 66536 bytes.",
        "details": {"limit": 1000 + 64 * 1024},
    }
    assert Job.objects.count() == 0


def test_lockfile_with_more_packages_than_the_cap_is_422(
    client: Client, r: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from package_analysis.api import lockfile as route

    monkeypatch.setattr(route, "LOCKFILE_MAX_PACKAGES", 10)
    data = "".join(f"pkg{i}==1.0\n" for i in range(11)).encode()
    error = assert_error(upload(client, "requirements.txt", data), 422, "too_many_packages")
    assert error["message"] == (
        "The requirements.txt names 11 package versions; at most 10 are analysed per "
        "upload, and none was dispatched."
    )
    assert Job.objects.count() == 0
    assert broker.queue_length(client=r) == 0


def test_lockfile_of_more_than_a_batch_goes_in_one_dispatch(client: Client, r: redis.Redis) -> None:
    data = "".join(f"pkg{i}==1.0\n" for i in range(1500)).encode()
    body = upload(client, "requirements.txt", data).json()
    assert len(body["items"]) == 1500
    assert broker.queue_length(client=r) == 1500


def test_lockfile_over_the_parse_budget_is_413_and_the_api_lives_on(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lockfiles.isolated, "PARSE_MEMORY_BYTES", 64 * 2**20)
    entries = "".join(
        f"  pkg-{i}@1.0.{i}:\n    resolution: {{integrity: sha512-{'A' * 86}==}}\n"
        for i in range(20_000)
    )
    data = f"lockfileVersion: '9.0'\n\npackages:\n\n{entries}".encode()
    error = assert_error(upload(client, "pnpm-lock.yaml", data), 413, "lockfile_too_large")
    assert error["message"] == (
        "Reading the file needs over 64 MiB of memory; a lockfile that size or shape is "
        "not accepted."
    )
    assert Job.objects.count() == 0
    # the process that answered is unharmed
    assert upload(client, "requirements.txt", b"a==1\n").status_code == 202


def test_lockfile_lists_at_most_so_many_skipped_lines_and_counts_the_rest(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from package_analysis.api import lockfile as route

    monkeypatch.setattr(route, "SKIPPED_LISTED", 3)
    data = b"a==1\n" + b"".join(f"unpinned{i}\n".encode() for i in range(5))
    body = upload(client, "requirements.txt", data).json()
    assert body["skipped"] == [
        {"line": "unpinned0", "reason": lockfiles.UNPINNED},
        {"line": "unpinned1", "reason": lockfiles.UNPINNED},
        {"line": "unpinned2", "reason": lockfiles.UNPINNED},
        {"line": "…", "reason": "2 more skipped lines, not listed"},
    ]


def test_lockfile_package_the_analyze_task_refuses_is_skipped_with_its_reason(
    client: Client,
) -> None:
    body = upload(client, "requirements.txt", b"ok==1.0\nodd===a:b\n").json()
    assert [i["params"]["purl"] for i in body["items"]] == ["pkg:pypi/ok@1.0"]
    assert body["skipped"] == [
        {
            "line": "pkg:pypi/odd@a:b",
            "reason": "not analysable: Value error, Not a valid version in pkg:pypi/odd@a:b: 'a:b'",
        }
    ]


def test_batch_mixes_task_types_and_validates_each_with_its_own_params(
    client: Client, r: redis.Redis
) -> None:
    jobs = [
        simulate(1),
        {"task": "analyze", "params": {"purl": "pkg:npm/%40types/node@22.7.5"}},
        {"task": "analyze", "params": {"purl": "pkg:cargo/serde@1.0.0"}},
        {"task": "analyze", "params": {}},
    ]
    error = assert_error(post_batch(client, jobs), 422, "validation_error")
    assert error["message"].startswith("The jobs at indexes 2, 3 are invalid;")
    assert Job.objects.count() == 0

    response = post_batch(client, jobs[:2])
    assert response.status_code == 202
    assert [(i["task"], i["params"]) for i in response.json()["items"]] == [
        ("simulate", {"seconds": 1.0, "mode": "sleep"}),
        (
            "analyze",
            {
                "purl": "pkg:npm/%40types/node@22.7.5",
                "upload": None,
                "force": False,
                "baseline": None,
            },
        ),
    ]
    assert [m["task"] for m in queued_messages(r)] == ["simulate", "analyze"]


def test_batch_and_lockfile_need_a_dispatch_key_when_keys_are_set(
    client: Client, settings: Any
) -> None:
    settings.DISPATCH_API_KEYS = ["k" * 40]
    assert_error(post_batch(client, [simulate(0)]), 401, "unauthorized")
    assert_error(upload(client, "requirements.txt", b"a==1\n"), 401, "unauthorized")
    assert Job.objects.count() == 0
    assert post_batch(client, [simulate(0)], HTTP_X_API_KEY="k" * 40).status_code == 202
    assert (
        client.post(
            "/analyze/lockfile",
            {"file": SimpleUploadedFile("requirements.txt", b"a==1\n")},
            HTTP_AUTHORIZATION="Bearer " + "k" * 40,
        ).status_code
        == 202
    )


def test_batch_counts_every_job_in_the_dispatch_metric(client: Client) -> None:
    def dispatched(task: str) -> float:
        text = client.get("/metrics").content.decode()
        line = next(
            (
                ln
                for ln in text.splitlines()
                if ln.startswith("packamal_jobs_dispatched_total{") and f'task="{task}"' in ln
            ),
            None,
        )
        return float(line.rsplit(" ", 1)[1]) if line else 0.0

    before = dispatched("simulate")
    assert post_batch(client, [simulate(0)] * 7).status_code == 202
    assert dispatched("simulate") == before + 7
