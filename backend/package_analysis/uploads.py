"""Uploaded archives: streamed to disk as they arrive, stored outside PostgreSQL, kept for
ANALYSIS_UPLOAD_RETENTION_HOURS, and limited per client (docs/security.md "Uploads").

Bodies being received wait in the spool, ANALYSIS_UPLOAD_DIR/.spool on the api's disk; the
accepted ones go to the upload store under their row's id: the same folder (a volume both the
api and the workers mount) or a bucket of an S3-compatible object store, as
ANALYSIS_UPLOAD_STORAGE says (upload_storage.py). The `Upload` row keeps what the reports need
(name, ecosystem, sha256, size, who sent it) after the bytes are purged.

* The api parses the multipart body with `SpoolingUploadHandler`: the file part goes to the
  spool in 64 KiB chunks and is hashed on the way, so memory stays flat whatever the size.
* `upload_store_bytes` hands the spooled file to the store under a new id (a rename, or a
  multipart upload read from disk), before the transaction that creates its row
  (`upload_create`) and its job.
* `upload_fetch` gives a worker a local path to the bytes (in place, or streamed down to its
  scratch folder within ANALYSIS_MAX_ARTIFACT_BYTES).
* `uploads_purge` (the recovery sweep) deletes the bytes of uploads older than the retention
  whose analysis is not queued or running, stored files no row owns, and abandoned spool
  files; the api also clears its own abandoned spool files (with an object store, the spool
  is on the api's disk only).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import models
from django.utils import timezone

from .analysis.fetch import artifact_too_large
from .analysis.model import AnalysisError
from .errors import ApiError
from .models import Job, JobStatus, Upload
from .upload_storage import TooLarge, scratch_folder, storage

log = logging.getLogger("packamal.uploads")

SPOOL = ".spool"
QUOTA_WINDOW = timedelta(hours=1)
SPOOL_ABANDONED_SECONDS = 3600  # a body still "arriving" after an hour was abandoned
# The store's files no row owns are looked for at most this often (a bucket listing is paid
# for in requests; such files only come from a crash, and wait for the retention anyway).
ORPHANS_EVERY_SECONDS = 300
SPOOL_SWEEP_EVERY_SECONDS = 60  # an api process clears its abandoned spool files this often
_spool_swept = 0.0


def store_dir() -> Path:
    return Path(settings.ANALYSIS_UPLOAD_DIR)


def _spool_dir() -> Path:
    path = store_dir() / SPOOL
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        _spool_sweep_due()
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


def upload_store_bytes(file: SpooledUpload) -> uuid.UUID:
    """Hand a spooled file to the store under a new upload id (a rename on the volume, a
    multipart upload read from disk to an object store). Call before the transaction that
    creates its row (`upload_create`): a network upload holds no transaction open. Bytes whose
    row never comes are deleted by the caller, or else by the sweep of files no row owns."""
    upload_id = uuid.uuid4()
    try:
        storage().put(str(upload_id), file.path)
    except Exception as exc:  # the object store is unreachable or refuses
        log.warning("uploads: cannot store %s: %s", upload_id, exc)
        raise ApiError(
            503,
            "upload_store_unavailable",
            "The upload store cannot take the file now; retry later.",
            {"retry_after": 30},
            {"Retry-After": "30"},
        ) from None
    return upload_id


def upload_bytes_delete(upload_id: uuid.UUID) -> None:
    storage().delete(str(upload_id))


def upload_create(
    *, upload_id: uuid.UUID, file: SpooledUpload, ecosystem: str, owner: str
) -> Upload:
    """The row of stored bytes (`upload_store_bytes`). Call inside the transaction that
    creates its job."""
    return Upload.objects.create(
        id=upload_id,
        filename=(file.name or "upload")[:255],
        ecosystem=ecosystem,
        sha256=file.sha256,
        size=file.size or 0,
        owner=owner[:200],
    )


@contextmanager
def upload_fetch(
    *, upload_id: uuid.UUID, scratch_dir: str | None, max_bytes: int
) -> Iterator[tuple[Upload, Path]]:
    """An upload's row and a local path to its bytes while the block runs: the stored file
    itself on the volume, a copy streamed down from an object store into a folder under
    `scratch_dir` (ANALYSIS_SCRATCH_DIR; deleted after). AnalysisError once they are gone, or
    past `max_bytes`."""
    upload = Upload.objects.filter(id=upload_id).first()
    if upload is None:
        raise AnalysisError(f"The uploaded archive {upload_id} no longer exists")
    gone = AnalysisError(
        f"The uploaded archive {upload_id} was deleted (uploads are kept"
        f" {settings.ANALYSIS_UPLOAD_RETENTION_HOURS:g} h); upload it again"
    )
    if upload.purged_at is not None:
        raise gone
    fetched = False
    try:
        with (
            scratch_folder(scratch_dir) as scratch,
            storage().fetch(str(upload.id), Path(scratch), max_bytes) as path,
        ):
            if path is None:
                raise gone
            fetched = True
            yield upload, path
    except TooLarge as exc:
        raise artifact_too_large(upload.filename, exc.size, max_bytes) from None
    except AnalysisError:
        raise
    except Exception as exc:
        if fetched:  # the analysis's own error, raised in the caller's block
            raise
        # The store is unreachable or refuses: the operator's log says why; the job's error
        # names no endpoint.
        log.warning("uploads: cannot read %s from the store: %r", upload.id, exc)
        raise AnalysisError(
            f"The uploaded archive {upload_id} cannot be read from the upload store now;"
            " dispatch its analysis again later"
        ) from None


def uploads_purge(*, limit: int = 500, client: Any = None) -> int:
    """Delete the bytes of uploads past ANALYSIS_UPLOAD_RETENTION_HOURS whose analysis is not
    queued or running, store files no row owns, and abandoned spool files. The rows stay
    (the reports name them). Returns how many uploads' bytes were deleted. An object store
    is listed for files no row owns once per ORPHANS_EVERY_SECONDS across all workers (with a
    Redis `client`; without one, every time); the volume's folder at every sweep."""
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
    store = storage()
    deleted = []
    for upload in due:
        try:
            store.delete(str(upload.id))
        except Exception as exc:  # the store is unreachable: the next sweep tries again
            log.warning("uploads: cannot delete the bytes of %s: %s", upload.id, exc)
            break  # rather than wait for every other one to fail too
        deleted.append(upload.id)
    Upload.objects.filter(id__in=deleted).update(purged_at=timezone.now())
    _spool_sweep()
    if (
        store.kind != "s3"
        or client is None
        or client.set(orphans_sweep_key(), "1", nx=True, ex=ORPHANS_EVERY_SECONDS)
    ):
        try:
            _orphans_purge(cutoff.timestamp())
        except Exception as exc:
            log.warning("uploads: cannot list the upload store: %s", exc)
    if deleted:
        log.info("uploads: deleted the bytes of %d upload(s) past the retention", len(deleted))
    return len(deleted)


def orphans_sweep_key() -> str:
    """The Redis key that holds back the next listing of an object store's bucket."""
    return f"{settings.JOB_QUEUE}:uploads-orphans"


def _spool_sweep_due() -> None:
    """The api's own sweep of its spool (run as bodies arrive, at most once a minute): with an
    object store, no worker sees the api's disk."""
    global _spool_swept
    now = time.monotonic()
    if now - _spool_swept >= SPOOL_SWEEP_EVERY_SECONDS:
        _spool_swept = now
        _spool_sweep()


def _spool_sweep() -> None:
    """Spooled bodies a crash left behind, never accepted."""
    spool = store_dir() / SPOOL
    if spool.is_dir():
        abandoned = time.time() - SPOOL_ABANDONED_SECONDS
        for path in spool.iterdir():
            _unlink_if_older(path, abandoned)


def _orphans_purge(cutoff: float) -> None:
    """Stored files a crash left behind (bytes whose row never came): no live row owns them
    and they are older than the retention."""
    store = storage()
    found: dict[uuid.UUID, float] = {}
    for name, mtime in store.listing():
        try:
            found[uuid.UUID(name)] = mtime
        except ValueError:
            continue  # not ours
    if not found:
        return
    live = set(
        Upload.objects.filter(id__in=list(found), purged_at__isnull=True).values_list(
            "id", flat=True
        )
    )
    for upload_id, mtime in found.items():
        if upload_id not in live and mtime < cutoff:
            try:
                store.delete(str(upload_id))
            except Exception as exc:
                log.warning("uploads: cannot delete %s: %s", upload_id, exc)


def _unlink_if_older(path: Path, cutoff: float) -> None:
    try:
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink()
    except OSError as exc:
        log.warning("uploads: cannot delete %s: %s", path.name, exc)
