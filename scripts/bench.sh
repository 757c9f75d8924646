#!/usr/bin/env bash
# Load tests of a release build on this machine: intake (API and Open311), the workbench queue
# page, case detail, a transition-free read mix, full-text search, cockpit month/year, unit metrics.
# Usage: bash scripts/bench.sh [CASES] [sqlite|postgres]   (default 100000 sqlite)
# Prints wrk's figures and the server's peak memory; writes nothing into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-100000}"
BACKEND="${2:-sqlite}"
DUR="${BENCH_DURATION:-15s}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p onewindow
BIN=target/release/onewindow
WORK=$(mktemp -d /tmp/owbench.XXXX)
if [ "$BACKEND" = postgres ]; then
  NAME="owbench_$$"; psql -q postgres://postgres@127.0.0.1/postgres -c "CREATE DATABASE $NAME"
  DB="postgres://postgres@127.0.0.1/$NAME"
else
  DB="sqlite://$WORK/bench.db"
fi
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ "$BACKEND" = postgres ] && psql -q postgres://postgres@127.0.0.1/postgres -c "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export ONEWINDOW_LOG=warn
echo "== seed $CASES cases ($BACKEND)"
/usr/bin/time -f "seed: %e s, peak %M KB" $BIN seed --db "$DB" --cases "$CASES"
if [ "$BACKEND" = sqlite ]; then du -sh "$WORK"; else psql -Atq "$DB" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"; fi
KEY=$($BIN api-key create --db "$DB" --name bench 2>/dev/null | tail -1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
START=$(date +%s.%N)
$BIN serve --db "$DB" --bind 127.0.0.1:$PORT --no-jobs & SERVER=$!
until curl -sf http://127.0.0.1:$PORT/healthz >/dev/null; do sleep 0.05; done
echo "start-up to healthy: $(python3 -c "print(round($(date +%s.%N) - $START, 2))") s"
BASE=http://127.0.0.1:$PORT
login() { curl -s $BASE/api/v1/auth/login -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"Demo@2026\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])'; }
export TOKEN REGION=330188001001 API_KEY=$KEY
TOKEN=$(login dispatcher)
ID=$(curl -s "$BASE/api/v1/cases?page_size=1" -H "authorization: Bearer $TOKEN" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
run() { local name=$1 conns=$2; shift 2; echo "== $name, $conns connections"; wrk -t2 -c"$conns" -d"$DUR" --latency "$@" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx|Socket errors"; }
for c in 64 256; do
  TOKEN=$(login clerk) run "intake POST /api/v1/cases" $c -s scripts/bench/post_case.lua $BASE/api/v1/cases
  run "intake Open311 POST requests.json" $c -s scripts/bench/post_open311.lua $BASE/open311/v2/requests.json
  PATHS="/api/v1/cases?status=in_progress&page_size=20" run "queue page" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/cases/$ID" run "case detail" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/cases?q=%E5%99%AA%E5%A3%B0&page_size=20|/api/v1/cases?q=%E8%B7%AF%E7%81%AF&page_size=20" run "full-text search" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/stats/cockpit?from=2026-10-01&to=2026-10-31" run "cockpit month" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/stats/cockpit?from=2025-11-01&to=2026-10-31" run "cockpit year" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/metrics/units?period=2026-10" run "unit metrics month" $c -s scripts/bench/get.lua $BASE
done
echo "server peak memory: $(grep VmHWM /proc/$SERVER/status)"
