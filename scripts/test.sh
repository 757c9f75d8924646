#!/usr/bin/env bash
# The whole test suite: unit and property tests of every crate, and the HTTP integration suite on
# SQLite and on PostgreSQL. Each PostgreSQL test creates its own database and drops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export ONEWINDOW_TEST_PG="${ONEWINDOW_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
# This run's databases are named with its own prefix, so the clean-up below drops only what this run
# left behind, never the databases of another run on the same server.
export ONEWINDOW_TEST_DB_PREFIX="${ONEWINDOW_TEST_DB_PREFIX:-ow_test_$$_}"

drop_leftovers() {
  # A test that panicked before its clean-up leaves its database behind; drop those.
  if command -v psql >/dev/null 2>&1; then
    psql "$ONEWINDOW_TEST_PG" -Atc "SELECT datname FROM pg_database WHERE datname LIKE '${ONEWINDOW_TEST_DB_PREFIX}%'" 2>/dev/null |
      while read -r db; do [ -n "$db" ] && psql "$ONEWINDOW_TEST_PG" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true; done
  fi
}
trap drop_leftovers EXIT

# Attachments on S3-compatible object storage are tested against moto's standalone server
# (crates/onewindow/tests/attachments_store.rs), installed from PyPI into a virtualenv under target/.
if [ ! -x target/moto-venv/bin/moto_server ]; then
  python3 -m venv target/moto-venv
  target/moto-venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]'
fi
export ONEWINDOW_MOTO_SERVER="$PWD/target/moto-venv/bin/moto_server"

# Among the tests: property tests that fuzz the input parsers for a fixed number of cases
# (crates/app/tests/fuzz.rs: CSV, XLSX, JSON text; crates/onewindow/tests/fuzz.rs: case and portal
# JSON, Open311 forms and queries over HTTP on both backends), about 30 s in all on 2 cores;
# FUZZ_CASES=N multiplies the cases for a longer run.
cargo test --workspace --all-targets "$@"
cargo test --workspace --doc
