"""`Idempotency-Key` for the routes that create jobs: a retry of a request whose answer was
lost (timeout, reset, the api killed mid-request) gets the original answer instead of new
jobs.

* Same key, same request (same `fingerprint`) within IDEMPOTENCY_TTL_HOURS: the original
  response body, with 200 instead of 202 and `Idempotent-Replayed: true`.
* Same key, different request: 422 `idempotency_key_reused`; nothing is created.
* The record is inserted in the same transaction as the jobs, before them: a concurrent
  request with the same key waits on the unique index until the first commits (then gets
  its answer) or rolls back (then creates). Errors are not remembered: a request that
  failed may be retried with the same key.

Keys are scoped per route and per caller (the API key's identity, or in open mode the client
address).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from .auth import client_address
from .errors import ApiError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as Stripe and the IETF draft
_TABLE = IdempotencyRecord._meta.db_table


def fingerprint(*parts: Any) -> str:
    """sha256 over the request's meaning: JSON-able parts canonicalised, bytes as they are."""
    h = hashlib.sha256()
    for part in parts:
        data = (
            part
            if isinstance(part, bytes)
            else json.dumps(part, sort_keys=True, separators=(",", ":")).encode()
        )
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def idempotent(
    request: HttpRequest, *, fingerprint: str, create: Callable[[], HttpResponse]
) -> HttpResponse:
    """Run `create` (which creates jobs and answers 202) at most once per Idempotency-Key."""
    key = request.headers.get(HEADER)
    if key is None:
        return create()
    if not _KEY.match(key):
        raise ApiError(
            400,
            "invalid_idempotency_key",
            f"{HEADER} must be 1 to 255 visible ASCII characters (a UUID is a good choice).",
        )
    auth = getattr(request, "auth", None)
    # Per caller: the API key's identity, else (open mode) the client address, so one client
    # cannot squat or replay another's guessable key (review L5).
    caller = auth if isinstance(auth, str) else f"open:{client_address(request)}"
    scope = f"{request.path_info}|{caller}"[:200]
    ttl = timedelta(hours=float(settings.IDEMPOTENCY_TTL_HOURS))
    with transaction.atomic():
        IdempotencyRecord.objects.filter(
            scope=scope, key=key, created_at__lt=timezone.now() - ttl
        ).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_TABLE} (scope, key, fingerprint, status, location, created_at) "  # noqa: S608 (the model's table)
                "VALUES (%s, %s, %s, 0, '', now()) ON CONFLICT (scope, key) DO NOTHING "
                "RETURNING id",
                [scope, key, fingerprint],
            )
            row = cursor.fetchone()
        if row is None:
            return _replay(IdempotencyRecord.objects.get(scope=scope, key=key), fingerprint)
        response = create()
        if response.status_code >= 400:
            transaction.set_rollback(True)  # an error is not an answer to keep
            return response
        IdempotencyRecord.objects.filter(id=row[0]).update(
            status=response.status_code,
            response=json.loads(response.content),
            location=response.get("Location", ""),
        )
    return response


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"This {HEADER} was used with a different request; use a new key for a new request.",
        )
    response = JsonResponse(record.response, status=200, safe=False)
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


def records_purge() -> int:
    """Delete records older than IDEMPOTENCY_TTL_HOURS (the worker's recovery sweep)."""
    cutoff = timezone.now() - timedelta(hours=float(settings.IDEMPOTENCY_TTL_HOURS))
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


OPENAPI = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "description": (
                "Makes a retry safe: the same key and request within 24 h answer 200 with the "
                "original response (`Idempotent-Replayed: true`) instead of creating jobs "
                "again; the same key with another request is 422 `idempotency_key_reused`."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                       "pattern": "^[\\x21-\\x7e]+$"},
        }
    ]
}  # fmt: skip
