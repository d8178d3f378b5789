#!/usr/bin/env bash
# Property-based fuzzing of the management API from its own OpenAPI document
# (schemathesis): whatever the generated requests, no answer may be a 5xx.
#
# Starts the debug binary that `cargo test` built on a throwaway SQLite database with a
# service account holding propusk:admin, a portal and a citizen, takes a token by client
# credentials, validates /admin/v1/openapi.json (openapi-spec-validator) and runs
# schemathesis against it.
#
#   tests/fuzz/admin_api.sh                    # 40 examples per operation
#   SCHEMATHESIS_EXAMPLES=200 SCHEMATHESIS_SEED=3 tests/fuzz/admin_api.sh
#   FUZZ_DATABASE_URL=postgres://…/empty_db tests/fuzz/admin_api.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION=4.32.5
VALIDATOR=0.9.0
BIN="${PROPUSK_BIN:-${CARGO_TARGET_DIR:-target}/debug/propusk}"
VENV="${SCHEMATHESIS_VENV:-/var/tmp/propusk-schemathesis-${VERSION}}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-40}"

[ -x "$BIN" ] || { echo "no binary at $BIN: run cargo test (or cargo build) first" >&2; exit 1; }
if [ ! -x "$VENV/bin/schemathesis" ] || [ ! -x "$VENV/bin/openapi-spec-validator" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==${VERSION}" "openapi-spec-validator==${VALIDATOR}"
fi

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:${port}"
export PROPUSK_ISSUER="$base"
export PROPUSK_LISTEN="127.0.0.1:${port}"
export PROPUSK_DATABASE_URL="${FUZZ_DATABASE_URL:-sqlite://${work}/db/propusk.db}"
export PROPUSK_KEYS_DIR="${work}/keys"
export PROPUSK_NOTIFY__OUTBOX_FILE="${work}/outbox.jsonl"
export PROPUSK_PASSWORD_HASH__MEMORY_KIB=256
export PROPUSK_PASSWORD_HASH__ITERATIONS=1
export PROPUSK_TOKENS__ACCESS_TOKEN_TTL=3600
export PROPUSK_CONFIG="${work}/none.toml"
: > "$PROPUSK_CONFIG"

secret="$("$BIN" client add --id fuzz-admin --scope propusk:admin --grant-type client_credentials \
  | sed -n 's/^client_secret: *//p')"
[ -n "$secret" ] || { echo "no client secret" >&2; exit 1; }
"$BIN" client add --id fuzz-portal --redirect-uri https://portal.example/cb \
  --scope openid profile offline_access >/dev/null
echo 'Xk7#mQ2$vLp9' | "$BIN" user add --name "Иванов Иван Иванович" --phone "+79123456789" \
  --email ivanov@example.ru --snils "112-233-445 95" >/dev/null
citizen="$("$BIN" user list | cut -f1 | head -n1)"

# Most generated ids would be random (404); these let most calls reach the operations
# themselves. The service account cannot remove or disable itself (409), so the run
# keeps its token.
cat > "${work}/schemathesis.toml" <<TOML
[dictionaries.citizens]
values = ["${citizen}"]

[dictionaries.clients]
values = ["fuzz-portal", "fuzz-admin"]

[[operations]]
include-path-regex = "^/admin/v1/citizens/[{]id[}]"
parameters = { "path.id" = { dictionary = "citizens", probability = 0.8 } }

[[operations]]
include-path-regex = "^/admin/v1/clients/[{]id[}]"
parameters = { "path.id" = { dictionary = "clients", probability = 0.8 } }
TOML

"$BIN" serve >"${work}/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "${base}/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "${base}/healthz" >/dev/null

token="$(curl -fsS -u "fuzz-admin:${secret}" -d grant_type=client_credentials -d scope=propusk:admin \
  "${base}/token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

echo "== the OpenAPI document validates (openapi-spec-validator ${VALIDATOR})"
curl -fsS "${base}/admin/v1/openapi.json" -o "${work}/openapi.json"
"$VENV/bin/openapi-spec-validator" "${work}/openapi.json"

echo "== schemathesis ${VERSION}: ${EXAMPLES} examples per operation, no 5xx allowed"
status=0
"$VENV/bin/schemathesis" --config-file "${work}/schemathesis.toml" run "${base}/admin/v1/openapi.json" \
  --header "Authorization: Bearer ${token}" \
  --checks not_a_server_error \
  --max-examples "$EXAMPLES" \
  --seed "${SCHEMATHESIS_SEED:-7}" \
  --workers 2 \
  --request-timeout 10 \
  --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "== server log (last 60 lines)" >&2
  tail -n 60 "${work}/server.log" >&2
fi
exit "$status"
