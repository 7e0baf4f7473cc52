#!/usr/bin/env bash
# Renders the portal's nginx config into DIR for an nginx outside Docker (prod-smoke,
# the deploy tests): portal.conf.template through envsubst exactly as the nginx image
# does it, inside a minimal main config whose pid, logs and temp paths all lie in DIR.
#
#   NGINX_LISTEN=... NGINX_WEB_UPSTREAM=... NGINX_WS_UPSTREAM=... \
#   NGINX_STATIC_ROOT=... NGINX_MEDIA_ROOT=... deploy/nginx/render-local.sh DIR
#   nginx -c DIR/nginx.conf -e DIR/error.log -g 'daemon off;'
#
# NGINX_CACHE_DIR (the shared page cache) defaults to DIR/cache; NGINX_PAGE_RENDERS (page
# requests that may reach gunicorn at once) to 4, one less than gunicorn's 5 workers on
# two cores (deploy/gunicorn.conf.py).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:?usage: render-local.sh DIR}"
dir="$(mkdir -p "$dir" && cd "$dir" && pwd)"
export NGINX_CACHE_DIR="${NGINX_CACHE_DIR:-$dir/cache}"
export NGINX_PAGE_RENDERS="${NGINX_PAGE_RENDERS:-4}"
names='${NGINX_LISTEN} ${NGINX_WEB_UPSTREAM} ${NGINX_WS_UPSTREAM} ${NGINX_STATIC_ROOT} ${NGINX_MEDIA_ROOT} ${NGINX_CACHE_DIR} ${NGINX_PAGE_RENDERS}'
for name in $names; do
  name="${name#\$\{}"
  name="${name%\}}"
  [[ -n "${!name:-}" ]] || {
    echo "render-local.sh: $name is not set" >&2
    exit 2
  }
done

mkdir -p "$dir/conf.d" "$dir/tmp"
envsubst "$names" <"$here/portal.conf.template" >"$dir/conf.d/portal.conf"
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
# As deploy/nginx/nginx.conf (the image's): a proxied request holds two connections.
worker_rlimit_nofile 8192;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/conf.d/*.conf;
}
CONF
