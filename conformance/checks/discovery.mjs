// oidcc-config-certification-test-plan: OIDCCDiscoveryEndpointVerification, split into
// the condition groups the suite runs (CheckDiscEndpoint*, ValidateServerJWKs …).

import { check, assert, assertEq } from '../lib/registry.mjs';

const PLAN = 'config';
const M = 'oidcc-discovery-endpoint-verification';

check(`${M}/issuer`, PLAN, async (t) => {
  const res = await fetch(`${t.issuer}/.well-known/openid-configuration`);
  assertEq(res.status, 200, 'discovery status');
  assert((res.headers.get('content-type') || '').startsWith('application/json'), 'discovery is JSON');
  const m = await res.json();
  assertEq(m.issuer, t.issuer, 'issuer (CheckDiscEndpointIssuer)');
  assert(!m.issuer.endsWith('/'), 'issuer has no trailing slash');
});

check(`${M}/required-metadata`, PLAN, async (t) => {
  const m = await t.metadata();
  for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported']) {
    assert(m[k] !== undefined, `${k} is required`);
  }
});

check(`${M}/endpoints-https`, PLAN, async (t) => {
  const m = await t.metadata();
  for (const [k, v] of Object.entries(m)) {
    if (k.endsWith('_endpoint') || k === 'jwks_uri') assert(v.startsWith('https://'), `${k} must be https: ${v}`);
  }
});

check(`${M}/userinfo-endpoint`, PLAN, async (t) => {
  const m = await t.metadata();
  assert(typeof m.userinfo_endpoint === 'string', 'userinfo_endpoint present (CheckDiscEndpointUserinfoEndpoint)');
});

check(`${M}/scopes-supported`, PLAN, async (t) => {
  const m = await t.metadata();
  assert(Array.isArray(m.scopes_supported) && m.scopes_supported.includes('openid'), 'scopes_supported contains openid');
});

check(`${M}/response-types-supported`, PLAN, async (t) => {
  const m = await t.metadata();
  assert(m.response_types_supported.includes('code'), 'response_types_supported includes code');
  for (const rt of m.response_types_supported) {
    assert(rt.split(' ').every((p) => ['code', 'id_token', 'token', 'none'].includes(p)), `unknown response type ${rt}`);
  }
});

check(`${M}/subject-types-supported`, PLAN, async (t) => {
  const m = await t.metadata();
  assert(m.subject_types_supported.length > 0, 'non-empty');
  for (const s of m.subject_types_supported) assert(['public', 'pairwise'].includes(s), `unknown subject type ${s}`);
});

check(`${M}/id-token-signing-algs`, PLAN, async (t) => {
  const m = await t.metadata();
  assert(m.id_token_signing_alg_values_supported.includes('RS256'), 'RS256 is supported (OIDC Core §15.1)');
  assert(!m.id_token_signing_alg_values_supported.includes('none'), 'alg none is not offered');
});

check(`${M}/claims`, PLAN, async (t) => {
  const m = await t.metadata();
  if (m.claims_parameter_supported !== undefined) assertEq(typeof m.claims_parameter_supported, 'boolean', 'claims_parameter_supported type');
  if (m.claims_supported !== undefined) {
    assert(Array.isArray(m.claims_supported) && m.claims_supported.includes('sub'), 'claims_supported lists sub');
  }
});

check(`${M}/grant-and-auth-methods`, PLAN, async (t) => {
  const m = await t.metadata();
  const grants = m.grant_types_supported ?? ['authorization_code', 'implicit'];
  assert(grants.includes('authorization_code'), 'authorization_code grant advertised');
  const auth = m.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  assert(auth.includes('client_secret_basic'), 'client_secret_basic advertised');
  assert(!auth.includes('none') || (m.code_challenge_methods_supported ?? []).includes('S256'), 'public clients imply PKCE S256');
});

check(`${M}/jwks`, PLAN, async (t) => {
  const m = await t.metadata();
  const res = await fetch(m.jwks_uri);
  assertEq(res.status, 200, 'jwks status');
  const jwks = await res.json();
  assert(Array.isArray(jwks.keys) && jwks.keys.length > 0, 'keys array');
  const kids = jwks.keys.map((k) => k.kid);
  assert(kids.every(Boolean), 'every key has a kid (ValidateServerJWKs)');
  assertEq(new Set(kids).size, kids.length, 'distinct kids');
  for (const k of jwks.keys) {
    for (const p of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert(k[p] === undefined, `private member ${p} published in ${k.kid}`);
    assert(!k.use || k.use === 'sig', `key ${k.kid} use ${k.use}`);
  }
});

check(`${M}/jwks-key-strength`, PLAN, async (t) => {
  for (const k of (await t.jwks()).keys) {
    if (k.kty === 'RSA') assert(Buffer.from(k.n, 'base64url').length >= 256, `RSA key ${k.kid} is at least 2048 bits`);
    if (k.kty === 'EC') assert(['P-256', 'P-384', 'P-521'].includes(k.crv) && k.x && k.y, `EC key ${k.kid} well-formed`);
    if (k.kty === 'OKP') assert(k.crv === 'Ed25519' && k.x, `OKP key ${k.kid} well-formed`);
  }
  const m = await t.metadata();
  for (const alg of m.id_token_signing_alg_values_supported) {
    const ktys = { RS256: 'RSA', ES256: 'EC', EdDSA: 'OKP', PS256: 'RSA' };
    if (ktys[alg]) assert((await t.jwks()).keys.some((k) => k.kty === ktys[alg]), `a key for advertised ${alg}`);
  }
});

check('oidcc-rp-initiated-logout-discovery-endpoint-verification', 'logout', async (t) => {
  const m = await t.metadata();
  assert(typeof m.end_session_endpoint === 'string' && m.end_session_endpoint.startsWith('https://'), 'end_session_endpoint is https');
});
