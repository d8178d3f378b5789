"""Authlib (Python) as a relying party: the full flow against $ISSUER.

Speaks the line protocol of rp/driver.mjs on stdout/stdin. TLS trust comes from
REQUESTS_CA_BUNDLE (the runner's test CA)."""

import os
import sys
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

ISSUER = os.environ["ISSUER"]
CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]
REDIRECT_URI = os.environ["REDIRECT_URI"]
POST_LOGOUT = os.environ["POST_LOGOUT_REDIRECT_URI"]


def ask(word, url):
    print(f"{word} {url}", flush=True)
    return sys.stdin.readline().strip().removeprefix("CALLBACK ")


def step(text):
    print(f"STEP {text}", flush=True)


meta = requests.get(f"{ISSUER}/.well-known/openid-configuration", timeout=10).json()
assert meta["issuer"] == ISSUER, meta["issuer"]
step("discovery")
session = OAuth2Session(
    CLIENT_ID,
    CLIENT_SECRET,
    scope="openid email offline_access",
    redirect_uri=REDIRECT_URI,
    code_challenge_method="S256",
    token_endpoint_auth_method="client_secret_basic",
)
verifier = generate_token(48)
nonce = generate_token(20)
uri, state = session.create_authorization_url(
    meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce, prompt="consent"
)
callback = ask("AUTHORIZE", uri)
query = parse_qs(urlparse(callback).query)
assert query.get("iss") == [ISSUER], f"RFC 9207 iss: {query.get('iss')}"
token = session.fetch_token(
    meta["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
)
jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
claims = jwt.decode(
    token["id_token"],
    jwks,
    claims_cls=CodeIDToken,
    claims_options={"iss": {"essential": True, "value": ISSUER}},
    claims_params={"nonce": nonce, "client_id": CLIENT_ID, "access_token": token["access_token"]},
)
claims.validate()
step(f"code exchanged, ID token for {claims['sub']} validated (signature, iss, aud, nonce, at_hash)")
info = session.get(meta["userinfo_endpoint"], timeout=10).json()
assert info["sub"] == claims["sub"] and info.get("email"), info
step("userinfo")
refreshed = session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
assert refreshed["refresh_token"] != token["refresh_token"], "refresh token not rotated"
step("refresh (rotated)")
resp = session.revoke_token(
    meta["revocation_endpoint"], token=refreshed["refresh_token"], token_type_hint="refresh_token"
)
assert resp.status_code == 200, resp.status_code
try:
    session.refresh_token(meta["token_endpoint"], refresh_token=refreshed["refresh_token"])
    raise AssertionError("a revoked refresh token still works")
except OAuthError as e:
    assert e.error == "invalid_grant", e.error
step("revocation")
end = meta["end_session_endpoint"] + "?" + urlencode(
    {"id_token_hint": token["id_token"], "post_logout_redirect_uri": POST_LOGOUT, "state": "bye"}
)
back = urlparse(ask("LOGOUT", end))
assert parse_qs(back.query).get("state") == ["bye"], back
step("logout")
print("OK Authlib: discovery, code+PKCE, ID token, userinfo, refresh, revocation, logout", flush=True)
