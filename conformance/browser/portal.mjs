// A sample portal (a relying party built on openid-client) for the browser test:
//   /login     starts the authorization-code flow with PKCE
//   /callback  exchanges the code, validates the ID token, greets the citizen; an error
//              response (e.g. access_denied), validated by openid-client, is shown in
//              #error (with #error-description)
// Listens on http://127.0.0.1:PORT (default 7001; the redirect URI registered for it).

import * as client from 'openid-client';
import http from 'node:http';

export async function startPortal({ issuer, clientId, clientSecret, redirectUri, port = 7001 }) {
  const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret));
  const pending = new Map();
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    try {
      if (url.pathname === '/login') {
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        const nonce = client.randomNonce();
        pending.set(state, { verifier, nonce });
        const to = client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri, scope: 'openid profile email', state, nonce, ui_locales: 'ru',
          code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
        });
        res.writeHead(302, { location: to.href }).end();
      } else if (url.pathname === '/callback') {
        const p = pending.get(url.searchParams.get('state'));
        if (!p) throw new Error('unknown state');
        pending.delete(url.searchParams.get('state'));
        let tokens;
        try {
          tokens = await client.authorizationCodeGrant(config, url, {
            pkceCodeVerifier: p.verifier, expectedState: url.searchParams.get('state'), expectedNonce: p.nonce, idTokenExpected: true,
          });
        } catch (e) {
          if (!(e instanceof client.AuthorizationResponseError)) throw e;
          // A valid error response (state and iss checked by openid-client).
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
            `<!doctype html><html lang="ru"><meta charset="utf-8"><title>Портал</title>
<body style="font-family:sans-serif;margin:40px"><h1 id="denied">Вход не выполнен</h1>
<p>error <code id="error">${esc(e.error)}</code>: <span id="error-description">${esc(e.error_description ?? '')}</span></p></body></html>`,
          );
          return;
        }
        const claims = tokens.claims();
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
          `<!doctype html><html lang="ru"><meta charset="utf-8"><title>Портал</title>
<body style="font-family:sans-serif;margin:40px"><h1 id="welcome">Добро пожаловать, ${esc(info.name)}</h1>
<p>ID token verified: sub <code id="sub">${esc(claims.sub)}</code>, acr <code id="acr">${esc(claims.acr)}</code>,
amr <code>${esc((claims.amr || []).join(' '))}</code></p><p>Email: ${esc(info.email ?? "—")}</p></body></html>`,
        );
      } else {
        res.writeHead(404).end('not found');
      }
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`portal error: ${e.message}`);
    }
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return server;
}
