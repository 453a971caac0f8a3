#!/usr/bin/env bash
# The first README command: installs what is missing, builds, and runs the portal on the
# embedded default (SQLite file, demo seed) with the local identity provider.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

echo "==> release build (end2end/scripts/build.sh)"
bash end2end/scripts/build.sh

node end2end/idp/server.mjs &
idp=$!
trap 'kill $idp 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fs http://127.0.0.1:4012/.well-known/openid-configuration >/dev/null 2>&1 && break
  sleep 0.2
done

./target/release/server &
portal=$!
trap 'kill $idp $portal 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -fs http://127.0.0.1:3000/readyz >/dev/null 2>&1 && break
  sleep 0.2
done

# Gently bring Seattle Harbour's 72 rooms alive: each device sends a heartbeat about every
# 40 seconds, with the simulator's usual faults (cameras that flap, network warnings, a room
# that falls silent now and then), so the health and incident pages have something to show.
accounts=$(mktemp)
for floor in 1 2 3 4 5 6; do
  for n in $(seq -w 1 12); do echo "harbour-${floor}${n}@contoso.com"; done
done > "$accounts"
if key=$(./target/release/server org enrollment-key contoso.com --as grace@contoso.com); then
  ROOMS_ENROLLMENT_KEY="$key" ./target/release/rooms-simulator --rooms 72 --rate 1.8 \
    --accounts-file "$accounts" > /tmp/rooms-simulator.log 2>&1 &
  sim=$!
  trap 'kill $idp $portal $sim 2>/dev/null || true' EXIT
  echo "==> simulator: 72 rooms of Seattle Harbour send heartbeats (progress: /tmp/rooms-simulator.log)"
fi

echo "==> Rooms MTM on ${ROOMS_PUBLIC_URL:-http://127.0.0.1:3000} (demo accounts: README.md; password Rooms-demo-2026)"
wait $portal
