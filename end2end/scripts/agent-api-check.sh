#!/usr/bin/env bash
# The device agent API from outside with Schemathesis (PyPI): it loads the OpenAPI document the
# portal serves, checks that it is valid OpenAPI 3.1, and sends generated enrollments and
# heartbeats (valid and invalid), failing on any answer the document does not describe. Runs
# the release build on a throwaway SQLite database with the demo seed, on 127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

venv="${ROOMS_ST_VENV:-$HOME/.cache/rooms-mtm/schemathesis}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi

db=/tmp/rooms-agent-api.db
export ROOMS_E2E_DB="$db"
# Many heartbeats from one device in a few seconds: the rate limit is tested elsewhere.
export ROOMS_HEARTBEAT_RATE_PER_MINUTE=100000
bash end2end/scripts/start-app.sh > /tmp/rooms-agent-api.log 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -fs http://127.0.0.1:3000/readyz >/dev/null 2>&1 && break
  sleep 0.2
done

key=$(DATABASE_URL="sqlite://$db?mode=rwc" ./target/release/server org enrollment-key contoso.com --as grace@contoso.com)
token=$(curl -fs http://127.0.0.1:3000/api/agent/v1/enroll -H 'content-type: application/json' \
  -d "{\"enrollment_key\":\"$key\",\"resource_account\":\"harbour-101@contoso.com\",\"display_name\":\"Harbour 1.01\",\"platform\":\"windows\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["device_token"])')

AGENT_TOKEN="$token" "$venv/bin/schemathesis" --config-file end2end/schemathesis/schemathesis.toml \
  run http://127.0.0.1:3000/api/agent/v1/openapi.json --seed 1 --no-color
