// panva's openid-client (v6) as a relying party: the full flow against $ISSUER.
import * as client from 'openid-client';
import { createInterface } from 'node:readline';

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const ask = async (word, url) => {
  console.log(`${word} ${url}`);
  const { value } = await lines.next();
  return value.replace(/^CALLBACK /, '');
};
const step = (s) => console.log(`STEP ${s}`);
const { ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI } = process.env;

const config = await client.discovery(new URL(ISSUER), CLIENT_ID, undefined, client.ClientSecretBasic(CLIENT_SECRET));
step('discovery');
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: REDIRECT_URI,
  scope: 'openid profile email offline_access',
  prompt: 'consent',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
  nonce,
});
const callback = await ask('AUTHORIZE', url.href);
const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
  pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
});
const claims = tokens.claims();
step(`code exchanged, ID token for ${claims.sub} validated`);
const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
if (!info.email) throw new Error('userinfo lacks email');
step('userinfo');
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
if (!refreshed.refresh_token || refreshed.refresh_token === tokens.refresh_token) throw new Error('refresh token not rotated');
if (refreshed.claims()?.sub !== claims.sub) throw new Error('refreshed ID token sub differs');
step('refresh (rotated)');
await client.tokenRevocation(config, refreshed.refresh_token, { token_type_hint: 'refresh_token' });
let refused = false;
try { await client.refreshTokenGrant(config, refreshed.refresh_token); } catch (e) { refused = e.error === 'invalid_grant'; }
if (!refused) throw new Error('a revoked refresh token still works');
step('revocation');
const end = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI, state: 'bye' });
const back = new URL(await ask('LOGOUT', end.href));
if (`${back.origin}${back.pathname}` !== POST_LOGOUT_REDIRECT_URI || back.searchParams.get('state') !== 'bye') throw new Error(`logout returned to ${back}`);
step('logout');
console.log('OK openid-client: discovery, code+PKCE, ID token, userinfo, refresh, revocation, logout');
process.exit(0);
