#!/usr/bin/env bash
# The second README command: installs what is missing and runs every test: unit and
# integration tests on SQLite, the integration tests again on PostgreSQL (a throwaway cluster
# started here unless TEST_DATABASE_URL names one), then the Playwright suite in Chromium.
set -euo pipefail
export ROOMS_NEED_POSTGRES=1
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
started=$(date +%s)
step() { echo; echo "==> $* ($(( $(date +%s) - started )) s, $(df -h --output=avail . | tail -n 1 | tr -d ' ') free)"; }
# One pass from a clean clone gains nothing from incremental caches, which doubled the debug
# target's size on disk.
export CARGO_INCREMENTAL=0

features=(-p app -p server --features app/ssr,server/ssr)
# One test at a time. Each test runs its own runtime, and two of them rendering pages in one
# process at once sometimes left a page's stream waiting forever (the HTTP suite's bad-input
# test, about 1 run in 3 on 2 cores). It never happened with one test at a time, nor in the
# portal, which runs one runtime (the browser tests and the 16-connection benchmark).
export RUST_TEST_THREADS=1

step "unit and integration tests on SQLite"
TEST_DATABASE_URL= cargo test "${features[@]}"

pgdir=""
cleanup() {
  if [ -n "$pgdir" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
}
trap cleanup EXIT
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  step "starting a throwaway PostgreSQL on 127.0.0.1:55432"
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pgdir=$(mktemp -d /tmp/rooms-pg.XXXXXX)
  chown postgres "$pgdir"
  runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-p 55432 -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:55432/postgres"
fi

step "integration tests on PostgreSQL"
cargo test "${features[@]}" --test it --test http --test export_memory --test cli --test multi_instance -- --nocapture

if [ "${CI:-}" = true ]; then
  # The debug build is not used again; on CI its 3 GB are better given to the release build.
  rm -rf target/debug
fi

step "release build for the browser tests"
bash end2end/scripts/build.sh

step "the device agent API against its OpenAPI document (Schemathesis)"
bash end2end/scripts/agent-api-check.sh

step "Playwright (Debian Chromium)"
# The portal's log of the run (start-app.sh): its warnings say why a sign-in or a request was
# refused when a browser test fails.
export ROOMS_E2E_LOG="${ROOMS_E2E_LOG:-/tmp/rooms-e2e-server.log}"
if ! (cd end2end && npx playwright test); then
  echo "the portal's warnings and errors during the browser tests ($ROOMS_E2E_LOG):" >&2
  grep -E 'WARN|ERROR' "$ROOMS_E2E_LOG" | tail -n 40 >&2 || true
  exit 1
fi

step "all tests passed"
