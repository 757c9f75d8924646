#!/usr/bin/env bash
# Load tests of a release build on this machine, one backend per run:
#   the raw SQLite insert limit (same durability), a bulk seed of CASES synthetic cases over YEARS
#   years (time, peak memory, size on disk), start-up time, then for 64 and 256 connections:
#   intake (API and Open311), the workbench queue page, case detail, a transition (催办), full-text
#   search, the cockpit for a month and a year, the unit metrics of a month; and the server's peak
#   resident memory. Figures come out as wrk's reports and as `RESULT|…` lines (see
#   scripts/bench/report.lua), which the end of the run collects into one table.
#
#   bash scripts/bench.sh [CASES] [sqlite|postgres] [YEARS]     (default 1000000 sqlite 5)
#
# BENCH_DURATION (default 10s) is the length of each wrk run. BENCH_DB=URL benchmarks an existing
# database (seeded before, kept afterwards) instead of seeding a fresh one, which is then dropped.
# Nothing is written into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-1000000}"
BACKEND="${2:-sqlite}"
YEARS="${3:-5}"
DUR="${BENCH_DURATION:-10s}"
export BENCH_DIR="$PWD/scripts/bench" ONEWINDOW_LOG=warn
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# ONEWINDOW_BIN=path benchmarks that binary (an earlier build, say, on a database it seeded) instead
# of building this checkout.
if [ -n "${ONEWINDOW_BIN:-}" ]; then
  BIN="$ONEWINDOW_BIN"
else
  cargo build --release -q -p onewindow
  BIN=target/release/onewindow
fi
WORK=$(mktemp -d /tmp/owbench.XXXX)
RESULTS="$WORK/results.txt"
NAME=""
if [ -n "${BENCH_DB:-}" ]; then
  DB="$BENCH_DB"
elif [ "$BACKEND" = postgres ]; then
  NAME="owbench_$$"
  psql -q postgres://postgres@127.0.0.1/postgres -c "CREATE DATABASE $NAME"
  DB="postgres://postgres@127.0.0.1/$NAME"
else
  DB="sqlite://$WORK/bench.db"
fi
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "$NAME" ] && psql -q postgres://postgres@127.0.0.1/postgres -c "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); backend $BACKEND"
if [ "$BACKEND" = sqlite ]; then
  echo "== raw SQLite insert limit (WAL, synchronous=FULL)"
  cargo bench -q -p store --bench raw_sqlite 2>/dev/null | tee -a "$WORK/raw.txt"
else
  echo "== PostgreSQL durability: fsync=$(psql -Atq "$DB" -c 'SHOW fsync'), synchronous_commit=$(psql -Atq "$DB" -c 'SHOW synchronous_commit'), wal_sync_method=$(psql -Atq "$DB" -c 'SHOW wal_sync_method')"
fi

if [ -z "${BENCH_DB:-}" ]; then
  echo "== seed $CASES cases over $YEARS years ($BACKEND)"
  /usr/bin/time -f "seed: %e s wall, peak RSS %M KB" $BIN seed --db "$DB" --cases "$CASES" --years "$YEARS"
fi
if [ "$BACKEND" = sqlite ]; then
  F="${DB#sqlite://}"
  echo "== size on disk: $(du -ch "$F"* | tail -1 | cut -f1) ($F and its WAL)"
else
  echo "== size on disk: $(psql -Atq "$DB" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
  psql -Atq "$DB" -c "SELECT relname, pg_size_pretty(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 8"
fi
if [ "$BACKEND" = postgres ]; then
  echo "cases: $(psql -Atq "$DB" -c 'SELECT COUNT(*) FROM cases'), events: $(psql -Atq "$DB" -c 'SELECT COUNT(*) FROM events')"
else
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print("cases: %d, events: %d" % (c.execute("SELECT COUNT(*) FROM cases").fetchone()[0], c.execute("SELECT COUNT(*) FROM events").fetchone()[0]))' "${DB#sqlite://}"
fi

KEY=$($BIN api-key create --db "$DB" --name "bench-$$" 2>/dev/null | tail -1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
START=$(date +%s.%N)
$BIN serve --db "$DB" --bind 127.0.0.1:$PORT --no-jobs &
SERVER=$!
until curl -sf http://127.0.0.1:$PORT/healthz >/dev/null; do sleep 0.02; done
echo "start-up to healthy: $(python3 -c "print(round($(date +%s.%N) - $START, 2))") s; resident after start: $(grep VmRSS /proc/$SERVER/status | awk '{print $2 " " $3}')"
BASE=http://127.0.0.1:$PORT
login() { curl -s $BASE/api/v1/auth/login -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"Demo@2026\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])'; }
export TOKEN REGION=330188001001 API_KEY=$KEY THREADS=2
TOKEN=$(login dispatcher)
ID=$(curl -s "$BASE/api/v1/cases?page_size=1" -H "authorization: Bearer $TOKEN" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
# The month and the year before the current month.
read -r MFROM MTO YFROM YTO < <(python3 -c '
import datetime as d
t = d.date.today().replace(day=1); me = t - d.timedelta(days=1); ms = me.replace(day=1)
print(ms, me, t.replace(year=t.year - 1), me)')
PERIOD=${MFROM:0:7}
# One request at a time, first on the fresh server (cold: nothing cached, pages read from disk), then
# again (warm): what each costs alone, which the throughput runs' caches and queueing hide.
once() {
  local name=$1 path=$2 t1 t2
  t1=$(curl -s -o /dev/null -w '%{time_total}' "$BASE$path" -H "authorization: Bearer $TOKEN")
  t2=$(curl -s -o /dev/null -w '%{time_total}' "$BASE$path" -H "authorization: Bearer $TOKEN")
  echo "one request: $name: cold $(python3 -c "print(round($t1 * 1000))") ms, again $(python3 -c "print(round($t2 * 1000))") ms"
}
once "queue page (办理中, 20 rows)" "/api/v1/cases?status=in_progress&page_size=20"
once "case detail" "/api/v1/cases/$ID"
once "full-text search 「噪声」" "/api/v1/cases?q=%E5%99%AA%E5%A3%B0&page_size=20"
once "full-text search 「路灯不亮」" "/api/v1/cases?q=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE&page_size=20"
once "cockpit, a month" "/api/v1/stats/cockpit?from=$MFROM&to=$MTO"
once "cockpit, a year" "/api/v1/stats/cockpit?from=$YFROM&to=$YTO"
once "unit metrics, a month" "/api/v1/metrics/units?period=$PERIOD"
echo "resident after the single requests: $(grep VmRSS /proc/$SERVER/status | awk '{print $2 " " $3}')"
SUP=$(login supervisor)
# Open cases to urge: up to 12,000 (in_progress and dispatched), "id version" per line; fewer than a
# few thousand per wrk thread and 256 connections revisit a case before its last urge has answered (409).
export CASES_FILE="$WORK/open.txt"
for st in in_progress dispatched; do
  for page in $(seq 1 60); do
    curl -s "$BASE/api/v1/cases?status=$st&page_size=100&page=$page" -H "authorization: Bearer $SUP" |
      python3 -c 'import sys,json; [print(c["id"], c["version"]) for c in json.load(sys.stdin).get("items", [])]'
  done
done | sort -u >"$CASES_FILE"
echo "open cases to urge: $(wc -l <"$CASES_FILE")"


run() {
  local name=$1 conns=$2
  shift 2
  echo "== $name, $conns connections"
  BENCH_NAME="$name" BENCH_CONNS=$conns wrk -t2 -c"$conns" -d"$DUR" --latency "$@" | tee "$WORK/wrk.txt" |
    grep -E "Latency|50%|99%|Requests/sec|Non-2xx|Socket errors"
  grep '^RESULT|' "$WORK/wrk.txt" >>"$RESULTS"
}
for c in 64 256; do
  TOKEN=$(login clerk) run "intake POST /api/v1/cases" $c -s scripts/bench/post_case.lua $BASE/api/v1/cases
  run "intake Open311 POST requests.json" $c -s scripts/bench/post_open311.lua $BASE/open311/v2/requests.json
  PATHS="/api/v1/cases?status=in_progress&page_size=20" run "queue page (办理中, 20 rows)" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/cases/$ID" run "case detail" $c -s scripts/bench/get.lua $BASE
  TOKEN=$SUP run "transition (催办)" $c -s scripts/bench/urge.lua $BASE
  PATHS="/api/v1/cases?q=%E5%99%AA%E5%A3%B0&page_size=20|/api/v1/cases?q=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE&page_size=20" run "full-text search" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/stats/cockpit?from=$MFROM&to=$MTO" run "cockpit, a month" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/stats/cockpit?from=$YFROM&to=$YTO" run "cockpit, a year" $c -s scripts/bench/get.lua $BASE
  PATHS="/api/v1/metrics/units?period=$PERIOD" run "unit metrics, a month" $c -s scripts/bench/get.lua $BASE
done
echo "server peak resident memory: $(grep VmHWM /proc/$SERVER/status | awk '{print $2 " " $3}')"
echo
echo "| what | connections | requests/s | p50 ms | p99 ms | requests | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk -F'|' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7, $8}' "$RESULTS"
