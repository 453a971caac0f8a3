#!/usr/bin/env bash
# The release build: the portal and the fleet simulator. The portal's WebAssembly is split by
# area (--split); the site's files get hashed names (Cargo.toml) and are written compressed
# beside themselves (--precompress: .br at brotli's best setting, and .gz), which the file server
# sends as they are instead of compressing every response on the fly at a fast, weaker setting.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo leptos build --release --split --precompress
cargo build --release -p simulator
