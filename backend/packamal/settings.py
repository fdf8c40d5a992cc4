"""Settings for the Pack-A-Mal project.

Configuration comes only from environment variables, read once here. Production has no
default secret: a missing required variable stops the process with one clear line.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


class MissingSetting(SystemExit):
    """A required variable is missing or one does not parse: exits with one clear line."""


def env(name: str) -> str | None:
    """The variable's value, or None when unset or empty."""
    value = os.environ.get(name)
    return value if value not in (None, "") else None


def env_str(name: str, default: str) -> str:
    return env(name) or default


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else _parse(name, value, int)


def env_float(name: str, default: float) -> float:
    value = env(name)
    return float(default) if value is None else _parse(name, value, float)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list, blanks dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def _parse(name: str, value: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(value)
    except ValueError:
        sys.stderr.write(f"configuration error: {name}={value!r} is not a valid {kind.__name__}\n")
        raise MissingSetting(78) from None  # EX_CONFIG


def require(name: str, hint: str = "") -> str:
    value = env(name)
    if value is None:
        sys.stderr.write(f"configuration error: environment variable {name} is required{hint}\n")
        raise MissingSetting(78)  # EX_CONFIG
    return value


DEBUG = env_bool("DJANGO_DEBUG")
# The entrypoint names the role. Only the api signs anything (sessions, admin logins), so
# only the api needs the real key; the worker and migrate get a throwaway one when unset.
ROLE = env_str("PACKAMAL_ROLE", "api")
if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-dev-only-key")
elif ROLE in ("worker", "migrate"):
    SECRET_KEY = env("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
else:
    SECRET_KEY = require("DJANGO_SECRET_KEY", " (or set DJANGO_DEBUG=1 for development)")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")


# Threads serving HTTP in each api process; each may hold one pooled database connection.
API_THREADS = env_int("API_THREADS", 16)


def _database() -> dict[str, Any]:
    url = env("DATABASE_URL")
    if url is None:
        if env("POSTGRES_HOST") is None and not DEBUG:
            require("DATABASE_URL", " (or POSTGRES_HOST/PORT/DB/USER/PASSWORD)")
        url = "postgres://{user}:{password}@{host}:{port}/{db}".format(
            user=env_str("POSTGRES_USER", "postgres"),
            password=env_str("POSTGRES_PASSWORD", ""),
            host=env_str("POSTGRES_HOST", "127.0.0.1"),
            port=env_int("POSTGRES_PORT", 5432),
            db=env_str("POSTGRES_DB", "packamal"),
        )
    db: dict[str, Any] = dict(dj_database_url.parse(url))
    # One persistent connection per thread (the api's HTTP threads; the worker's loop, keeper
    # and sweeper), tested before reuse in each request (one empty round trip). Measured
    # against psycopg's pool: about 5% fewer dispatches/s (wrk, concurrency 1-64), but after
    # a Postgres restart the pool's reconnect back-off kept answering 503 for 2-3 s, where
    # this reconnects on the next request (bench/chaos.py scenario 4: ready again in 0.1 s).
    db["CONN_MAX_AGE"] = env_float("DB_CONN_MAX_AGE", 300)
    db["CONN_HEALTH_CHECKS"] = True
    db["OPTIONS"] = {"connect_timeout": 3}
    return db


DATABASES = {"default": _database()}

REDIS_URL = env("REDIS_URL") or ("redis://localhost:6379/0" if DEBUG else require("REDIS_URL"))
JOB_QUEUE = env_str("JOB_QUEUE", "packamal:jobs")
JOB_DEAD_LETTER = env_str("JOB_DEAD_LETTER", "packamal:jobs:dead")
JOB_UPDATES_CHANNEL = env_str("JOB_UPDATES_CHANNEL", "job_updates")
JOB_LEASE_SECONDS = env_float("JOB_LEASE_SECONDS", 30)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
JOB_DRAIN_SECONDS = env_float("JOB_DRAIN_SECONDS", 20)
JOB_RECOVERY_INTERVAL = env_float("JOB_RECOVERY_INTERVAL", 5)
# A task gets its own timeout plus this grace before the worker stops vouching for itself.
JOB_TIMEOUT_GRACE_SECONDS = env_float("JOB_TIMEOUT_GRACE_SECONDS", 30)
JOB_REQUEUE_GRACE = env_float("JOB_REQUEUE_GRACE", 10)
DISPATCH_RATE_LIMIT = env_str("DISPATCH_RATE_LIMIT", "100/second")
# Jobs a client may create through /dispatch/batch and /analyze/lockfile (each job counts).
DISPATCH_JOB_RATE_LIMIT = env_str("DISPATCH_JOB_RATE_LIMIT", "10000/hour")
# Live workers kept for single dispatches while batch and lockfile jobs wait (fair queues).
JOB_INTERACTIVE_RESERVE = env_int("JOB_INTERACTIVE_RESERVE", 1)
MAX_BODY_BYTES = 64 * 1024
# POST /dispatch/batch: up to 1000 dispatch bodies.
MAX_BATCH_BODY_BYTES = 1024 * 1024
# POST /analyze/upload and /analyze/lockfile: the file (the multipart body may add 64 KiB).
ANALYSIS_UPLOAD_MAX_BYTES = env_int("ANALYSIS_UPLOAD_MAX_BYTES", 50 * 2**20)
# Uploaded archives (uploads.py): where they are stored (the api and the workers must both see
# it: a volume they share, or an object store, below), how long their bytes are kept, how
# much one client may upload an hour, and how much the store holds at most.
ANALYSIS_UPLOAD_DIR = env_str(
    "ANALYSIS_UPLOAD_DIR", os.path.join(tempfile.gettempdir(), "packamal-uploads")
)
# Where the accepted bytes live (upload_storage.py): `volume`, ANALYSIS_UPLOAD_DIR itself (one
# node, or a volume every pod mounts); `s3`, a bucket of an S3-compatible object store (DO
# Spaces, AWS S3, MinIO), ANALYSIS_UPLOAD_DIR then holding only the api's spool of bodies being
# received. The keys come from a Secret; unset, boto3's own chain (an IAM role) answers.
ANALYSIS_UPLOAD_STORAGE = env_str("ANALYSIS_UPLOAD_STORAGE", "volume")
if ANALYSIS_UPLOAD_STORAGE not in ("volume", "s3"):
    sys.stderr.write(
        f"configuration error: ANALYSIS_UPLOAD_STORAGE={ANALYSIS_UPLOAD_STORAGE!r}"
        " is not volume or s3\n"
    )
    raise MissingSetting(78)
ANALYSIS_UPLOAD_S3_BUCKET = env_str("ANALYSIS_UPLOAD_S3_BUCKET", "")
if ANALYSIS_UPLOAD_STORAGE == "s3" and not ANALYSIS_UPLOAD_S3_BUCKET:
    sys.stderr.write(
        "configuration error: ANALYSIS_UPLOAD_STORAGE=s3 needs ANALYSIS_UPLOAD_S3_BUCKET\n"
    )
    raise MissingSetting(78)
ANALYSIS_UPLOAD_S3_ENDPOINT_URL = env_str("ANALYSIS_UPLOAD_S3_ENDPOINT_URL", "")
ANALYSIS_UPLOAD_S3_REGION = env_str("ANALYSIS_UPLOAD_S3_REGION", "us-east-1")
ANALYSIS_UPLOAD_S3_PREFIX = env_str("ANALYSIS_UPLOAD_S3_PREFIX", "uploads/")
ANALYSIS_UPLOAD_S3_ACCESS_KEY_ID = env_str("ANALYSIS_UPLOAD_S3_ACCESS_KEY_ID", "")
ANALYSIS_UPLOAD_S3_SECRET_ACCESS_KEY = env_str("ANALYSIS_UPLOAD_S3_SECRET_ACCESS_KEY", "")
ANALYSIS_UPLOAD_RETENTION_HOURS = env_float("ANALYSIS_UPLOAD_RETENTION_HOURS", 24)
ANALYSIS_UPLOAD_QUOTA_BYTES = env_int("ANALYSIS_UPLOAD_QUOTA_BYTES", 500 * 2**20)
ANALYSIS_UPLOAD_STORE_MAX_BYTES = env_int("ANALYSIS_UPLOAD_STORE_MAX_BYTES", 4 * 2**30)
# Upload and lockfile bodies received at once by one api process; past it 503 + Retry-After.
# Each spools to /tmp (Django) and to the store: size /tmp for this times
# ANALYSIS_UPLOAD_MAX_BYTES.
UPLOAD_CONCURRENCY = env_int("UPLOAD_CONCURRENCY", 2)

# A retry with the same Idempotency-Key gets the original answer for this long.
IDEMPOTENCY_TTL_HOURS = env_float("IDEMPOTENCY_TTL_HOURS", 24)

# ---- Security knobs (docs/security.md). Every default is the safe one.
API_KEY_MIN_LENGTH = 32


def _keys(name: str) -> list[str]:
    """A comma-separated key list; a key shorter than API_KEY_MIN_LENGTH stops the process."""
    found = env_list(name)
    short = [k for k in found if len(k) < API_KEY_MIN_LENGTH]
    if short:
        sys.stderr.write(
            f"configuration error: {name} has {len(short)} key(s) shorter than "
            f"{API_KEY_MIN_LENGTH} characters (make one: python -c "
            f"'import secrets; print(secrets.token_urlsafe(32))')\n"
        )
        raise MissingSetting(78)
    return found


# Keys that may dispatch; empty: dispatch is open (rate-limited per client address).
DISPATCH_API_KEYS = _keys("DISPATCH_API_KEYS")
# Keys that may read (GET /jobs, /jobs/{id}, /stats, /metrics, /ws/jobs); dispatch keys
# read too. Empty: reads are open, as the dashboard needs no key.
API_READ_KEYS = _keys("API_READ_KEYS")
# Failed API-key or admin logins per client before 429 (moving window, in Redis).
AUTH_FAILURE_RATE_LIMIT = env_str("AUTH_FAILURE_RATE_LIMIT", "10/minute")
# A request body must arrive within this many seconds (slow clients never hold a thread).
BODY_READ_TIMEOUT = env_float("BODY_READ_TIMEOUT", 10)
# WebSocket clients per api process; past it a new socket is closed with 1013 (try later).
WS_MAX_CLIENTS = env_int("WS_MAX_CLIENTS", 4000)
# Extra browser origins allowed on /ws/jobs, besides the page's own host and ALLOWED_HOSTS.
WS_ALLOWED_ORIGINS = [o.rstrip("/").lower() for o in env_list("WS_ALLOWED_ORIGINS")]
# Secure cookies (browsers accept them on http://localhost too, as for a port-forward);
# HSTS goes only on requests that arrived over HTTPS (X-Forwarded-Proto from a trusted proxy).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
# With WEB_EXPOSE_ADMIN=1, the public origin(s) the admin's forms are posted from.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# W008: HTTP → HTTPS redirects belong to whatever terminates TLS (the load balancer); probes
# and in-cluster callers reach the api over plain HTTP by design. W005/W021: HSTS for
# subdomains and the preload list commit the whole domain, which is its owner's decision.
SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W005", "security.W021"]
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "package_analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "package_analysis.middleware.ApiGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "packamal.urls"
APPEND_SLASH = False
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
ASGI_APPLICATION = "packamal.asgi.application"
# Per-route limits are enforced from Content-Length (middleware.body_limit); this is the
# ceiling for reading any non-file body into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BATCH_BODY_BYTES
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# The client address is uvicorn's: it honours X-Forwarded-For only from FORWARDED_ALLOW_IPS
# (docker/entrypoint.sh), taking the first untrusted hop from the right. Never re-read here.
NINJA_NUM_PROXIES = 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "filters": {"disallowed_host": {"()": "package_analysis.logfilters.DisallowedHostFilter"}},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # A bad Host header is the client's mistake: one WARNING line, at most one per 10 s.
        "django.security.DisallowedHost": {"filters": ["disallowed_host"]},
        # uvicorn's own lines go through the same handler, so LOG_FORMAT=json covers them too
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"level": "WARNING"},
    },
}
