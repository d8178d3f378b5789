#!/usr/bin/env bash
# Start Glewlwyd (the Debian package) for the benchmark, configured like propusk:
# SQLite database from the package's schema, plain HTTP on 127.0.0.1, the OpenID
# Connect plugin with one ES256 key, access tokens of 600 s, and a confidential client
# with client_credentials, client_secret_basic and the scope `api`.
# Usage: bench/glewlwyd/start.sh DIR PORT   (writes DIR/pid and DIR/client.env)
set -euo pipefail
dir="$1"; port="$2"
here="$(cd "$(dirname "$0")" && pwd)"
schema=/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz
rm -rf "$dir"; mkdir -p "$dir"
zcat "$schema" | python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.executescript(sys.stdin.read()); db.commit()" "$dir/glewlwyd.db"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$dir/es256.key"
openssl ec -in "$dir/es256.key" -pubout -out "$dir/es256.pub" 2>/dev/null
issuer="http://127.0.0.1:${port}"
sed -e "s|@PORT@|${port}|g" -e "s|@DIR@|${dir}|g" "$here/glewlwyd.conf.in" > "$dir/glewlwyd.conf"
glewlwyd --config-file="$dir/glewlwyd.conf" > "$dir/server.log" 2>&1 &
echo $! > "$dir/pid"
for _ in $(seq 1 100); do
  curl -sf "${issuer}/api/auth/scheme/" -o /dev/null 2>&1 && break
  curl -s "${issuer}/config" -o /dev/null 2>&1 && break
  sleep 0.1
done
api() { curl -sf -b "$dir/admin.cookies" -c "$dir/admin.cookies" -H 'content-type: application/json' "$@"; }
# The package's initial administrator (admin/password) configures the instance.
api -X POST -d '{"username":"admin","password":"password"}' "${issuer}/api/auth/" >/dev/null
python3 - "$dir" "$issuer" > "$dir/plugin.json" <<'PY'
import json, sys
d, issuer = sys.argv[1], sys.argv[2]
print(json.dumps({
  "module": "oidc", "name": "oidc", "display_name": "OpenID Connect", "enabled": True,
  "parameters": {
    "iss": issuer, "jwt-type": "ecdsa", "jwt-key-size": "256",
    "key": open(f"{d}/es256.key").read(), "cert": open(f"{d}/es256.pub").read(),
    "access-token-duration": 600, "refresh-token-duration": 2592000, "code-duration": 60,
    "refresh-token-rolling": True, "allow-non-oidc": True,
    "auth-type-code-enabled": True, "auth-type-token-enabled": False,
    "auth-type-id-token-enabled": True, "auth-type-none-enabled": False,
    "auth-type-password-enabled": False, "auth-type-client-enabled": True,
    "auth-type-refresh-enabled": True, "subject-type": "public",
    "scope": [], "claims": [], "jwks-show": True,
  },
}))
PY
api -X POST --data @"$dir/plugin.json" "${issuer}/api/mod/plugin/" >/dev/null
api -X POST -d '{"name":"api","display_name":"API","description":"benchmark API scope","password_required":false,"scheme":{}}' \
  "${issuer}/api/scope/" >/dev/null
secret="$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')"
# client_secret (compared as stored) rather than a hashed client password: propusk
# keeps a SHA-256 of a 256-bit secret, the cheap check both do per request.
api -X POST -d "{\"client_id\":\"bench-cc\",\"name\":\"bench\",\"confidential\":true,\"enabled\":true,
  \"redirect_uri\":[\"http://127.0.0.1:9/cb\"],\"authorization_type\":[\"client_credentials\"],
  \"token_endpoint_auth_method\":[\"client_secret_basic\"],\"client_secret\":\"${secret}\",\"scope\":[\"api\"]}" \
  "${issuer}/api/client/?source=database" >/dev/null
cat > "$dir/client.env" <<ENV
GLW_ISSUER=${issuer}/api/oidc
GLW_CC_ID=bench-cc
GLW_CC_SECRET=${secret}
ENV
