#!/usr/bin/env bash
# Heartbeat ingest through the real HTTP API, with the fleet simulator as the load: prints the
# sustained rate and the latency percentiles on SQLite and on PostgreSQL. Needs the release
# build (end2end/scripts/build.sh) and, for PostgreSQL, BENCH_DATABASE_URL naming an empty
# database (skipped without it).
#
# `in_flight` bounds the requests in flight (the simulator's --concurrency): a real fleet has as
# many as it has rooms sending at once, each device one.
#
#   bash bench/ingest.sh [rooms=2000] [rate=12000] [seconds=30] [in_flight=256]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rooms=${1:-2000}
rate=${2:-12000}
seconds=${3:-30}
in_flight=${4:-256}

run() {
  local label=$1 url=$2
  echo "== $label: $rooms rooms, asking $rate heartbeats/s for $seconds s, at most $in_flight in flight"
  DATABASE_URL="$url" LEPTOS_SITE_ADDR=127.0.0.1:3100 LEPTOS_SITE_ROOT=target/site \
    ROOMS_PUBLIC_URL=http://127.0.0.1:3100 ROOMS_SEED_DEMO=true RUST_LOG=warn \
    ROOMS_AGENT_RATE_PER_MINUTE=100000 ROOMS_HEARTBEAT_RATE_PER_MINUTE=100000 \
    ./target/release/server > "/tmp/rooms-ingest-$label.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 300); do
    curl -fs http://127.0.0.1:3100/readyz >/dev/null 2>&1 && break
    sleep 0.2
  done
  local key
  key=$(DATABASE_URL="$url" ./target/release/server org enrollment-key contoso.com --as grace@contoso.com)
  ROOMS_ENROLLMENT_KEY="$key" ./target/release/rooms-simulator --url http://127.0.0.1:3100 \
    --rooms "$rooms" --enroll-only --concurrency 16
  if [[ $url == postgres* ]] && command -v psql >/dev/null; then
    # Planner statistics for the rooms just enrolled, as autovacuum gathers them within a
    # minute: a running fleet is not a table filled a second ago.
    psql -q "$url" -c ANALYZE
  fi
  ROOMS_ENROLLMENT_KEY="$key" ./target/release/rooms-simulator --url http://127.0.0.1:3100 \
    --rooms "$rooms" --rate "$rate" --duration "$seconds" \
    --concurrency "$in_flight" --summary
  kill "$server"; wait "$server" 2>/dev/null || true
}

db=$(mktemp -d)/ingest.db
run sqlite "sqlite://$db?mode=rwc"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  run postgres "$BENCH_DATABASE_URL"
fi
