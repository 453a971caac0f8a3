#!/usr/bin/env bash
# Signed-in pages beside their server functions, and the rooms page under 16 connections, on
# SQLite and (with BENCH_DATABASE_URL naming an empty database) PostgreSQL: prints the figures
# of issue 11 item 10 side by side. Needs the release build (end2end/scripts/build.sh) and
# end2end's npm packages (`cd end2end && npm ci`); starts the local identity provider.
#
#   bash bench/pages.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/portal.sh

run() {
  start_portal "pages-$1" "$2"
  node end2end/scripts/bench-pages.mjs "http://127.0.0.1:$port" "$1"
  stop_portal
}

db=$(mktemp -d)/pages.db
run sqlite "sqlite://$db?mode=rwc"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  run postgres "$BENCH_DATABASE_URL"
fi
