// oidcc-basic-certification-test-plan (code flow, client_secret_basic), module by module.

import * as jose from 'jose';
import { createHash } from 'node:crypto';
import { check, assert, assertEq, skip } from '../lib/registry.mjs';
import { Browser } from '../lib/oidc.mjs';

const PLAN = 'basic';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// at_hash: left half of the hash of the access token (OIDC Core §3.1.3.6).
function atHash(token, alg) {
  const h = alg === 'EdDSA' ? 'sha512' : `sha${alg.slice(2)}`;
  const d = createHash(h).update(token).digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

check('oidcc-server', PLAN, async (t) => {
  const b = new Browser();
  const flow = await t.code(b);
  assert(flow.code, `a code comes back: ${flow.back}`);
  assertEq(flow.query.state, flow.params.state, 'state');
  const meta = await t.metadata();
  if (meta.authorization_response_iss_parameter_supported) assertEq(flow.query.iss, t.issuer, 'iss (RFC 9207)');
  const tokens = await t.exchange(flow.code, flow);
  assertEq(tokens.status, 200, 'token status');
  assertEq(tokens.json.token_type.toLowerCase(), 'bearer', 'token_type');
  assert(tokens.json.access_token && tokens.json.id_token, 'access and ID token');
  const { payload, header } = await t.verifyIdToken(tokens.json.id_token, { nonce: flow.params.nonce });
  assert(payload.exp > Date.now() / 1000 && payload.iat <= Date.now() / 1000 + 5, 'exp in the future, iat not in the future');
  if (payload.at_hash) assertEq(payload.at_hash, atHash(tokens.json.access_token, header.alg), 'at_hash');
  if (payload.auth_time !== undefined) assert(payload.auth_time <= Date.now() / 1000 + 5, 'auth_time not in the future');
});

check('oidcc-server/token-response-headers', PLAN, async (t) => {
  const b = new Browser();
  const flow = await t.code(b);
  const tokens = await t.exchange(flow.code, flow);
  assertEq(tokens.status, 200, 'token status');
  assert((tokens.headers.get('cache-control') || '').includes('no-store'), 'Cache-Control: no-store');
  assert((tokens.headers.get('content-type') || '').startsWith('application/json'), 'JSON content type');
  assert(/^[\x20-\x7e]*$/.test(tokens.json.access_token), 'access token characters (RFC 6749 §A.12)');
});

check('oidcc-server/token-error-response', PLAN, async (t) => {
  const res = await t.token({ grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: t.client().redirect_uri });
  assertEq(res.status, 400, 'status');
  assertEq(res.json?.error, 'invalid_grant', 'error');
  assert((res.headers.get('cache-control') || '').includes('no-store'), 'Cache-Control: no-store on errors');
  if (res.json.error_description) assert(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(res.json.error_description), 'error_description charset (RFC 6749 §5.2)');
});

check('oidcc-server/invalid-client-secret', PLAN, async (t) => {
  const meta = await t.metadata();
  const c = t.client();
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c.id}:wrong`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: c.redirect_uri }),
  });
  assertEq(res.status, 401, 'status');
  assertEq((await res.json()).error, 'invalid_client', 'error');
  assert(res.headers.get('www-authenticate'), 'WWW-Authenticate on 401');
});

check('oidcc-response-type-missing', PLAN, async (t) => {
  const { url } = await t.authorizeUrl({ response_type: null });
  const res = await new Browser().follow(url, t.origin);
  if (res.location) {
    const q = new URL(res.location).searchParams;
    assert(['invalid_request', 'unsupported_response_type'].includes(q.get('error')), `error ${q.get('error')}`);
  } else {
    assert(res.status >= 400, `an error page, got ${res.status}`);
  }
});

check('oidcc-idtoken-signature', PLAN, async (t) => {
  const { tokens } = await t.loggedIn();
  const header = jose.decodeProtectedHeader(tokens.id_token);
  assert(header.alg && header.alg !== 'none', 'signed');
  const jwks = await t.jwks();
  if (header.kid) assert(jwks.keys.some((k) => k.kid === header.kid), 'kid is in the JWKS (OP-IDToken-kid)');
});

for (const [name, how] of [['oidcc-userinfo-get', 'get-header'], ['oidcc-userinfo-post-header', 'post-header'], ['oidcc-userinfo-post-body', 'post-body']]) {
  check(name, PLAN, async (t) => {
    const { tokens, id } = await t.loggedIn();
    const info = await t.userinfo(tokens.access_token, how);
    assertEq(info.status, 200, 'userinfo status');
    assertEq(info.json.sub, id.payload.sub, 'userinfo sub equals ID token sub');
  });
}

check('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', PLAN, async (t) => {
  const b = new Browser();
  const flow = await t.code(b, { nonce: null });
  assert(flow.code, 'a code without nonce');
  const tokens = await t.exchange(flow.code, flow);
  const { payload } = await t.verifyIdToken(tokens.json.id_token);
  assertEq(payload.nonce, undefined, 'no nonce in the ID token');
});

async function scopeCheck(t, scope, claims) {
  const meta = await t.metadata();
  const want = scope.split(' ').filter((s) => s !== 'openid');
  if (want.some((s) => !meta.scopes_supported.includes(s))) skip(`scope ${want.join(' ')} not supported`);
  const { tokens } = await t.loggedIn({ scope });
  const info = await t.userinfo(tokens.access_token);
  assertEq(info.status, 200, 'userinfo');
  const found = claims.filter((c) => info.json[c] !== undefined);
  assert(found.length > 0, `at least one of ${claims.join(', ')} in userinfo: ${JSON.stringify(info.json)}`);
}

check('oidcc-scope-profile', PLAN, (t) => scopeCheck(t, 'openid profile', ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'updated_at']));
check('oidcc-scope-email', PLAN, (t) => scopeCheck(t, 'openid email', ['email', 'email_verified']));
check('oidcc-scope-phone', PLAN, (t) => scopeCheck(t, 'openid phone', ['phone_number', 'phone_number_verified']));
check('oidcc-scope-address', PLAN, (t) => scopeCheck(t, 'openid address', ['address']));
check('oidcc-scope-all', PLAN, async (t) => {
  const meta = await t.metadata();
  const scope = ['openid', ...['profile', 'email', 'phone', 'address'].filter((s) => meta.scopes_supported.includes(s))].join(' ');
  await scopeCheck(t, scope, ['name', 'email', 'phone_number']);
});

check('oidcc-ensure-other-scope-order-succeeds', PLAN, async (t) => {
  const { tokens } = await t.loggedIn({ scope: 'email openid' });
  assert(tokens.id_token, 'openid not first still works');
});

for (const display of ['page', 'popup']) {
  check(`oidcc-display-${display}`, PLAN, async (t) => {
    const { tokens } = await t.loggedIn({ display });
    assert(tokens.id_token, `display=${display} accepted`);
  });
}

// auth_time is only guaranteed when max_age was sent (OIDC Core §2), so the first
// login of the auth_time checks asks for it.
check('oidcc-prompt-login', PLAN, async (t) => {
  const { browser, id } = await t.loggedIn({ max_age: '10000' });
  await sleep(1100);
  const flow = await t.code(browser, { prompt: 'login', max_age: '10000' });
  assert(flow.pages.includes('login'), 'the login page is shown again');
  const tokens = await t.exchange(flow.code, flow);
  const again = await t.verifyIdToken(tokens.json.id_token);
  assertEq(again.payload.sub, id.payload.sub, 'same sub');
  assert(again.payload.auth_time > id.payload.auth_time, 'auth_time moved');
});

check('oidcc-prompt-none-not-logged-in', PLAN, async (t) => {
  const { url, params } = await t.authorizeUrl({ prompt: 'none' });
  const res = await new Browser().follow(url, t.origin);
  assert(res.location, `a redirect back, got ${res.status}`);
  const q = new URL(res.location).searchParams;
  assert(['login_required', 'interaction_required', 'consent_required'].includes(q.get('error')), `error ${q.get('error')}`);
  assertEq(q.get('state'), params.state, 'state on the error');
});

check('oidcc-prompt-none-logged-in', PLAN, async (t) => {
  const { browser, id } = await t.loggedIn();
  const flow = await t.code(browser, { prompt: 'none' });
  assertEq(flow.pages.length, 0, 'no page shown');
  assert(flow.code, `a code: ${flow.back}`);
  const tokens = await t.exchange(flow.code, flow);
  assertEq((await t.verifyIdToken(tokens.json.id_token)).payload.sub, id.payload.sub, 'same sub');
});

check('oidcc-max-age-1', PLAN, async (t) => {
  const { browser, id } = await t.loggedIn({ max_age: '10000' });
  await sleep(2100);
  const flow = await t.code(browser, { max_age: '1' });
  assert(flow.pages.includes('login'), 'max_age=1 asks for a login again');
  const tokens = await t.exchange(flow.code, flow);
  const { payload } = await t.verifyIdToken(tokens.json.id_token);
  assert(payload.auth_time > id.payload.auth_time, 'a newer auth_time');
});

check('oidcc-max-age-10000', PLAN, async (t) => {
  const { browser, id } = await t.loggedIn({ max_age: '10000' });
  const flow = await t.code(browser, { max_age: '10000' });
  assert(!flow.pages.includes('login'), 'no new login within max_age');
  const tokens = await t.exchange(flow.code, flow);
  const { payload } = await t.verifyIdToken(tokens.json.id_token);
  assert(payload.auth_time !== undefined, 'auth_time present when max_age was sent');
  assertEq(payload.auth_time, id.payload.auth_time, 'the same authentication');
});

check('oidcc-ensure-request-with-unknown-parameter-succeeds', PLAN, async (t) => {
  const { tokens } = await t.loggedIn({ extra_unknown_parameter: 'whatever' });
  assert(tokens.id_token, 'unknown parameters are ignored');
});

check('oidcc-id-token-hint', PLAN, async (t) => {
  const { browser, tokens, id } = await t.loggedIn();
  const flow = await t.code(browser, { prompt: 'none', id_token_hint: tokens.id_token });
  assert(flow.code, `prompt=none with a matching hint succeeds: ${flow.back}`);
  const again = await t.exchange(flow.code, flow);
  assertEq((await t.verifyIdToken(again.json.id_token)).payload.sub, id.payload.sub, 'same sub');
});

check('oidcc-login-hint', PLAN, async (t) => {
  const { tokens } = await t.loggedIn({ login_hint: t.cfg.user.login });
  assert(tokens.id_token, 'login_hint accepted');
});

check('oidcc-ui-locales', PLAN, async (t) => {
  const { tokens } = await t.loggedIn({ ui_locales: 'en-GB en' });
  assert(tokens.id_token, 'ui_locales accepted');
});

check('oidcc-claims-locales', PLAN, async (t) => {
  const { tokens } = await t.loggedIn({ claims_locales: 'en' });
  assert(tokens.id_token, 'claims_locales accepted');
});

check('oidcc-ensure-request-with-acr-values-succeeds', PLAN, async (t) => {
  const meta = await t.metadata();
  const acr = (meta.acr_values_supported ?? ['1', '2']).join(' ');
  const { id } = await t.loggedIn({ acr_values: acr });
  if (meta.acr_values_supported) assert(meta.acr_values_supported.includes(id.payload.acr), `acr ${id.payload.acr} is an advertised value`);
});

check('oidcc-codereuse', PLAN, async (t) => {
  const b = new Browser();
  const flow = await t.code(b);
  assertEq((await t.exchange(flow.code, flow)).status, 200, 'first exchange');
  const second = await t.exchange(flow.code, flow);
  assertEq(second.status, 400, 'second exchange status');
  assertEq(second.json.error, 'invalid_grant', 'second exchange error');
});

check('oidcc-codereuse-30seconds', PLAN, async (t) => {
  const b = new Browser();
  const flow = await t.code(b);
  const first = await t.exchange(flow.code, flow);
  assertEq(first.status, 200, 'first exchange');
  await sleep(Number(process.env.CODEREUSE_WAIT_MS ?? 30000));
  const second = await t.exchange(flow.code, flow);
  assertEq(second.json?.error, 'invalid_grant', 'reuse is invalid_grant');
  const info = await t.userinfo(first.json.access_token);
  assert(info.status === 401 || info.status === 400, `the first exchange's access token is revoked (userinfo ${info.status})`);
});

check('oidcc-ensure-registered-redirect-uri', PLAN, async (t) => {
  const { url } = await t.authorizeUrl({ redirect_uri: 'https://attacker.example/cb' });
  const res = await new Browser().request(url);
  assert(!res.location || new URL(res.location).origin === t.origin, `must not redirect to an unregistered URI: ${res.location}`);
  const followed = await new Browser().follow(url, t.origin);
  assert(!followed.location, 'no redirect at the end either');
  assert(followed.status >= 400, `an error page (status ${followed.status})`);
});

check('oidcc-redirect-uri-query-added', PLAN, async (t) => {
  const { url } = await t.authorizeUrl({ redirect_uri: `${t.client().redirect_uri}?extra=1` });
  const res = await new Browser().follow(url, t.origin);
  assert(!res.location, `a redirect URI with an added query is not registered: ${res.location}`);
});

check('oidcc-ensure-post-request-succeeds', PLAN, async (t) => {
  const req = await t.authorizeUrl();
  const meta = await t.metadata();
  const b = new Browser();
  const out = await t.interact(b, meta.authorization_endpoint, { method: 'POST', form: req.params });
  assert(out.location, 'POST authorization returns to the client');
  const code = new URL(out.location).searchParams.get('code');
  assertEq((await t.exchange(code, req)).status, 200, 'token');
});

check('oidcc-server-client-secret-post', PLAN, async (t) => {
  const { tokens } = await t.loggedIn({}, 'post');
  assert(tokens.id_token, 'client_secret_post works');
});

check('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported', PLAN, async (t) => {
  const meta = await t.metadata();
  if (meta.request_uri_parameter_supported !== false) skip('request_uri may be supported');
  const { url } = await t.authorizeUrl({ request_uri: 'https://rp.example/request.jwt' });
  const res = await new Browser().follow(url, t.origin);
  const err = res.location ? new URL(res.location).searchParams.get('error') : null;
  assert(['request_uri_not_supported', 'invalid_request_uri', 'invalid_request'].includes(err) || (!res.location && res.status >= 400), `rejected (error ${err}, status ${res.status})`);
});

check('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported', PLAN, async (t) => {
  const meta = await t.metadata();
  if (meta.request_parameter_supported !== false) skip('request objects may be supported');
  const obj = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
  const { url } = await t.authorizeUrl({ request: obj });
  const res = await new Browser().follow(url, t.origin);
  const err = res.location ? new URL(res.location).searchParams.get('error') : null;
  assert(['request_not_supported', 'invalid_request_object', 'invalid_request'].includes(err) || (!res.location && res.status >= 400), `rejected (error ${err})`);
});

check('oidcc-claims-essential', PLAN, async (t) => {
  const claims = JSON.stringify({ userinfo: { name: { essential: true } } });
  const { tokens } = await t.loggedIn({ scope: 'openid', claims });
  const info = await t.userinfo(tokens.access_token);
  assertEq(info.status, 200, 'the request with a claims parameter succeeds');
});

check('oidcc-ensure-request-with-valid-pkce-succeeds', PLAN, async (t) => {
  const b = new Browser();
  const flow = await t.code(b);
  const bad = await t.token({ grant_type: 'authorization_code', code: flow.code, redirect_uri: t.client().redirect_uri, code_verifier: `${flow.verifier}x` });
  assertEq(bad.json?.error, 'invalid_grant', 'a wrong verifier is invalid_grant');
  const flow2 = await t.code(b);
  assertEq((await t.exchange(flow2.code, flow2)).status, 200, 'the right verifier works');
});

check('oidcc-ensure-request-with-valid-pkce-succeeds/plain-refused', PLAN, async (t) => {
  const { url } = await t.authorizeUrl({ code_challenge_method: 'plain' });
  const res = await new Browser().follow(url, t.origin);
  const err = res.location ? new URL(res.location).searchParams.get('error') : null;
  assertEq(err, 'invalid_request', 'plain PKCE is refused');
});
