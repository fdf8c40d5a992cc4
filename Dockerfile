# syntax=docker/dockerfile:1
# One image, every role: `docker/entrypoint.sh ROLE` with ROLE in web, api, worker, migrate.
#   docker build -t packamal:dev .        (or `make image`)
#   docker run --rm --read-only --tmpfs /tmp -p 8000:8000 --env-file .env packamal:dev api
#
# Base images are pinned by tag. At release, pin by digest as well:
#   docker buildx imagetools inspect python:3.11.13-slim-bookworm   -> FROM ...@sha256:<digest>
#
# No HEALTHCHECK: each role answers a different check; docker-compose.yml and the
# Kubernetes probes hold them.
#checkov:skip=CKV_DOCKER_2:the health check is per role (compose healthchecks, k8s probes)

# --- frontend: the dashboard's static build (frontend/dist) ----------------------------
FROM node:20.19.5-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
# The machine's npm registry and CA bundle, when the build is given them (deploy/tools/image.py);
# build args, so they never become part of the image.
ARG NPM_CONFIG_REGISTRY
ARG NODE_EXTRA_CA_CERTS
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- python-deps: the locked runtime dependencies, no dev tools -----------------------
FROM python:3.11.13-slim-bookworm AS python-deps
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# The machine's package index and CA bundle, when the build is given them (image.py).
ARG PIP_INDEX_URL
ARG PIP_CERT
ARG SSL_CERT_FILE
RUN pip install --no-cache-dir uv==0.13.8
# The venv lives at /app/.venv, where it also lives in a checkout, so
# docker/entrypoint.sh finds it the same way in and out of the container.
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
# The scanner wheel, built from the same sources as `make dist` (backend/pyproject.toml) and
# installed without dependencies (the lock above has them): the scan role runs it.
COPY backend/pyproject.toml backend/pyproject.toml
COPY backend/package_analysis/analysis backend/package_analysis/analysis
COPY backend/package_analysis/lockfiles backend/package_analysis/lockfiles
COPY backend/package_analysis/sandbox.py backend/package_analysis/sandbox.py
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /tmp/dist ./backend \
    && uv pip install --no-deps --python /app/.venv/bin/python /tmp/dist/packamal_scanner-*.whl \
    && rm -rf /tmp/dist backend

# --- runtime: Python, nginx and the app; no compilers, no package caches --------------
FROM python:3.11.13-slim-bookworm AS runtime
# Debian's nginx serves the web role; its default site and logs are unused (docker/nginx).
# /scratch is where the worker unpacks (ANALYSIS_SCRATCH_DIR), /uploads where uploads are
# stored (ANALYSIS_UPLOAD_DIR): volumes in compose and on Kubernetes; the directories give a
# fresh volume its owner.
# Unpinned apt version (DL3008): bookworm's security updates retire old versions, so a
# pin breaks rebuilds; the pinned base tag fixes the Debian release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && groupadd --system --gid 10001 packamal \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin packamal \
    && install -d -o 10001 -g 10001 -m 0700 /scratch /uploads

ENV PATH=/app/.venv/bin:$PATH \
    VIRTUAL_ENV=/app/.venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_FORMAT=json \
    WEB_ROOT=/app/frontend/dist \
    HOME=/tmp

WORKDIR /app
COPY --from=python-deps /app/.venv /app/.venv
COPY backend/ backend/
COPY docker/ docker/
COPY --from=frontend /src/frontend/dist frontend/dist
# Admin static files are collected at build time (whitenoise serves them) because the
# root filesystem is read-only at run time.
RUN DJANGO_DEBUG=1 python backend/manage.py collectstatic --noinput \
    && chmod 0755 docker/*.sh

USER 10001:10001
EXPOSE 80 8000
# The entrypoint execs the role, so SIGTERM reaches nginx / uvicorn / the worker directly.
ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["api"]
