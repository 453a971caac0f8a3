#!/usr/bin/env bash
# Starts the release build of Rooms MTM for the Playwright suite (see playwright.config.ts):
# a fresh SQLite database with the demo seed, on 127.0.0.1:3000, talking to the local
# identity provider (end2end/idp/server.mjs). Run from anywhere; the binary runs from the
# workspace root so it finds target/site.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

db_file="${ROOMS_E2E_DB:-/tmp/rooms-e2e.db}"
rm -f "$db_file" "$db_file-shm" "$db_file-wal"

if [ ! -x ./target/release/server ] || [ ! -d ./target/site/pkg ]; then
  echo "start-app.sh: no release build; run 'cargo leptos build --release --split' first" >&2
  exit 1
fi

export DATABASE_URL="sqlite://${db_file}?mode=rwc"
export LEPTOS_SITE_ADDR=127.0.0.1:3000
export LEPTOS_SITE_ROOT=target/site
export ROOMS_PUBLIC_URL=http://127.0.0.1:3000
export ROOMS_SEED_DEMO=true
# The whole suite signs in from 127.0.0.1, a few dozen times a minute; the limits themselves are
# tested from outside in server/tests/http/limits.rs.
export ROOMS_LOGIN_RATE_PER_MINUTE=600
export ROOMS_AGENT_RATE_PER_MINUTE=600
# The log goes to a file (Playwright hides the servers' output); test.sh shows its warnings
# when a browser test fails.
log_file="${ROOMS_E2E_LOG:-/tmp/rooms-e2e-server.log}"
export NO_COLOR=1
: >"$log_file"
exec ./target/release/server >>"$log_file" 2>&1
