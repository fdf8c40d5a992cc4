"""Where the bytes of accepted uploads live (ANALYSIS_UPLOAD_STORAGE), behind one small
interface that `uploads.py` uses; docs/security.md "Uploads".

* `volume` (the default: compose, minikube, dev, tests): files named by upload id in
  ANALYSIS_UPLOAD_DIR, a folder the api and the workers both mount. The api renames the
  spooled body into it; a worker reads the file in place.
* `s3`: objects `<ANALYSIS_UPLOAD_S3_PREFIX><upload id>` in the bucket ANALYSIS_UPLOAD_S3_BUCKET
  of an S3-compatible store (DigitalOcean Spaces, AWS S3, MinIO), for clusters whose pods run
  on several nodes (a ReadWriteOnce volume mounts on one node only). The api uploads the
  spooled body from disk (multipart past 8 MiB, read part by part, never whole); a worker
  streams the object down to its scratch folder, refusing past ANALYSIS_MAX_ARTIFACT_BYTES.

Both answer the sweeps: `delete` for the uploads past the retention, `listing` (name and age)
for the files no row owns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

log = logging.getLogger("packamal.uploads")

MiB = 1024 * 1024
# Parts of a multipart upload (S3's minimum part is 5 MiB), each read from the spooled file as
# it is sent.
PART_BYTES = 8 * MiB
DOWNLOAD_CHUNK = 1 * MiB
_client_lock = threading.Lock()


class TooLarge(Exception):
    """The stored object is larger than the caller accepts (`size` bytes, or more)."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


class UploadStorage(Protocol):
    kind: str

    def put(self, name: str, path: Path) -> None:
        """Store the file at `path` (a spooled body) under `name`; the spool file is gone after."""

    def fetch(
        self, name: str, folder: Path, max_bytes: int
    ) -> contextlib.AbstractContextManager[Path | None]:
        """A local path holding the bytes (downloaded into `folder` when they are remote),
        None when there are none; TooLarge past `max_bytes`."""

    def delete(self, name: str) -> None:
        """Delete the bytes (nothing when they are already gone)."""

    def listing(self) -> Iterator[tuple[str, float]]:
        """Every stored name with its modification time (epoch seconds)."""


class VolumeStorage:
    kind = "volume"

    def __init__(self, folder: Path):
        self.folder = folder

    def put(self, name: str, path: Path) -> None:
        os.replace(path, self.folder / name)  # the spool is in the same folder: a rename

    @contextlib.contextmanager
    def fetch(self, name: str, folder: Path, max_bytes: int) -> Iterator[Path | None]:
        path = self.folder / name
        yield path if path.is_file() else None  # read in place; analyze_file checks the size

    def delete(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)

    def listing(self) -> Iterator[tuple[str, float]]:
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            with contextlib.suppress(OSError):  # deleted meanwhile
                if path.is_file():
                    yield path.name, path.stat().st_mtime


class S3Storage:
    kind = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def put(self, name: str, path: Path) -> None:
        from boto3.s3.transfer import TransferConfig

        # One part after the other in the request's own thread: a thread pool per upload
        # costs the api about 8 MiB more each (bench/results/uploads.md), for seconds saved.
        config = TransferConfig(
            multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, use_threads=False
        )
        self.client.upload_file(str(path), self.bucket, self.prefix + name, Config=config)
        path.unlink(missing_ok=True)

    @contextlib.contextmanager
    def fetch(self, name: str, folder: Path, max_bytes: int) -> Iterator[Path | None]:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404", "NotFound"):
                raise
            answer = None
        if answer is None:
            yield None
            return
        body = answer["Body"]
        path = folder / name
        try:
            size = int(answer.get("ContentLength") or 0)
            if size > max_bytes:
                raise TooLarge(size)
            written = 0
            with path.open("wb") as out:
                for chunk in body.iter_chunks(DOWNLOAD_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:  # the store said less than it sends
                        raise TooLarge(written)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        finally:
            body.close()
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def listing(self) -> Iterator[tuple[str, float]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                name = item["Key"][len(self.prefix) :]
                if name and "/" not in name:
                    yield name, item["LastModified"].timestamp()


def storage() -> UploadStorage:
    """The store these settings name (settings may change in tests: clients are cached by
    their configuration)."""
    if settings.ANALYSIS_UPLOAD_STORAGE == "s3":
        with _client_lock:  # one client per process, not one per upload arriving at once
            client = _s3_client(
                settings.ANALYSIS_UPLOAD_S3_ENDPOINT_URL or None,
                settings.ANALYSIS_UPLOAD_S3_REGION,
                settings.ANALYSIS_UPLOAD_S3_ACCESS_KEY_ID or None,
                settings.ANALYSIS_UPLOAD_S3_SECRET_ACCESS_KEY or None,
            )
        return S3Storage(
            client, settings.ANALYSIS_UPLOAD_S3_BUCKET, settings.ANALYSIS_UPLOAD_S3_PREFIX
        )
    folder = Path(settings.ANALYSIS_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return VolumeStorage(folder)


@cache
def _s3_client(  # a boto3 client is thread-safe; its session (service models) is not small
    endpoint: str | None, region: str, key_id: str | None, secret: str | None
) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        region_name=region,
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        # Checksums only where the API requires them: the newer default (CRC32 trailers on
        # every PUT) is not understood by every S3-compatible store.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=config,
    )


def scratch_folder(base: str | None) -> contextlib.AbstractContextManager[str]:
    """A temporary folder for a downloaded upload, under ANALYSIS_SCRATCH_DIR when set."""
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="packamal-upload-", dir=base)
