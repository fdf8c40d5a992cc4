"""Uploaded archives: streamed to disk as they arrive, stored outside PostgreSQL, kept for
ANALYSIS_UPLOAD_RETENTION_HOURS, and limited per client (docs/security.md "Uploads").

The store is a directory (ANALYSIS_UPLOAD_DIR; in Kubernetes a volume both the api and the
workers mount): `.spool/` holds bodies being received, `<upload id>` the accepted ones. The
`Upload` row keeps what the reports need (name, ecosystem, sha256, size, who sent it) after
the bytes are purged.

* The api parses the multipart body with `SpoolingUploadHandler`: the file part goes to the
  spool in 64 KiB chunks and is hashed on the way, so memory stays flat whatever the size.
* `upload_create` moves the spooled file into the store under its row's id.
* `uploads_purge` (the recovery sweep) deletes the bytes of uploads older than the retention
  whose analysis is not queued or running, files no row owns, and abandoned spool files.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import models
from django.utils import timezone

from .analysis.model import AnalysisError
from .errors import ApiError
from .models import Job, JobStatus, Upload

log = logging.getLogger("packamal.uploads")

SPOOL = ".spool"
QUOTA_WINDOW = timedelta(hours=1)
SPOOL_ABANDONED_SECONDS = 3600  # a body still "arriving" after an hour was abandoned


def store_dir() -> Path:
    return Path(settings.ANALYSIS_UPLOAD_DIR)


def _spool_dir() -> Path:
    path = store_dir() / SPOOL
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(upload_id: uuid.UUID | str) -> Path:
    return store_dir() / str(upload_id)


class SpooledUpload(UploadedFile):
    """The file part of a multipart body, on disk in the spool, with its sha256."""

    def __init__(self, path: Path, name: str, content_type: str, size: int, sha256: str):
        super().__init__(path.open("rb"), name, content_type, size, None)
        self.path = path
        self.sha256 = sha256

    def temporary_file_path(self) -> str:
        return str(self.path)

    def close(self) -> None:
        """Closing discards the spooled bytes unless `upload_create` took them."""
        try:
            super().close()
        finally:
            self.path.unlink(missing_ok=True)


class SpoolingUploadHandler(FileUploadHandler):
    """Django upload handler for POST /analyze/upload: every file part straight to the spool,
    hashed as it arrives; nothing but one chunk is ever held in memory."""

    chunk_size = 64 * 1024

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        fd, name = _mkstemp(_spool_dir())
        self._path = Path(name)
        self._out = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._out.write(raw_data)
        self._hash.update(raw_data)
        self._size += len(raw_data)
        return None  # consumed: no later handler sees it

    def file_complete(self, file_size: int) -> SpooledUpload:
        self._out.close()
        return SpooledUpload(
            self._path,
            self.file_name or "upload",
            self.content_type or "application/octet-stream",
            self._size,
            self._hash.hexdigest(),
        )

    def upload_interrupted(self) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            out.close()
            self._path.unlink(missing_ok=True)


def _mkstemp(folder: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix="body-", dir=folder)


def size_text(n: int) -> str:
    """1048576 → "1.0 MiB", 2048 → "2.0 KiB", 10 → "10 bytes"."""
    for unit, size in (("MiB", 2**20), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def upload_owner(request: Any) -> str:
    """Who sent a request, for quotas and for reading an upload's findings back: the API key's
    identity when it authenticated, else the client address."""
    from .auth import client_address

    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, str) else f"addr:{client_address(request)}"


def upload_readable(request: Any, job: Job) -> bool:
    """Whether this request may read the job's findings (review L4): always while reads are
    open (docs/security.md: the open-mode caveat); else an upload's only with the key that
    sent it, or from the address that sent it without a key."""
    upload_id = (job.params or {}).get("upload") if job.task == "analyze" else None
    if not settings.API_READ_KEYS or not upload_id:
        return True
    from .auth import client_address

    owner = Upload.objects.filter(id=upload_id).values_list("owner", flat=True).first()
    auth = getattr(request, "auth", None)
    return owner is not None and owner in (auth, f"addr:{client_address(request)}")


def upload_admit(*, owner: str, size: int) -> None:
    """429 when this client's uploads in the last hour would pass ANALYSIS_UPLOAD_QUOTA_BYTES;
    503 when the store would pass ANALYSIS_UPLOAD_STORE_MAX_BYTES."""
    now = timezone.now()
    quota = int(settings.ANALYSIS_UPLOAD_QUOTA_BYTES)
    recent = Upload.objects.filter(owner=owner, created_at__gte=now - QUOTA_WINDOW)
    used = recent.aggregate(n=models.Sum("size"))["n"] or 0
    if used + size > quota:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
        wait = max(1, int(((oldest or now) + QUOTA_WINDOW - now).total_seconds()) + 1)
        raise ApiError(
            429,
            "upload_quota_exceeded",
            f"This client uploaded {size_text(used)} in the last hour; another "
            f"{size_text(size)} would pass the quota of {size_text(quota)} an hour. "
            f"Retry in {wait} s.",
            {"retry_after": wait, "quota": quota, "used": used},
            {"Retry-After": str(wait)},
        )
    stored = Upload.objects.filter(purged_at__isnull=True).aggregate(n=models.Sum("size"))["n"]
    cap = int(settings.ANALYSIS_UPLOAD_STORE_MAX_BYTES)
    if (stored or 0) + size > cap:
        raise ApiError(
            503,
            "upload_store_full",
            "The upload store is full; uploads are deleted after "
            f"{settings.ANALYSIS_UPLOAD_RETENTION_HOURS:g} h, retry later.",
            {"retry_after": 60},
            {"Retry-After": "60"},
        )


def upload_create(*, file: SpooledUpload, ecosystem: str, owner: str) -> Upload:
    """Keep a spooled file: its row, then the file moved into the store under the row's id
    (the same filesystem: a rename). Call inside the transaction that creates its job."""
    upload = Upload.objects.create(
        filename=(file.name or "upload")[:255],
        ecosystem=ecosystem,
        sha256=file.sha256,
        size=file.size or 0,
        owner=owner[:200],
    )
    os.replace(file.path, upload_path(upload.id))
    return upload


def upload_get(*, upload_id: uuid.UUID) -> tuple[Upload, Path]:
    """An upload's row and the path of its bytes; AnalysisError once they are gone."""
    upload = Upload.objects.filter(id=upload_id).first()
    if upload is None:
        raise AnalysisError(f"The uploaded archive {upload_id} no longer exists")
    path = upload_path(upload.id)
    if upload.purged_at is not None or not path.is_file():
        raise AnalysisError(
            f"The uploaded archive {upload_id} was deleted (uploads are kept"
            f" {settings.ANALYSIS_UPLOAD_RETENTION_HOURS:g} h); upload it again"
        )
    return upload, path


def uploads_purge(*, limit: int = 500) -> int:
    """Delete the bytes of uploads past ANALYSIS_UPLOAD_RETENTION_HOURS whose analysis is not
    queued or running, store files no row owns, and abandoned spool files. The rows stay
    (the reports name them). Returns how many uploads' bytes were deleted."""
    folder = store_dir()
    if not folder.is_dir():
        return 0
    cutoff = timezone.now() - timedelta(hours=float(settings.ANALYSIS_UPLOAD_RETENTION_HOURS))
    busy = set(
        Job.objects.filter(
            task="analyze", status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
        ).values_list("params__upload", flat=True)
    )
    due = [
        u
        for u in Upload.objects.filter(purged_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .only("id")[:limit]
        if str(u.id) not in busy
    ]
    for upload in due:
        upload_path(upload.id).unlink(missing_ok=True)
    Upload.objects.filter(id__in=[u.id for u in due]).update(purged_at=timezone.now())
    _orphans_purge(folder, cutoff.timestamp())
    if due:
        log.info("uploads: deleted the bytes of %d upload(s) past the retention", len(due))
    return len(due)


def _orphans_purge(folder: Path, cutoff: float) -> None:
    """Files a crash left behind: spooled bodies never accepted, stored files with no row."""
    spool = folder / SPOOL
    if spool.is_dir():
        abandoned = time.time() - SPOOL_ABANDONED_SECONDS
        for path in spool.iterdir():
            _unlink_if_older(path, abandoned)
    names = {p.name for p in folder.iterdir() if p.is_file()}
    if not names:
        return
    ids = []
    for name in names:
        try:
            ids.append(uuid.UUID(name))
        except ValueError:
            continue  # not ours
    live = {
        str(i)
        for i in Upload.objects.filter(id__in=ids, purged_at__isnull=True).values_list(
            "id", flat=True
        )
    }
    for name in names:
        if name not in live and _is_uuid(name):
            _unlink_if_older(folder / name, cutoff)


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True


def _unlink_if_older(path: Path, cutoff: float) -> None:
    try:
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink()
    except OSError as exc:
        log.warning("uploads: cannot delete %s: %s", path.name, exc)
