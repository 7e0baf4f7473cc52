"""gunicorn settings for the portal's pages (deploy/start.sh web).

Environment: BIND (host:port), WEB_CONCURRENCY (worker processes), GUNICORN_THREADS,
GUNICORN_TIMEOUT, GUNICORN_WORKER_TMP_DIR, GUNICORN_ACCESS_LOG. Logs go to stdout/stderr
for the process manager to collect.
"""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Sync workers: the views are synchronous and talk to PostgreSQL; scale with processes.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound, but rarely: a
# worker that restarts every few seconds spends its time importing the portal (with
# 2,000, the paper-page bench lost a fifth of its throughput and its p99 at 200 req/s
# reached 200 ms; bench/read_path.py serves with this file).
max_requests = 100_000
max_requests_jitter = 10_000
# nginx is the only client; Django trusts X-Forwarded-Proto via SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# Worker heartbeat files belong on a tmpfs (the image sets /dev/shm: its /tmp is overlayfs).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
# gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, shared by every
# gunicorn of the user; nothing here uses it.
control_socket_disable = True
# nginx logs every request, with gunicorn's time and the cache status (deploy/nginx/nginx.conf).
# A second line per request here cost gunicorn 0.15 ms of CPU a request, a tenth of
# /me/state.json's throughput (docs/benchmarks.md, 2026-12-07). GUNICORN_ACCESS_LOG=- logs
# them here too (to stdout), for gunicorn served without nginx.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
