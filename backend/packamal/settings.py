"""Settings for the Pack-A-Mal project.

Configuration comes only from environment variables, read once here. Production has no
default secret: a missing required variable stops the process with one clear line.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


class MissingSetting(SystemExit):
    """Raised when a required environment variable is missing; exits with one clear line."""


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    return (env(name) or ("1" if default else "0")).lower() in {"1", "true", "yes", "on"}


def env_bytes(name: str, default: int) -> int:
    """A positive byte count; anything else stops the process with one clear line."""
    raw = env(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        sys.stderr.write(f"configuration error: {name} must be a positive number of bytes\n")
        raise MissingSetting(78)
    return int(raw)


def require(name: str, hint: str = "") -> str:
    value = env(name)
    if value is None:
        sys.stderr.write(f"configuration error: environment variable {name} is required{hint}\n")
        raise MissingSetting(78)  # EX_CONFIG
    return value


DEBUG = env_bool("DJANGO_DEBUG")
# The entrypoint names the role. Only the api signs anything (sessions, admin logins), so
# only the api needs the real key; the worker and migrate get a throwaway one when unset.
ROLE = env("PACKAMAL_ROLE", "api") or "api"
if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-dev-only-key") or ""
elif ROLE in ("worker", "migrate"):
    SECRET_KEY = env("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
else:
    SECRET_KEY = require("DJANGO_SECRET_KEY", " (or set DJANGO_DEBUG=1 for development)")
ALLOWED_HOSTS = [
    h.strip()
    for h in (env("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1") or "").split(",")
    if h.strip()
]


# Threads serving HTTP in each api process; each may hold one pooled database connection.
API_THREADS = int(env("API_THREADS", "16") or 16)


def _database() -> dict[str, Any]:
    url = env("DATABASE_URL")
    if url is None:
        if env("POSTGRES_HOST") is None and not DEBUG:
            require("DATABASE_URL", " (or POSTGRES_HOST/PORT/DB/USER/PASSWORD)")
        url = "postgres://{user}:{password}@{host}:{port}/{db}".format(
            user=env("POSTGRES_USER", "postgres"),
            password=env("POSTGRES_PASSWORD", ""),
            host=env("POSTGRES_HOST", "127.0.0.1"),
            port=env("POSTGRES_PORT", "5432"),
            db=env("POSTGRES_DB", "packamal"),
        )
    db: dict[str, Any] = dict(dj_database_url.parse(url))
    # One persistent connection per thread (the api's HTTP threads; the worker's loop, keeper
    # and sweeper), tested before reuse in each request (one empty round trip). Measured
    # against psycopg's pool: about 5% fewer dispatches/s (wrk, concurrency 1-64), but after
    # a Postgres restart the pool's reconnect back-off kept answering 503 for 2-3 s, where
    # this reconnects on the next request (bench/chaos.py scenario 4: ready again in 0.1 s).
    db["CONN_MAX_AGE"] = float(env("DB_CONN_MAX_AGE", "300") or 300)
    db["CONN_HEALTH_CHECKS"] = True
    db["OPTIONS"] = {"connect_timeout": 3}
    return db


DATABASES = {"default": _database()}

REDIS_URL = env("REDIS_URL") or ("redis://localhost:6379/0" if DEBUG else require("REDIS_URL"))
JOB_QUEUE = env("JOB_QUEUE", "packamal:jobs") or "packamal:jobs"
JOB_DEAD_LETTER = env("JOB_DEAD_LETTER", "packamal:jobs:dead") or "packamal:jobs:dead"
JOB_UPDATES_CHANNEL = env("JOB_UPDATES_CHANNEL", "job_updates") or "job_updates"
JOB_LEASE_SECONDS = float(env("JOB_LEASE_SECONDS", "30") or 30)
JOB_MAX_ATTEMPTS = int(env("JOB_MAX_ATTEMPTS", "3") or 3)
JOB_DRAIN_SECONDS = float(env("JOB_DRAIN_SECONDS", "20") or 20)
JOB_RECOVERY_INTERVAL = float(env("JOB_RECOVERY_INTERVAL", "5") or 5)
JOB_REQUEUE_GRACE = float(env("JOB_REQUEUE_GRACE", "10") or 10)
DISPATCH_RATE_LIMIT = env("DISPATCH_RATE_LIMIT", "100/second") or "100/second"
DISPATCH_API_KEYS = [
    k.strip() for k in (env("DISPATCH_API_KEYS", "") or "").split(",") if k.strip()
]
MAX_BODY_BYTES = 64 * 1024
# POST /dispatch/batch: up to 1000 dispatch bodies.
MAX_BATCH_BODY_BYTES = 1024 * 1024
# POST /analyze/upload and /analyze/lockfile: the file (the multipart body may add 64 KiB).
ANALYSIS_UPLOAD_MAX_BYTES = env_bytes("ANALYSIS_UPLOAD_MAX_BYTES", 50 * 2**20)
LOG_FORMAT = env("LOG_FORMAT", "text") or "text"
LOG_LEVEL = env("LOG_LEVEL", "INFO") or "INFO"

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
NINJA_NUM_PROXIES = 1

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
    "loggers": {
        "django.request": {"level": "ERROR"},
        # uvicorn's own lines go through the same handler, so LOG_FORMAT=json covers them too
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"level": "WARNING"},
    },
}
