"""An S3 API server in its own process, for the tests and benchmarks of the object-store
upload backend (ANALYSIS_UPLOAD_STORAGE=s3): moto's standalone server (a dev dependency), on
a spare port of 127.0.0.1, objects in its memory, any key accepted."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType

import httpx

from .roles import wait_until
from .services import free_port

KEY_ID, SECRET = "packamal-test", "packamal-test-secret"


class S3Server:
    """`with S3Server() as s3:` → `s3.endpoint`, `s3.env(bucket)` (the api's and the workers'
    settings for that bucket), `s3.client()` (boto3), `s3.pid`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(prefix="packamal-s3-", suffix=".log")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.proc.pid
        try:
            wait_until(self._up, 30, "the S3 server")
        except BaseException:
            self.close()
            raise

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            log = Path(self._log.name).read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the S3 server exited with {self.proc.returncode}: {log}")
        try:
            return httpx.get(self.endpoint, timeout=1).status_code < 500
        except httpx.HTTPError:
            return False

    def env(self, bucket: str) -> dict[str, str]:
        return {
            "ANALYSIS_UPLOAD_STORAGE": "s3",
            "ANALYSIS_UPLOAD_S3_BUCKET": bucket,
            "ANALYSIS_UPLOAD_S3_ENDPOINT_URL": self.endpoint,
            "ANALYSIS_UPLOAD_S3_REGION": "us-east-1",
            "ANALYSIS_UPLOAD_S3_PREFIX": "uploads/",
            "ANALYSIS_UPLOAD_S3_ACCESS_KEY_ID": KEY_ID,
            "ANALYSIS_UPLOAD_S3_SECRET_ACCESS_KEY": SECRET,
        }

    def client(self) -> object:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
        )

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()

    def __enter__(self) -> S3Server:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
