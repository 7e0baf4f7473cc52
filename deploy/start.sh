#!/usr/bin/env bash
# Starts one production process of the portal. The same commands run in docker compose
# (the image's entrypoint) and in `make prod-smoke`, so the two cannot drift.
#
#   deploy/start.sh web      gunicorn (WSGI): pages, API, admin       BIND (0.0.0.0:8000)
#   deploy/start.sh ws       uvicorn (ASGI): websockets under /ws/    BIND (0.0.0.0:8001)
#   deploy/start.sh worker   Celery worker                            CELERY_CONCURRENCY
#   deploy/start.sh beat     Celery beat (run exactly one)            CELERY_BEAT_SCHEDULE_FILE
#   deploy/start.sh migrate  apply migrations, then exit (run before a release's web)
#
# Settings come from the environment (portal/settings.py; docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."

role="${1:?usage: deploy/start.sh web|ws|worker|beat|migrate}"
shift
LOG_LEVEL="${LOG_LEVEL:-INFO}"

case "$role" in
  web)
    export BIND="${BIND:-0.0.0.0:8000}"
    # gunicorn runs behind the shipped nginx, which sets X-Real-IP to its peer's address:
    # allauth's log-in limits count per client (ALLAUTH_TRUSTED_CLIENT_IP_HEADER), not
    # per nginx. Set it empty only when nothing sets the header.
    export TRUSTED_CLIENT_IP_HEADER="${TRUSTED_CLIENT_IP_HEADER-X-Real-IP}"
    exec gunicorn portal.wsgi:application --config deploy/gunicorn.conf.py "$@"
    ;;
  ws)
    bind="${BIND:-0.0.0.0:8001}"
    # Sync views are 1.5-5x slower through an ASGI server (DESIGN.md), so this process
    # only carries websockets; nginx sends everything else to gunicorn.
    # No per-message deflate: chat frames are small JSON, and compressing each one once
    # per listener (a context per socket) costs more CPU than the fan-out itself
    # (bench/chat_fanout.py; docs/benchmarks.md).
    # --reset-contextvars: an HTTP request that reaches this server (a health check) must
    # not start with a copy of the previous one's context and database connection
    # (tests/e2e/test_live_server.py).
    exec uvicorn portal.asgi:application \
      --host "${bind%:*}" --port "${bind##*:}" \
      --workers "${WS_WORKERS:-1}" \
      --lifespan off \
      --ws-per-message-deflate false \
      --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
      --timeout-graceful-shutdown 10 \
      --no-server-header \
      --reset-contextvars \
      --log-level "${LOG_LEVEL,,}" "$@"
    ;;
  worker)
    exec celery -A portal worker --loglevel "$LOG_LEVEL" \
      --concurrency "${CELERY_CONCURRENCY:-2}" "$@"
    ;;
  beat)
    exec celery -A portal beat --loglevel "$LOG_LEVEL" \
      --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" "$@"
    ;;
  migrate)
    exec python manage.py migrate --noinput "$@"
    ;;
  *)
    echo "deploy/start.sh: unknown role '$role' (web|ws|worker|beat|migrate)" >&2
    exit 2
    ;;
esac
