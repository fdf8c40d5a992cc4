"""The Django admin page for jobs: list, filter by status, search by id."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from package_analysis.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    User.objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client = Client()
    assert client.login(username="admin", password="pw-for-tests-only")
    return client


def test_admin_lists_filters_and_searches_jobs(admin_client: Client) -> None:
    done = Job.objects.create(task="simulate", params={}, status="completed")
    waiting = Job.objects.create(task="simulate", params={}, status="queued")
    url = "/admin/package_analysis/job/"

    listing = admin_client.get(url)
    assert listing.status_code == 200
    assert str(done.id).encode() in listing.content and str(waiting.id).encode() in listing.content

    filtered = admin_client.get(url, {"status__exact": "completed"})
    assert str(done.id).encode() in filtered.content
    assert str(waiting.id).encode() not in filtered.content

    found = admin_client.get(url, {"q": str(waiting.id)})
    assert str(waiting.id).encode() in found.content
    assert str(done.id).encode() not in found.content

    assert admin_client.get(url, {"q": "not-a-uuid"}).status_code == 200
    assert admin_client.get(f"{url}{done.id}/change/").status_code == 200
