// panva's oauth4webapi (v3) as a relying party: the full flow against $ISSUER.
import * as oauth from 'oauth4webapi';
import { createInterface } from 'node:readline';

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const ask = async (word, url) => {
  console.log(`${word} ${url}`);
  const { value } = await lines.next();
  return value.replace(/^CALLBACK /, '');
};
const step = (s) => console.log(`STEP ${s}`);
const { ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI } = process.env;

const issuer = new URL(ISSUER);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
const client = { client_id: CLIENT_ID };
const auth = oauth.ClientSecretBasic(CLIENT_SECRET);
step('discovery');
const verifier = oauth.generateRandomCodeVerifier();
const state = oauth.generateRandomState();
const nonce = oauth.generateRandomNonce();
const url = new URL(as.authorization_endpoint);
for (const [k, v] of Object.entries({
  client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid email offline_access', prompt: 'consent',
  code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce,
})) url.searchParams.set(k, v);
const callback = new URL(await ask('AUTHORIZE', url.href));
const params = oauth.validateAuthResponse(as, client, callback, state);
const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, verifier);
const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
const claims = oauth.getValidatedIdTokenClaims(result);
step(`code exchanged, ID token for ${claims.sub} validated`);
const info = await oauth.processUserInfoResponse(as, client, claims.sub, await oauth.userInfoRequest(as, client, result.access_token));
if (!info.email) throw new Error('userinfo lacks email');
step('userinfo');
const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, result.refresh_token));
if (!refreshed.refresh_token || refreshed.refresh_token === result.refresh_token) throw new Error('refresh token not rotated');
step('refresh (rotated)');
await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, refreshed.refresh_token));
let refused = false;
try {
  await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, refreshed.refresh_token));
} catch (e) { refused = e.error === 'invalid_grant'; }
if (!refused) throw new Error('a revoked refresh token still works');
step('revocation');
const end = new URL(as.end_session_endpoint);
end.searchParams.set('id_token_hint', result.id_token);
end.searchParams.set('post_logout_redirect_uri', POST_LOGOUT_REDIRECT_URI);
end.searchParams.set('state', 'bye');
const back = new URL(await ask('LOGOUT', end.href));
if (back.searchParams.get('state') !== 'bye') throw new Error(`logout returned to ${back}`);
step('logout');
console.log('OK oauth4webapi: discovery, code+PKCE, ID token, userinfo, refresh, revocation, logout');
process.exit(0);
