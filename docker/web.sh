#!/usr/bin/env bash
# The web role: nginx in the foreground serving the built dashboard, proxying /api/ and
# /ws/ to the api. Renders docker/nginx/nginx.conf.template from the environment into a
# writable run directory, so it works as any user on a read-only root filesystem.
#
#   WEB_PORT      listen port (default 80)
#   WEB_ROOT      the built app (default: frontend/dist in this repo)
#   API_UPSTREAM  the api's base URL (default http://packamal-api:8000)
#   NGINX_RUN_DIR pid, temp files and rendered config (default /tmp/nginx-$WEB_PORT)
#   NGINX_WORKER_PROCESSES (default 1), and the limits below
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
# Capacity and per-client limits (docs/security.md). Measured: bench/ws_capacity.py.
NGINX_WORKER_CONNECTIONS="${NGINX_WORKER_CONNECTIONS:-8192}"
WEB_CONN_PER_CLIENT="${WEB_CONN_PER_CLIENT:-64}"   # requests in flight per client address
WEB_WS_PER_CLIENT="${WEB_WS_PER_CLIENT:-8}"        # open WebSockets per client address
WEB_UPLOADS_PER_CLIENT="${WEB_UPLOADS_PER_CLIENT:-2}"  # upload bodies in flight per address
WEB_UPLOADS_TOTAL="${WEB_UPLOADS_TOTAL:-8}"        # upload bodies in flight in this nginx
WEB_API_RATE="${WEB_API_RATE:-50r/s}"              # /api/ and /ws/ request rate per address
WEB_API_BURST="${WEB_API_BURST:-100}"
WEB_REAL_IP_FROM="${WEB_REAL_IP_FROM:-}"           # proxies in front of nginx (CIDRs, commas)
WEB_EXPOSE_ADMIN="${WEB_EXPOSE_ADMIN:-0}"          # 1: proxy /api/admin/ (default: 404)
ANALYSIS_UPLOAD_MAX_BYTES="${ANALYSIS_UPLOAD_MAX_BYTES:-52428800}"

[[ "$WEB_PORT" =~ ^[0-9]+$ ]] || die "WEB_PORT must be a port number, got '$WEB_PORT'"
[[ "$NGINX_WORKER_PROCESSES" =~ ^([0-9]+|auto)$ ]] || die "NGINX_WORKER_PROCESSES must be a number or auto"
[[ "$ANALYSIS_UPLOAD_MAX_BYTES" =~ ^[0-9]+$ ]] || die "ANALYSIS_UPLOAD_MAX_BYTES must be a number of bytes, got '$ANALYSIS_UPLOAD_MAX_BYTES'"
# Multipart framing and the other form fields ride on top of the file: 1 MiB of slack.
UPLOAD_BODY_MAX=$((ANALYSIS_UPLOAD_MAX_BYTES + 1048576))
command -v "$NGINX" >/dev/null || die "nginx is not installed (apt-get install -y nginx)"
case "$WEB_ROOT" in /*) ;; *) WEB_ROOT="$ROOT/$WEB_ROOT" ;; esac
[ -f "$WEB_ROOT/index.html" ] || die "WEB_ROOT=$WEB_ROOT has no index.html; build it with 'make frontend-build'"

for n in NGINX_WORKER_CONNECTIONS WEB_CONN_PER_CLIENT WEB_WS_PER_CLIENT WEB_API_BURST \
    WEB_UPLOADS_PER_CLIENT WEB_UPLOADS_TOTAL; do
  [[ "${!n}" =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive number, got '${!n}'"
done
[[ "$WEB_API_RATE" =~ ^[1-9][0-9]*r/[sm]$ ]] || die "WEB_API_RATE must look like 50r/s, got '$WEB_API_RATE'"
NGINX_WORKER_RLIMIT_NOFILE=$(( NGINX_WORKER_CONNECTIONS * 2 ))

# A trusted proxy in front (a load balancer) names the client in X-Forwarded-For and the
# scheme in X-Forwarded-Proto; without one both come from the TCP connection itself.
NGINX_REAL_IP_CONFIG=""
NGINX_FORWARDED_HTTPS='$scheme'
if [ -n "$WEB_REAL_IP_FROM" ]; then
  IFS=', ' read -r -a cidrs <<<"$WEB_REAL_IP_FROM"
  for cidr in "${cidrs[@]}"; do
    [ -n "$cidr" ] || continue
    [[ "$cidr" =~ ^[0-9A-Fa-f.:]+(/[0-9]+)?$ ]] || die "WEB_REAL_IP_FROM: '$cidr' is not an address or CIDR"
    NGINX_REAL_IP_CONFIG+="    set_real_ip_from $cidr;"$'\n'
  done
  NGINX_REAL_IP_CONFIG+="    real_ip_header X-Forwarded-For;"$'\n'"    real_ip_recursive on;"
  NGINX_FORWARDED_HTTPS=https
fi

# The Django admin is for port-forwards (kubectl port-forward svc/packamal-api 8000),
# not the public entry point, unless WEB_EXPOSE_ADMIN=1.
NGINX_ADMIN_LOCATION='        location ^~ /api/admin/ { return 404; }'
case "$WEB_EXPOSE_ADMIN" in
  1|true|yes) NGINX_ADMIN_LOCATION="" ;;
  0|false|no|"") ;;
  *) die "WEB_EXPOSE_ADMIN must be 0 or 1, got '$WEB_EXPOSE_ADMIN'" ;;
esac

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
      API_UPSTREAM_SCHEME API_UPSTREAM_HOSTPORT NGINX_WORKER_CONNECTIONS NGINX_WORKER_RLIMIT_NOFILE \
      NGINX_REAL_IP_CONFIG NGINX_FORWARDED_HTTPS NGINX_ADMIN_LOCATION WEB_CONN_PER_CLIENT \
      WEB_WS_PER_CLIENT WEB_API_RATE WEB_API_BURST UPLOAD_BODY_MAX WEB_UPLOADS_PER_CLIENT \
      WEB_UPLOADS_TOTAL; do
    text="${text//"\${$name}"/${!name}}"
  done
  printf '%s\n' "$text"
}

render "$ROOT/docker/nginx/nginx.conf.template" >"$NGINX_RUN_DIR/nginx.conf"
cp "$ROOT/docker/nginx/security-headers.conf" "$ROOT/docker/nginx/errors.conf" "$NGINX_RUN_DIR/"
render "$ROOT/docker/nginx/proxy-headers.conf" >"$NGINX_RUN_DIR/proxy-headers.conf"

# nginx re-opens /dev/stdout for its access log. That fails when stdout is a socket (as
# Node's child_process gives) or a pipe this user may not open (another uid made it):
# put a pipe of our own in between then.
if [ -S /proc/self/fd/1 ] || [ ! -w /proc/self/fd/1 ]; then exec > >(cat); fi

echo "web: serving $WEB_ROOT on :$WEB_PORT, /api/ and /ws/ -> $API_UPSTREAM_SCHEME://$API_UPSTREAM_HOSTPORT" >&2
exec "$NGINX" -p "$NGINX_RUN_DIR" -e stderr -c "$NGINX_RUN_DIR/nginx.conf" "$@"
