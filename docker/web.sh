#!/usr/bin/env bash
# The web role: nginx in the foreground serving the built dashboard, proxying /api/ and
# /ws/ to the api. Renders docker/nginx/nginx.conf.template from the environment into a
# writable run directory, so it works as any user on a read-only root filesystem.
#
#   WEB_PORT      listen port (default 80)
#   WEB_ROOT      the built app (default: frontend/dist in this repo)
#   API_UPSTREAM  the api's base URL (default http://packamal-api:8000)
#   NGINX_RUN_DIR pid, temp files and rendered config (default /tmp/nginx-$WEB_PORT)
#   NGINX_WORKER_PROCESSES (default 1)
#   ANALYSIS_UPLOAD_MAX_BYTES  the api's upload limit (default 50 MiB); the upload and
#                 lock-file routes let bodies this large (plus multipart framing) through,
#                 so the api itself answers 413 in its JSON shape
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "web: $*" >&2; exit 78; }

WEB_PORT="${WEB_PORT:-80}"
WEB_ROOT="${WEB_ROOT:-$ROOT/frontend/dist}"
API_UPSTREAM="${API_UPSTREAM:-http://packamal-api:8000}"
NGINX_RUN_DIR="${NGINX_RUN_DIR:-${TMPDIR:-/tmp}/nginx-$WEB_PORT}"
NGINX_WORKER_PROCESSES="${NGINX_WORKER_PROCESSES:-1}"
NGINX="${NGINX:-nginx}"
ANALYSIS_UPLOAD_MAX_BYTES="${ANALYSIS_UPLOAD_MAX_BYTES:-52428800}"

[[ "$WEB_PORT" =~ ^[0-9]+$ ]] || die "WEB_PORT must be a port number, got '$WEB_PORT'"
[[ "$NGINX_WORKER_PROCESSES" =~ ^([0-9]+|auto)$ ]] || die "NGINX_WORKER_PROCESSES must be a number or auto"
[[ "$ANALYSIS_UPLOAD_MAX_BYTES" =~ ^[0-9]+$ ]] || die "ANALYSIS_UPLOAD_MAX_BYTES must be a number of bytes, got '$ANALYSIS_UPLOAD_MAX_BYTES'"
# Multipart framing and the other form fields ride on top of the file: 1 MiB of slack.
UPLOAD_BODY_MAX=$((ANALYSIS_UPLOAD_MAX_BYTES + 1048576))
command -v "$NGINX" >/dev/null || die "nginx is not installed (apt-get install -y nginx)"
case "$WEB_ROOT" in /*) ;; *) WEB_ROOT="$ROOT/$WEB_ROOT" ;; esac
[ -f "$WEB_ROOT/index.html" ] || die "WEB_ROOT=$WEB_ROOT has no index.html; build it with 'make frontend-build'"

# API_UPSTREAM is scheme://host[:port][/]; nginx needs the host:port for its upstream block.
if [[ ! "$API_UPSTREAM" =~ ^(https?)://([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(:([0-9]+))?/?$ ]]; then
  die "API_UPSTREAM must look like http://host:port, got '$API_UPSTREAM'"
fi
API_UPSTREAM_SCHEME="${BASH_REMATCH[1]}"
api_port="${BASH_REMATCH[4]:-}"
[ -n "$api_port" ] || { [ "$API_UPSTREAM_SCHEME" = https ] && api_port=443 || api_port=80; }
API_UPSTREAM_HOSTPORT="${BASH_REMATCH[2]}:$api_port"

# As root, the master would hand workers to an unprivileged user; name one that exists
# (Debian's group is nogroup). As any other user no `user` directive is allowed.
NGINX_USER_DIRECTIVE=""
if [ "$(id -u)" = 0 ]; then
  NGINX_USER_DIRECTIVE="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
fi

mkdir -p "$NGINX_RUN_DIR"
for dir in client_body proxy fastcgi uwsgi scgi; do mkdir -p "$NGINX_RUN_DIR/$dir"; done
if [ "$(id -u)" = 0 ]; then chown nobody "$NGINX_RUN_DIR"/{client_body,proxy,fastcgi,uwsgi,scgi}; fi

render() {  # replace only our ${NAME} placeholders; nginx's own $variables stay as they are
  local text
  text="$(<"$1")"
  for name in NGINX_USER_DIRECTIVE NGINX_WORKER_PROCESSES NGINX_RUN_DIR WEB_PORT WEB_ROOT \
      API_UPSTREAM_SCHEME API_UPSTREAM_HOSTPORT UPLOAD_BODY_MAX; do
    text="${text//"\${$name}"/${!name}}"
  done
  printf '%s\n' "$text"
}

render "$ROOT/docker/nginx/nginx.conf.template" >"$NGINX_RUN_DIR/nginx.conf"
cp "$ROOT/docker/nginx/security-headers.conf" "$NGINX_RUN_DIR/security-headers.conf"

# nginx re-opens /dev/stdout for its access log. That fails when stdout is a socket (as
# Node's child_process gives) or a pipe this user may not open (another uid made it):
# put a pipe of our own in between then.
if [ -S /proc/self/fd/1 ] || [ ! -w /proc/self/fd/1 ]; then exec > >(cat); fi

echo "web: serving $WEB_ROOT on :$WEB_PORT, /api/ and /ws/ -> $API_UPSTREAM_SCHEME://$API_UPSTREAM_HOSTPORT" >&2
exec "$NGINX" -p "$NGINX_RUN_DIR" -e stderr -c "$NGINX_RUN_DIR/nginx.conf" "$@"
