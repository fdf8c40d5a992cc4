#!/usr/bin/env bash
# One image, several roles: `entrypoint.sh ROLE [args...]`. Configuration comes only from
# the environment. Each role execs its process so signals (SIGTERM) reach it directly.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python}"
role="${1:-}"
shift || true

die() { echo "entrypoint: $*" >&2; exit 64; }

need() {  # need VAR [hint]: stop with one clear line when a required variable is missing
  if [ -z "${!1:-}" ]; then
    echo "configuration error: environment variable $1 is required${2:+ ($2)}" >&2
    exit 78
  fi
}

need_database() {
  if [ -z "${DATABASE_URL:-}" ] && [ -z "${POSTGRES_HOST:-}" ]; then
    need DATABASE_URL "or POSTGRES_HOST/PORT/DB/USER/PASSWORD"
  fi
}

need_app_config() {
  need_database
  need REDIS_URL
}

case "$role" in
  api)
    # FORWARDED_ALLOW_IPS: the proxies (the web role's nginx, a load balancer) whose
    # X-Forwarded-For/-Proto are believed; from anyone else they are ignored. The /ws/
    # relay only sends, so inbound frames stay tiny (WS_MAX_SIZE) and uncompressed.
    need_app_config
    if [ "${DJANGO_DEBUG:-0}" != "1" ]; then need DJANGO_SECRET_KEY "or DJANGO_DEBUG=1 for development"; fi
    export PACKAMAL_ROLE=api
    cd "$ROOT/backend"
    exec "$PYTHON" -m uvicorn packamal.asgi:application \
      --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" \
      --workers "${API_PROCESSES:-1}" --lifespan on \
      --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
      --no-access-log --timeout-graceful-shutdown 10 \
      --ws-max-size "${WS_MAX_SIZE:-4096}" --ws-max-queue 4 --ws-per-message-deflate false \
      --ws-ping-interval 20 --ws-ping-timeout 20 "$@"
    ;;
  worker)
    need_app_config
    export PACKAMAL_ROLE=worker
    exec "$PYTHON" "$ROOT/backend/manage.py" worker "$@"
    ;;
  worker-healthcheck)
    # Liveness: the worker touches its heartbeat file every loop turn, and its keeper thread every
    # second while a job runs (until the job outlives its own timeout: then it is hung).
    file="${WORKER_HEARTBEAT_FILE:-/tmp/packamal-worker.heartbeat}"
    max_age="${WORKER_HEARTBEAT_MAX_AGE:-60}"
    [ -f "$file" ] || { echo "no heartbeat file $file" >&2; exit 1; }
    age=$(( $(date +%s) - $(stat -c %Y "$file") ))
    [ "$age" -le "$max_age" ] || { echo "heartbeat is ${age}s old (max ${max_age}s)" >&2; exit 1; }
    exit 0
    ;;
  migrate)
    need_database
    export PACKAMAL_ROLE=migrate
    cd "$ROOT/backend"
    exec "$PYTHON" manage.py migrate --noinput "$@"
    ;;
  web)
    [ -x "$ROOT/docker/web.sh" ] || die "the web role needs docker/web.sh"
    exec "$ROOT/docker/web.sh" "$@"
    ;;
  scan)
    # No database, Redis or Django settings: `packamal scan`, for CI and benchmarks. The image
    # runs the installed scanner wheel (packamal-scanner, built by the Dockerfile like
    # `make dist`); a checkout without it runs backend/ in place.
    export PACKAMAL_ROLE=scan
    if ! "$PYTHON" -c 'import importlib.metadata as m; m.distribution("packamal-scanner")' \
        2>/dev/null; then
      export PYTHONPATH="$ROOT/backend${PYTHONPATH:+:$PYTHONPATH}"
    fi
    exec "$PYTHON" -m package_analysis.analysis.scan "$@"
    ;;
  manage)
    cd "$ROOT/backend"
    exec "$PYTHON" manage.py "$@"
    ;;
  ""|-h|--help|help)
    echo "usage: entrypoint.sh {web|api|worker|migrate|worker-healthcheck|scan ARGS|manage ARGS}" >&2
    exit 64
    ;;
  *)
    die "unknown role '$role' (expected web, api, worker, migrate, worker-healthcheck, scan or manage)"
    ;;
esac
