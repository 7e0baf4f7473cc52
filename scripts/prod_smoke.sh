#!/usr/bin/env bash
# `make prod-smoke`: the production processes, started as docker compose starts them
# (deploy/start.sh, deploy/nginx/portal.conf.template), against PostgreSQL and Redis,
# checked through nginx, then stopped.
#
#   gunicorn (pages) + uvicorn (/ws/) + Celery worker + Celery beat, nginx in front.
#
# Needs: PostgreSQL at DATABASE_URL (a database `portal_smoke` is created beside it and
# dropped afterwards), Redis at REDIS_URL (its database SMOKE_REDIS_DB, default 14, is
# flushed before and after), nginx on PATH, and the dev venv (make venv-dev).
# Exits non-zero naming each check that failed; logs of a failed run are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
export PATH="$REPO/.venv/bin:$PATH:/usr/sbin:/sbin"
started=$SECONDS

BASE_DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
BASE_REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
SMOKE_DB_NAME="${SMOKE_DB_NAME:-portal_smoke}"
SMOKE_REDIS_DB="${SMOKE_REDIS_DB:-14}"
HEARTBEAT_WAIT="${SMOKE_HEARTBEAT_WAIT:-60}" # beat's first heartbeat is due 30 s after it starts

say() { printf '== prod-smoke [%3d s]: %s\n' "$((SECONDS - started))" "$*"; }
failure_message=""
die() {
  failure_message="$*"
  [[ -n "${WORK:-}" ]] || printf 'prod-smoke FAILED: %s\n' "$*" >&2
  exit 1
}

command -v nginx >/dev/null || die "nginx is not installed (apt-get install nginx)"
command -v envsubst >/dev/null || die "envsubst is not installed (apt-get install gettext-base)"
[[ -x .venv/bin/gunicorn && -x .venv/bin/uvicorn ]] || die "no venv with gunicorn and uvicorn (make venv-dev)"

WORK="$(mktemp -d /tmp/portal-smoke.XXXXXX)"
# nginx's workers run as an unprivileged user and read the static files from here.
chmod 755 "$WORK"

# --- derived URLs and ports ------------------------------------------------------------
read -r SMOKE_DATABASE_URL SMOKE_REDIS_URL NGINX_PORT WEB_PORT WS_PORT < <(
  python - "$BASE_DATABASE_URL" "$BASE_REDIS_URL" "$SMOKE_DB_NAME" "$SMOKE_REDIS_DB" <<'PY'
import socket
import sys
from urllib.parse import urlsplit

database_url, redis_url, db_name, redis_db = sys.argv[1:]
db = urlsplit(database_url)
if db.scheme not in {"postgres", "postgresql", "pgsql"}:
    sys.exit(f"DATABASE_URL must point at PostgreSQL, not {db.scheme!r}")
redis = urlsplit(redis_url)
sockets = [socket.socket() for _ in range(3)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
ports = [s.getsockname()[1] for s in sockets]
for s in sockets:
    s.close()
print(db._replace(path=f"/{db_name}").geturl(), redis._replace(path=f"/{redis_db}").geturl(), *ports)
PY
)
[[ -n "${WS_PORT:-}" ]] || die "could not work out the smoke database, Redis and ports"
BASE="http://127.0.0.1:$NGINX_PORT"

# --- teardown --------------------------------------------------------------------------
declare -A PIDS=()
failures=()

reset_services() {
  # $1 = create|drop: the smoke database (PostgreSQL) and the smoke Redis database.
  python - "$1" "$BASE_DATABASE_URL" "$SMOKE_DB_NAME" "$SMOKE_REDIS_URL" <<'PY'
import sys
from urllib.parse import unquote, urlsplit

import psycopg2
import redis

action, database_url, db_name, redis_url = sys.argv[1:]
url = urlsplit(database_url)
conn = psycopg2.connect(
    host=url.hostname,
    port=url.port or 5432,
    user=unquote(url.username or "postgres"),
    password=unquote(url.password or "") or None,
    dbname="postgres",
    connect_timeout=5,
)
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    if action == "create":
        cursor.execute(f'CREATE DATABASE "{db_name}"')
conn.close()
redis.Redis.from_url(redis_url, socket_connect_timeout=5).flushdb()
PY
}

stop_all() {
  local rc=$?
  local name pid
  say "stopping"
  for name in nginx ws web beat worker collectstatic; do
    pid="${PIDS[$name]:-}"
    [[ -n "$pid" ]] && kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 40); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.25
  done
  for name in "${!PIDS[@]}"; do
    pid="${PIDS[$name]}"
    if kill -0 -- "-$pid" 2>/dev/null; then
      echo "prod-smoke: $name did not stop within 10 s; killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done
  say "processes stopped"
  if [[ -z "${SMOKE_KEEP_DB:-}" ]]; then
    reset_services drop >/dev/null 2>&1 || echo "prod-smoke: could not drop $SMOKE_DB_NAME" >&2
  fi
  if ((rc != 0)); then
    for log in "$WORK"/*.log "$WORK"/nginx/error.log; do
      [[ -f "$log" ]] || continue
      echo "---- last lines of $log"
      tail -n 25 "$log"
    done
    echo "prod-smoke: logs kept in $WORK" >&2
    echo "prod-smoke FAILED: ${failure_message:-exit status $rc}" >&2
  else
    rm -rf "$WORK"
  fi
  say "finished in $((SECONDS - started)) s" >&2
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start() {
  # start NAME COMMAND...: in its own session, so the whole process tree stops together.
  local name="$1"
  shift
  setsid "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  PIDS[$name]=$!
}

# --- the production environment --------------------------------------------------------
export DATABASE_URL="$SMOKE_DATABASE_URL"
export REDIS_URL="$SMOKE_REDIS_URL"
SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export SECRET_KEY
export DEBUG=0
export ALLOWED_HOSTS="127.0.0.1,localhost"
export STATIC_MANIFEST=1
export STATIC_ROOT="$WORK/static"
export MEDIA_ROOT="$WORK/media"
export LOG_LEVEL=INFO
export WEB_CONCURRENCY=2
export CELERY_CONCURRENCY=2
export CELERY_BEAT_SCHEDULE_FILE="$WORK/celerybeat-schedule"
# Plain HTTP on loopback: no TLS redirect or secure-only cookies here (compose sets them).
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
mkdir -p "$MEDIA_ROOT"

say "database $SMOKE_DB_NAME, Redis db $SMOKE_REDIS_DB, nginx on port $NGINX_PORT"
reset_services create || die "could not create the database $SMOKE_DB_NAME or flush Redis db $SMOKE_REDIS_DB"

# Beat first: its first heartbeat is due 30 s after it starts, and it needs only Redis
# (what it sends waits in the queue until the worker is up after the migrations).
start beat deploy/start.sh beat
beat_started=$SECONDS

start collectstatic python manage.py collectstatic --noinput -v 0
deploy/start.sh migrate -v 0 >"$WORK/migrate.log" 2>&1 || die "migrate (see $WORK/migrate.log)"
wait "${PIDS[collectstatic]}" || die "collectstatic (see $WORK/collectstatic.log)"
unset 'PIDS[collectstatic]'

start worker deploy/start.sh worker
BIND="127.0.0.1:$WEB_PORT" start web deploy/start.sh web
BIND="127.0.0.1:$WS_PORT" start ws deploy/start.sh ws

wait_for_port() {
  local name="$1" port="$2"
  for _ in $(seq 1 120); do
    (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "${PIDS[$name]}" 2>/dev/null || die "$name exited at start (see $WORK/$name.log)"
    sleep 0.25
  done
  die "$name did not listen on port $port within 30 s (see $WORK/$name.log)"
}
wait_for_port web "$WEB_PORT"
wait_for_port ws "$WS_PORT"

# nginx: the shared server block, rendered as the nginx image renders its templates.
NGINX_LISTEN="127.0.0.1:$NGINX_PORT" \
  NGINX_WEB_UPSTREAM="127.0.0.1:$WEB_PORT" \
  NGINX_WS_UPSTREAM="127.0.0.1:$WS_PORT" \
  NGINX_STATIC_ROOT="$STATIC_ROOT" \
  NGINX_MEDIA_ROOT="$MEDIA_ROOT" \
  deploy/nginx/render-local.sh "$WORK/nginx" || die "could not render the nginx config"
nginx -t -q -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx-test.log" 2>&1 ||
  die "nginx -t rejected the generated config: $(cat "$WORK/nginx-test.log")"
start nginx nginx -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;'

# --- checks, all through nginx ------------------------------------------------------------
say "processes started; checking through $BASE"
set +e
python - "$BASE" "$((HEARTBEAT_WAIT - (SECONDS - beat_started)))" <<'PY'
"""Each check prints `ok <name>` or `FAIL <name>: <why>`; the exit code counts failures."""

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
base, heartbeat_wait = sys.argv[1], float(sys.argv[2])
failed = []


def report(name, error=None):
    if error is None:
        print(f"ok    {name}", flush=True)
    else:
        failed.append(name)
        print(f"FAIL  {name}: {error}", flush=True)


def get(path, timeout=10):
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_up(deadline):
    last = None
    while time.monotonic() < deadline:
        try:
            status, _, body = get("/healthz", timeout=3)
            if status == 200:
                return json.loads(body)
            last = f"HTTP {status}"
        except OSError as error:
            last = error
        time.sleep(0.3)
    raise RuntimeError(f"/healthz did not answer 200 within 30 s (last: {last})")


try:
    health = wait_until_up(time.monotonic() + 30)
except RuntimeError as error:
    report("startup", error)
    sys.exit(1)

checks = health["checks"]
bad = {name: check for name, check in checks.items() if check["status"] != "ok"}
report("healthz", f"not all ok: {bad}" if bad or set(checks) != {"database", "cache", "channel_layer", "broker"} else None)
if checks.get("database", {}).get("vendor") != "postgresql" or checks.get("broker", {}).get("mode") != "broker":
    report("healthz-services", f"not on PostgreSQL and a real broker: {checks}")

status, _, body = get("/")
report("home page", None if status == 200 else f"HTTP {status}")

static_paths = re.findall(r"""(/static/[^"'?#\s]+\.(?:css|js))""", body.decode("utf-8", "replace"))
if not static_paths:
    report("static file", "the home page links no /static/ CSS or JS")
else:
    path = static_paths[0]
    status, headers, _ = get(path)
    if status != 200:
        report("static file", f"{path}: HTTP {status}")
    elif "immutable" not in headers.get("Cache-Control", ""):
        report("static file", f"{path} was not served by nginx's /static/ location (headers {headers})")
    else:
        report("static file")

try:
    from websockets.sync.client import connect

    nonce = uuid.uuid4().hex
    # The consumer sits behind AllowedHostsOriginValidator, which refuses a missing Origin.
    with connect(base.replace("http://", "ws://") + "/ws/health/", origin=base, open_timeout=10) as ws:
        hello = json.loads(ws.recv(timeout=10))
        ws.send(json.dumps({"nonce": nonce}))
        echo = json.loads(ws.recv(timeout=10))
    if hello.get("type") != "hello" or echo != {"type": "echo", "payload": {"nonce": nonce}}:
        report("websocket", f"unexpected frames {hello} {echo}")
    else:
        report("websocket")
except Exception as error:  # noqa: BLE001
    report("websocket", f"{type(error).__name__}: {error}")

try:
    django.setup()
    from portal.tasks import ping

    nonce = uuid.uuid4().hex
    result = ping.delay(nonce).get(timeout=20)
    report("celery task", None if result == {"pong": nonce} else f"unexpected result {result}")
except Exception as error:  # noqa: BLE001
    report("celery task", f"{type(error).__name__}: {error}")

deadline = time.monotonic() + max(heartbeat_wait, 1)
heartbeat = None
while heartbeat is None and time.monotonic() < deadline:
    try:
        heartbeat = json.loads(get("/healthz")[2])["checks"]["broker"].get("last_heartbeat")
    except (OSError, ValueError, KeyError):
        heartbeat = None
    if heartbeat is None:
        time.sleep(1)
report("beat heartbeat", None if heartbeat else "beat's heartbeat task did not run (broker.last_heartbeat is null)")

sys.exit(len(failed))
PY
checks_rc=$?
set -e
say "checks done"
((checks_rc == 0)) || failures+=("$checks_rc check(s) above")

for name in "${!PIDS[@]}"; do
  kill -0 "${PIDS[$name]}" 2>/dev/null || failures+=("$name exited early")
done
# nginx started after its upstreams listened, so any [error] is a real one.
for log in "$WORK"/{web,ws,worker,beat}.log "$WORK"/nginx/error.log; do
  if grep -qE 'Traceback|\[(error|crit|alert|emerg)\]' "$log"; then
    failures+=("errors in $(basename "$log")")
  fi
done

if ((${#failures[@]})); then
  die "$(
    IFS=';'
    echo "${failures[*]}"
  )"
fi
say "all checks passed"
