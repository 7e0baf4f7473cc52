#!/usr/bin/env bash
# `make test`: the whole suite on whatever DATABASE_URL / REDIS_URL say, and, when
# they point at services, the suite again on the embedded default so it stays true.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/ruff check .
$BIN/ruff format --check .

if [[ -n "${DATABASE_URL:-}" || -n "${REDIS_URL:-}" ]]; then
  echo "== tests against the services: DATABASE_URL=${DATABASE_URL:-<sqlite>} REDIS_URL=${REDIS_URL:-<none>}"
  $BIN/pytest "$@"
  echo "== tests on the embedded default (SQLite, in-memory layer)"
  env -u DATABASE_URL -u REDIS_URL REQUIRE_SERVICES=0 $BIN/pytest -m "not postgres and not redis and not e2e" "$@"
else
  $BIN/pytest "$@"
fi
