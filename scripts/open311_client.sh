#!/usr/bin/env bash
# Interoperability of the Open311 API with a real client: the `georeport` library from PyPI, in a
# virtualenv under target/, against `onewindow serve` on a freshly seeded SQLite database.
# Runs scripts/open311_client_test.py, which ends with `N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/open311-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check georeport

cargo build --quiet -p onewindow
bin=target/debug/onewindow

tmp=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

db="sqlite://$tmp/o.db"
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" seed --db "$db" --cases 200 >"$tmp/seed.log" 2>&1 || { cat "$tmp/seed.log"; exit 1; }
key=$("$bin" api-key create --db "$db" --name py | tail -n 1)

ONEWINDOW_RETRAIN_INTERVAL_MS=0 "$bin" serve --db "$db" --bind "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  if "$venv/bin/python" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$base/healthz" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$tmp/serve.log"
    exit 1
  fi
  sleep 0.5
done

"$venv/bin/python" scripts/open311_client_test.py "$base/open311/v2" "$key" || { echo "== server log"; tail -n 50 "$tmp/serve.log"; exit 1; }
