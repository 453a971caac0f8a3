# Installs what is missing on a fresh Debian machine, with the registries' own clients only.
# Sourced by demo.sh and test.sh; safe to run again (each step checks first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_packages=()
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
[ -x /usr/bin/node ] || apt_packages+=(nodejs npm)
if [ "${ROOMS_NEED_POSTGRES:-0}" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_packages+=(postgresql)
fi
# The tests' Schemathesis runs in a Python virtual environment.
if [ "${ROOMS_NEED_POSTGRES:-0}" = 1 ] && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_packages+=(python3-venv)
fi
command -v curl >/dev/null || apt_packages+=(curl)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "==> apt-get install ${apt_packages[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${apt_packages[@]}"
fi

rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# Debian's binaryen (wasm-opt 108) breaks hydration; npm's binaryen 132 works.
if ! wasm-opt --version 2>/dev/null | grep -q "version 132"; then
  echo "==> npm i -g binaryen@132.0.0"
  sudo_if_needed npm i -g binaryen@132.0.0
fi
# The CLI must equal the wasm-bindgen crate pinned in Cargo.toml.
if ! wasm-bindgen --version 2>/dev/null | grep -q "0.2.130"; then
  echo "==> cargo install wasm-bindgen-cli 0.2.130"
  cargo install wasm-bindgen-cli --version 0.2.130
fi
# 0.3.11 needs a newer rustc; no_downloads makes it use the tools above instead of fetching.
if ! cargo leptos --version 2>/dev/null | grep -q "0.3.10"; then
  echo "==> cargo install cargo-leptos 0.3.10 (about 14 minutes on 2 cores)"
  cargo install cargo-leptos@0.3.10 --locked --features no_downloads
fi
if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  echo "==> npm ci (end2end)"
  (cd end2end && npm ci --no-audit --no-fund)
fi
