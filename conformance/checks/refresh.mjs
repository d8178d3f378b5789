// OIDCCRefreshToken (in the basic plan) and key rotation (OIDCCServerRotateKeys).

import * as jose from 'jose';
import { check, assert, assertEq, skip } from '../lib/registry.mjs';

const PLAN = 'refresh';
const M = 'oidcc-refresh-token';

async function withRefresh(t) {
  const meta = await t.metadata();
  if (!(meta.grant_types_supported ?? []).includes('refresh_token')) skip('refresh tokens not supported');
  const out = await t.loggedIn({ scope: 'openid email offline_access', prompt: 'consent' });
  assert(out.tokens.refresh_token, 'offline_access with consent gives a refresh token');
  return out;
}

check(M, PLAN, async (t) => {
  const { tokens, id } = await withRefresh(t);
  const res = await t.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
  assertEq(res.status, 200, `refresh: ${res.text}`);
  assert((res.headers.get('cache-control') || '').includes('no-store'), 'no-store');
  if (res.json.id_token) {
    const again = await t.verifyIdToken(res.json.id_token);
    for (const c of ['iss', 'sub', 'aud']) assertEq(JSON.stringify(again.payload[c]), JSON.stringify(id.payload[c]), `refreshed ID token ${c}`);
    if (id.payload.auth_time !== undefined) assertEq(again.payload.auth_time, id.payload.auth_time, 'auth_time unchanged (OIDC Core §12.2)');
  }
  const info = await t.userinfo(res.json.access_token);
  assertEq(info.status, 200, 'the refreshed access token works');
});

check(`${M}/client-binding`, PLAN, async (t) => {
  const { tokens } = await withRefresh(t);
  const other = await t.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, 'other');
  assertEq(other.status, 400, 'another client cannot use it');
  assertEq(other.json?.error, 'invalid_grant', 'error');
});

check(`${M}/rotation-and-reuse`, PLAN, async (t) => {
  const { tokens } = await withRefresh(t);
  const first = await t.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
  assertEq(first.status, 200, 'first refresh');
  if (!first.json.refresh_token || first.json.refresh_token === tokens.refresh_token) skip('the provider does not rotate refresh tokens');
  const reuse = await t.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
  assertEq(reuse.json?.error, 'invalid_grant', 'the old token is refused');
  const next = await t.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
  assertEq(next.json?.error, 'invalid_grant', 'reuse revoked the whole family');
});

check(`${M}/revocation`, PLAN, async (t) => {
  const meta = await t.metadata();
  if (!meta.revocation_endpoint) skip('no revocation endpoint');
  const { tokens } = await withRefresh(t);
  const c = t.client();
  const res = await fetch(meta.revocation_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}` },
    body: new URLSearchParams({ token: tokens.refresh_token, token_type_hint: 'refresh_token' }),
  });
  assertEq(res.status, 200, 'revocation status (RFC 7009)');
  const after = await t.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
  assertEq(after.json?.error, 'invalid_grant', 'a revoked refresh token is refused');
});

check(`${M}/introspection`, PLAN, async (t) => {
  const meta = await t.metadata();
  if (!meta.introspection_endpoint) skip('no introspection endpoint');
  const { tokens } = await withRefresh(t);
  const c = t.client();
  const ask = async (token) => (await fetch(meta.introspection_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}` },
    body: new URLSearchParams({ token }),
  })).json();
  assertEq((await ask(tokens.access_token)).active, true, 'access token active (RFC 7662)');
  assertEq((await ask(tokens.refresh_token)).active, true, 'refresh token active');
  assertEq((await ask('garbage')).active, false, 'garbage inactive');
});

check('oidcc-server-rotate-keys', 'config', async (t) => {
  const before = await t.loggedIn();
  const oldKid = jose.decodeProtectedHeader(before.tokens.id_token).kid;
  await t.cfg.rotateKeys();
  const jwks = await t.jwks();
  assert(jwks.keys.some((k) => k.kid === oldKid), 'the old kid stays published after rotation');
  const after = await t.loggedIn();
  const newKid = jose.decodeProtectedHeader(after.tokens.id_token).kid;
  assert(newKid !== oldKid, 'new tokens are signed with the new key');
  await t.verifyIdToken(before.tokens.id_token, {});
}, { needs: 'rotateKeys' });
