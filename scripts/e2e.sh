#!/usr/bin/env bash
# End-to-end tests of the web UI: builds the binary (which builds the UI), starts a demo district on a free port,
# runs the Playwright suite in web/e2e against it with Debian's Chromium, and stops the server whatever happens.
#
#   bash scripts/e2e.sh                 # the whole suite
#   bash scripts/e2e.sh -g "cockpit"    # extra arguments go to `playwright test`
#
# ONEWINDOW_BIN=path skips the build and uses that binary; CHROMIUM_PATH overrides /usr/bin/chromium;
# E2E_PROJECT=screenshots runs the screenshot pass instead (scripts/screenshots.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ -z "${ONEWINDOW_BIN:-}" ]; then
  echo "== e2e: building onewindow (and the web UI)"
  cargo build -p onewindow
  ONEWINDOW_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/onewindow"
fi
[ -x "$ONEWINDOW_BIN" ] || { echo "e2e: no binary at $ONEWINDOW_BIN" >&2; exit 1; }
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || { echo "e2e: Chromium not found at ${CHROMIUM_PATH:-/usr/bin/chromium} (apt-get install chromium fonts-noto-cjk)" >&2; exit 1; }
[ -d web/node_modules/@playwright/test ] || (cd web && npm ci --no-audit --no-fund)

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  else
    local p
    for _ in $(seq 1 50); do
      p=$((20000 + RANDOM % 20000))
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    return 1
  fi
}
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
LOG=$(mktemp -t onewindow-e2e.XXXXXX.log)

echo "== e2e: starting onewindow demo on $URL (log: $LOG)"
# No risk scan on a timer: one landing between a test's steps would add alerts and notifications it
# did not make (the risk test scans on demand).
ONEWINDOW_RISK_SCAN_INTERVAL_MS=0 "$ONEWINDOW_BIN" demo --bind "127.0.0.1:$PORT" --cases 300 >"$LOG" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 120); do
  if curl -fsS "$URL/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then
    echo "e2e: the server exited before it was ready:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fsS "$URL/healthz" >/dev/null || { echo "e2e: $URL/healthz never answered" >&2; tail -50 "$LOG" >&2; exit 1; }

echo "== e2e: playwright"
cd web
rm -f test-results/results.json
status=0
ONEWINDOW_URL="$URL" npx playwright test --project="${E2E_PROJECT:-e2e}" "$@" || status=$?
# One plain summary line as well (the list reporter's own summary is above).
if [ -f test-results/results.json ]; then
  node -e '
    const s = require("./test-results/results.json").stats || {};
    console.log(`e2e: ${s.expected || 0} passed, ${s.unexpected || 0} failed` + (s.flaky ? `, ${s.flaky} flaky (failed, then passed on the retry)` : "") + (s.skipped ? `, ${s.skipped} skipped` : ""));
  '
fi
# What the server logged about failed and refused requests, for a failure or a flaky pass.
if [ "$status" -ne 0 ] || grep -q '"flaky": *[1-9]' test-results/results.json 2>/dev/null; then
  echo "== e2e: the server's log of failed and refused requests ($LOG)"
  grep -E 'request (failed|refused)|ERROR|WARN|panick' "$LOG" | tail -40 || true
fi
exit $status
