#!/usr/bin/env bash
# Times `make demo` from a clean clone to the first successful page (issue 2: < 2 min,
# with packages already downloaded once, i.e. in pip's cache). Prints a table.
#   bash bench/demo_startup.sh [PORT]
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${1:-8765}"
WORK="$(mktemp -d /tmp/demo-bench.XXXXXX)"
cleanup() {
  [[ -n "${DEMO_PID:-}" ]] && kill -- -"$DEMO_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
git clone -q "$REPO" "$WORK/portal"
cd "$WORK/portal"
start=$(date +%s.%N)
# make demo serves in the foreground; run it in its own process group to stop it later.
set -m
env -u DATABASE_URL -u REDIS_URL make demo PORT="$PORT" >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!
set +m
venv_done=""
for _ in $(seq 1 600); do
  [[ -z "$venv_done" && -f .venv/.runtime-installed ]] && venv_done=$(date +%s.%N)
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/"; then break; fi
  kill -0 "$DEMO_PID" 2>/dev/null || { cat "$WORK/demo.log"; echo "make demo died" >&2; exit 1; }
  sleep 0.2
done
end=$(date +%s.%N)
curl -fs "http://127.0.0.1:$PORT/papers/" -o /dev/null || { echo "no /papers/" >&2; exit 1; }
printf '| step | seconds |\n| --- | ---: |\n'
printf '| venv + pip install (from cache) | %.1f |\n' "$(echo "${venv_done:-$end} - $start" | bc)"
printf '| migrate + seed_demo + serve | %.1f |\n' "$(echo "$end - ${venv_done:-$end}" | bc)"
printf '| make demo, clean clone to first page | %.1f |\n' "$(echo "$end - $start" | bc)"
grep -E "organiser@|attendee@|author@" "$WORK/demo.log" | head -4 || true
