#!/usr/bin/env bash
# The first load on a phone-class connection (issue 11 item 11): compressed WebAssembly fetched
# and time to interactive for the login, overview, rooms and incidents pages, under Chromium's
# CPU and network throttling. Needs the release build (end2end/scripts/build.sh) and end2end's
# npm packages (`cd end2end && npm ci`); starts the local identity provider. With a directory
# argument, saves a screenshot of each page once interactive.
#
#   bash bench/first-load.sh [screenshot-dir]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/portal.sh
start_portal first-load "sqlite://$(mktemp -d)/first-load.db?mode=rwc"
[ -n "${1:-}" ] && mkdir -p "$1"
node end2end/scripts/bench-first-load.mjs "http://127.0.0.1:$port" "${1:-}"
