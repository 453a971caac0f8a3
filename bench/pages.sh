#!/usr/bin/env bash
# Signed-in pages beside their server functions, and the rooms page under 16 connections, on
# SQLite and (with BENCH_DATABASE_URL naming an empty database) PostgreSQL: prints the figures
# of issue 11 item 10 side by side. Needs the release build (`cargo leptos build --release`)
# and end2end's npm packages (`cd end2end && npm ci`); starts the local identity provider.
#
#   bash bench/pages.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
port=3100
export ROOMS_REDIRECT_URIS="http://127.0.0.1:$port/auth/callback"
export ROOMS_POST_LOGOUT_URIS="http://127.0.0.1:$port/login?signed_out=1"
node end2end/idp/server.mjs > /tmp/rooms-bench-idp.log 2>&1 &
idp=$!
trap 'kill $idp 2>/dev/null || true' EXIT

run() {
  local label=$1 url=$2
  DATABASE_URL="$url" LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site \
    ROOMS_PUBLIC_URL=http://127.0.0.1:$port ROOMS_SEED_DEMO=true RUST_LOG=warn \
    ROOMS_LOGIN_RATE_PER_MINUTE=600 ./target/release/server > "/tmp/rooms-pages-$label.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  node end2end/scripts/bench-pages.mjs "http://127.0.0.1:$port" "$label"
  kill "$server"; wait "$server" 2>/dev/null || true
}

db=$(mktemp -d)/pages.db
run sqlite "sqlite://$db?mode=rwc"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  run postgres "$BENCH_DATABASE_URL"
fi
