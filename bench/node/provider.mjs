// node-oidc-provider configured like propusk for the benchmark (docs/performance.md,
// "Equivalent configurations"):
//   node bench/node/provider.mjs PORT OUT_DIR [POSTGRES_URL]
// Plain HTTP on 127.0.0.1 (as propusk in the bench); its state in memory (the default
// adapter) or, given a URL, in PostgreSQL (pg_adapter.mjs); ES256 signing for access
// tokens and ID tokens; two clients like propusk's; PKCE S256; refresh-token rotation.
// Writes OUT_DIR/clients.json and serves until killed.

import Provider from 'oidc-provider';
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { pgAdapter } from './pg_adapter.mjs';

const [,, port, out, databaseUrl] = process.argv;
const issuer = `http://127.0.0.1:${port}`;
const secret = () => randomBytes(32).toString('base64url');
const redirectUri = 'http://127.0.0.1:9/cb';
const apiResource = 'urn:propusk-bench:api';
const clients = {
  cc: { id: 'bench-cc', secret: secret() },
  web: { id: 'bench-web', secret: secret() },
};

// The same three algorithms propusk publishes (RS256, ES256, EdDSA), so the JWKS are
// alike; the portal asks for ES256 ID tokens from both, and access tokens are ES256.
const key = (type, opts, kid, alg) => ({
  ...generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig',
});
const keys = [
  key('ec', { namedCurve: 'P-256' }, 'bench-es256', 'ES256'),
  key('rsa', { modulusLength: 2048 }, 'bench-rs256', 'RS256'),
  key('ed25519', {}, 'bench-eddsa', 'EdDSA'),
];

const account = (id) => ({
  accountId: id,
  async claims() {
    return {
      sub: id,
      email: `${id.replace(/[^0-9a-z]/gi, '')}@bench.example`,
      email_verified: true,
    };
  },
});

const provider = new Provider(issuer, {
  ...(databaseUrl ? { adapter: await pgAdapter(databaseUrl) } : {}),
  clients: [
    {
      // client_credentials, client_secret_basic, JWT (ES256) access tokens.
      client_id: clients.cc.id,
      client_secret: clients.cc.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api',
    },
    {
      // The portal of the code flow and the refresh scenario.
      client_id: clients.web.id,
      client_secret: clients.web.secret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys },
  cookies: { keys: [secret()] },
  findAccount: async (_ctx, id) => account(id),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'offline_access', 'email', 'api'],
  features: {
    // The login form used once per simulated citizen before the clock starts.
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    // Access tokens for the API resource are JWTs signed with ES256, as propusk's.
    resourceIndicators: {
      enabled: true,
      defaultResource(ctx) {
        return ctx.oidc.params?.grant_type === 'client_credentials' ? apiResource : undefined;
      },
      useGrantedResource: () => false,
      getResourceServerInfo(_ctx, resource) {
        if (resource !== apiResource) throw new Error('unknown resource');
        return {
          scope: 'api',
          audience: issuer,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
  pkce: { required: () => true },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 2592000,
    ClientCredentials: 600,
    Grant: 2592000,
    Session: 43200,
    Interaction: 3600,
  },
  rotateRefreshToken: true,
  async issueRefreshToken(_ctx, client, code) {
    return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
  },
});

mkdirSync(out, { recursive: true });
writeFileSync(`${out}/clients.json`, JSON.stringify({ issuer, clients }, null, 2));

http.createServer(provider.callback())
  .listen(Number(port), '127.0.0.1', () => console.log(`node-oidc-provider listening at ${issuer}`));
