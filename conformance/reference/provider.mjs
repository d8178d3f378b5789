// node-oidc-provider (panva, OpenID Certified) configured minimally like propusk's
// conformance setup: the same clients, scopes and features. The checks run against it
// to prove they pass on a certified implementation.
//   node reference/provider.mjs PORT PKI_DIR OUT_DIR
// Writes OUT_DIR/target.json and serves until killed.

import Provider from 'oidc-provider';
import * as jose from 'jose';
import https from 'node:https';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const [,, port, pki, out] = process.argv;
const issuer = `https://localhost:${port}`;
const secret = () => randomBytes(32).toString('base64url');
const rp = 'https://rp.example';
const clients = {
  basic: { id: 'conformance-basic', secret: secret(), auth: 'client_secret_basic', redirect_uri: `${rp}/cb`, post_logout_redirect_uri: `${rp}/logged-out` },
  post: { id: 'conformance-post', secret: secret(), auth: 'client_secret_post', redirect_uri: `${rp}/cb` },
  other: { id: 'conformance-other', secret: secret(), auth: 'client_secret_basic', redirect_uri: `${rp}/cb` },
};

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'reference-rs256', alg: 'RS256', use: 'sig' };

const account = (id) => ({
  accountId: id,
  async claims() {
    return {
      sub: id,
      name: 'Иванов Иван Иванович', family_name: 'Иванов', given_name: 'Иван', middle_name: 'Иванович', updated_at: 0,
      email: 'ivanov@example.ru', email_verified: true,
      phone_number: '+79123456789', phone_number_verified: true,
    };
  },
});

const provider = new Provider(issuer, {
  clients: Object.values(clients).map((c) => ({
    client_id: c.id,
    client_secret: c.secret,
    redirect_uris: [c.redirect_uri],
    post_logout_redirect_uris: c.post_logout_redirect_uri ? [c.post_logout_redirect_uri] : [],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: c.auth,
  })),
  jwks: { keys: [jwk] },
  // POST authorization requests arrive cross-site, so node-oidc-provider insists on
  // SameSite=None session cookies when they are enabled.
  cookies: { keys: [secret()], long: { sameSite: 'none' } },
  findAccount: async (_ctx, id) => account(id),
  claims: {
    openid: ['sub'],
    profile: ['name', 'family_name', 'given_name', 'middle_name', 'updated_at'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'phone'],
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // OIDC Core §3.1.2.1 lets the authorization request be a POST; v9 makes it opt-in.
  enableHttpPostMethods: true,
  pkce: { required: () => true },
  rotateRefreshToken: true,
  async issueRefreshToken(_ctx, client, code) {
    return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
  },
});

mkdirSync(out, { recursive: true });
writeFileSync(`${out}/target.json`, JSON.stringify({
  name: 'node-oidc-provider',
  issuer,
  clients,
  user: { login: 'citizen-1', password: 'any' },
}, null, 2));

https.createServer({ key: readFileSync(`${pki}/server.key`), cert: readFileSync(`${pki}/server.pem`) }, provider.callback())
  .listen(Number(port), '127.0.0.1', () => console.log(`node-oidc-provider listening at ${issuer}`));
