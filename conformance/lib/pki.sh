#!/usr/bin/env bash
# A throw-away test CA and a server certificate for localhost / 127.0.0.1.
# Usage: lib/pki.sh DIR
set -euo pipefail
dir="$1"
mkdir -p "$dir"
cd "$dir"
[ -f server.pem ] && exit 0
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=propusk conformance test CA" \
  -keyout ca.key -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
cat > server.ext <<'EXT'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem 2>/dev/null
