#!/usr/bin/env bash
# The release build: the portal (its WebAssembly split by area, assets with hashed names) and the
# fleet simulator. The site's files are then compressed once with brotli at its best setting,
# which the server sends as they are (`.br` beside each file) instead of compressing every
# response on the fly at a fast, weaker setting.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo leptos build --release --split
cargo build --release -p simulator
find target/site/pkg -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.json' \) \
  -print0 | xargs -0 -n 16 -P "$(nproc)" brotli --force --keep --best
