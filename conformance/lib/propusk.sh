#!/usr/bin/env bash
# Start a propusk for the conformance run: TLS with the test CA's certificate, a fresh
# SQLite database and keys directory, the portals and one citizen registered through
# the CLI; codes go to DIR/outbox.jsonl (the dev outbox) and personal data is checked
# every second. Writes DIR/target.json for the checks and DIR/propusk.pid.
# Usage: lib/propusk.sh BINARY DIR PORT
set -euo pipefail
bin="$1"; dir="$2"; port="$3"
mkdir -p "$dir"
issuer="https://localhost:${port}"
cat > "$dir/propusk.toml" <<TOML
issuer = "${issuer}"
listen = "127.0.0.1:${port}"
database_url = "sqlite://${dir}/propusk.db"
keys_dir = "${dir}/keys"
[tls]
cert_file = "${dir}/../pki/server.pem"
key_file = "${dir}/../pki/server.key"
[log]
level = "warn"
[notify]
outbox_file = "${dir}/outbox.jsonl"
[verification]
poll_interval = 1
# The checks log one citizen in ~100 times a minute from one address; the default login
# quotas (10 a minute per login, 60 per address) would answer 429. The quotas stay on
# (tests/rate_limits.rs covers them); only their size changes for this harness.
[rate_limits.login]
per_ip = 6000
per_ip_burst = 6000
per_identifier = 6000
per_identifier_burst = 6000
TOML
p() { "$bin" --config "$dir/propusk.toml" "$@"; }
secret_of() { sed -n 's/^client_secret: *//p'; }
rp="https://rp.example"
basic=$(p client add --id conformance-basic --name "Conformance RP" --redirect-uri "$rp/cb" \
  --post-logout-redirect-uri "$rp/logged-out" --scope openid profile email phone snils offline_access | secret_of)
post=$(p client add --id conformance-post --name "Conformance RP (post)" --redirect-uri "$rp/cb" \
  --auth-method client_secret_post --scope openid profile email phone | secret_of)
other=$(p client add --id conformance-other --name "Other RP" --redirect-uri "$rp/cb" \
  --scope openid email offline_access | secret_of)
# The independent relying parties and the browser's sample portal.
rps=$(p client add --id conformance-rps --name "Портал (независимые клиенты)" \
  --redirect-uri "http://127.0.0.1:7001/callback" --post-logout-redirect-uri "http://127.0.0.1:7001/bye" \
  --scope openid profile email phone offline_access | secret_of)
# The registration browser test's portal, open only to standard-level accounts.
standard=$(p client add --id conformance-standard --name "Портал (стандартный уровень)" \
  --redirect-uri "http://127.0.0.1:7002/callback" --scope openid profile email phone \
  --min-trust-level standard | secret_of)
password='Xk7#mQ2$vLp9'
printf '%s\n' "$password" | p user add --name "Иванов Иван Иванович" --phone "+7 912 345-67-89" \
  --email "ivanov@example.ru" --snils "112-233-445 95" >/dev/null
"$bin" --config "$dir/propusk.toml" serve > "$dir/server.log" 2>&1 &
echo $! > "$dir/propusk.pid"
for _ in $(seq 1 100); do
  curl -sf --cacert "$dir/../pki/ca.pem" "${issuer}/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -sf --cacert "$dir/../pki/ca.pem" "${issuer}/healthz" >/dev/null; then
  echo "propusk did not start; its log:" >&2
  cat "$dir/server.log" >&2
  exit 1
fi
pid=$(cat "$dir/propusk.pid")
cat > "$dir/target.json" <<JSON
{
  "name": "propusk",
  "issuer": "${issuer}",
  "clients": {
    "basic": { "id": "conformance-basic", "secret": "${basic}", "auth": "client_secret_basic",
               "redirect_uri": "${rp}/cb", "post_logout_redirect_uri": "${rp}/logged-out" },
    "post": { "id": "conformance-post", "secret": "${post}", "auth": "client_secret_post", "redirect_uri": "${rp}/cb" },
    "other": { "id": "conformance-other", "secret": "${other}", "auth": "client_secret_basic", "redirect_uri": "${rp}/cb" },
    "rps": { "id": "conformance-rps", "secret": "${rps}", "auth": "client_secret_basic",
             "redirect_uri": "http://127.0.0.1:7001/callback", "post_logout_redirect_uri": "http://127.0.0.1:7001/bye" },
    "standard": { "id": "conformance-standard", "secret": "${standard}", "auth": "client_secret_basic",
                  "redirect_uri": "http://127.0.0.1:7002/callback", "min_trust_level": "standard" }
  },
  "outbox_file": "${dir}/outbox.jsonl",
  "user": { "login": "+7 912 345-67-89", "password": "${password}" },
  "rotate_keys_cmd": "'${bin}' --config '${dir}/propusk.toml' keys rotate >/dev/null && kill -HUP ${pid}"
}
JSON
