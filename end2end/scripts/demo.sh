#!/usr/bin/env bash
# The first README command: installs what is missing, builds, and runs the portal on the
# embedded default (SQLite file, demo seed) with the local identity provider.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

echo "==> cargo leptos build --release"
cargo leptos build --release

node end2end/idp/server.mjs &
idp=$!
trap 'kill $idp 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fs http://127.0.0.1:4012/.well-known/openid-configuration >/dev/null 2>&1 && break
  sleep 0.2
done

echo "==> Rooms MTM on ${ROOMS_PUBLIC_URL:-http://127.0.0.1:3000} (demo accounts: README.md; password Rooms-demo-2026)"
./target/release/server
