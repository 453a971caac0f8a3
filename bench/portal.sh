# Sourced by the page benchmarks: the local identity provider, and the portal's release build on
# 127.0.0.1:$port with the demo seed. Both are stopped when the benchmark exits.
port=3100
export ROOMS_REDIRECT_URIS="http://127.0.0.1:$port/auth/callback"
export ROOMS_POST_LOGOUT_URIS="http://127.0.0.1:$port/login?signed_out=1"
node end2end/idp/server.mjs > /tmp/rooms-bench-idp.log 2>&1 &
idp=$!
server=
trap 'kill $idp $server 2>/dev/null || true' EXIT

# start_portal <label> <database-url>: starts the portal (pid in $server) and waits until ready.
start_portal() {
  DATABASE_URL="$2" LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site \
    ROOMS_PUBLIC_URL=http://127.0.0.1:$port ROOMS_SEED_DEMO=true RUST_LOG=warn \
    ROOMS_LOGIN_RATE_PER_MINUTE=600 ./target/release/server > "/tmp/rooms-bench-$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return
    sleep 0.2
  done
}

stop_portal() {
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
}
