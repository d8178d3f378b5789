// Relying-party helpers for the checks: discovery, authorization through the hosted
// pages, token requests, ID token verification with `jose` (an independent JOSE
// implementation), userinfo.

import * as jose from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { Browser, submitForm } from './http.mjs';

export const b64url = (buf) => Buffer.from(buf).toString('base64url');
export const random = (n = 16) => b64url(randomBytes(n));
export const s256 = (verifier) => b64url(createHash('sha256').update(verifier).digest());

export class Target {
  constructor(cfg) {
    this.cfg = cfg;
    this.issuer = cfg.issuer;
    this.origin = new URL(cfg.issuer).origin;
  }
  async metadata() {
    if (!this._meta) {
      const res = await fetch(`${this.issuer}/.well-known/openid-configuration`);
      this._meta = await res.json();
    }
    return this._meta;
  }
  async jwks() {
    const meta = await this.metadata();
    return (await fetch(meta.jwks_uri, { cache: 'no-store' })).json();
  }
  client(name = 'basic') {
    return this.cfg.clients[name];
  }

  // An authorization URL with PKCE, state and nonce; `extra` overrides or adds
  // parameters (a value of null removes one).
  async authorizeUrl(extra = {}, clientName = 'basic') {
    const meta = await this.metadata();
    const client = this.client(clientName);
    const verifier = random(32);
    const params = {
      client_id: client.id,
      redirect_uri: client.redirect_uri,
      response_type: 'code',
      scope: 'openid',
      state: random(),
      nonce: random(),
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
      ...extra,
    };
    const url = new URL(meta.authorization_endpoint);
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) url.searchParams.set(k, v);
    return { url: url.toString(), params, verifier, client };
  }

  // Drive the hosted pages: log in when a password form shows, agree on a consent
  // form, until the browser leaves the OP. Returns { location, pages } where pages
  // lists the kinds of page seen.
  async interact(browser, url, { method = 'GET', form } = {}) {
    const pages = [];
    let res = await browser.follow(url, this.origin, { method, form });
    for (let i = 0; i < 6; i++) {
      if (res.location && new URL(res.location).origin !== this.origin) return { location: res.location, pages, res };
      if (res.status !== 200) return { location: null, pages, res };
      if (/type=["']?password/i.test(res.text)) {
        pages.push('login');
        res = await submitForm(browser, res, { login: this.cfg.user.login, password: this.cfg.user.password });
      } else if (/<form/i.test(res.text)) {
        pages.push('consent');
        res = await submitForm(browser, res, {}, 'allow');
      } else {
        return { location: null, pages, res };
      }
      if (res.location && new URL(res.location).origin === this.origin) res = await browser.follow(res.location, this.origin);
    }
    return { location: res.location, pages, res };
  }

  // Authorize and return the code response parameters.
  async code(browser, extra = {}, clientName = 'basic') {
    const req = await this.authorizeUrl(extra, clientName);
    const out = await this.interact(browser, req.url);
    if (!out.location) throw new Error(`the flow did not return to the client (status ${out.res.status})`);
    const back = new URL(out.location);
    return { ...req, back, pages: out.pages, code: back.searchParams.get('code'), query: Object.fromEntries(back.searchParams) };
  }

  async token(form, clientName = 'basic', { auth } = {}) {
    const meta = await this.metadata();
    const client = this.client(clientName);
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams(form);
    const method = auth ?? client.auth ?? 'client_secret_basic';
    if (method === 'client_secret_basic') {
      const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${enc(client.id)}:${enc(client.secret)}`).toString('base64')}`;
    } else if (method === 'client_secret_post') {
      body.set('client_id', client.id);
      body.set('client_secret', client.secret);
    }
    const res = await fetch(meta.token_endpoint, { method: 'POST', headers, body });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = null; }
    return { status: res.status, headers: res.headers, json, text };
  }

  async exchange(code, flow, clientName = 'basic') {
    return this.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.client(clientName).redirect_uri,
      code_verifier: flow.verifier,
    }, clientName);
  }

  // Verify an ID token's signature against the JWKS and its standard claims.
  async verifyIdToken(idToken, { clientName = 'basic', nonce } = {}) {
    const meta = await this.metadata();
    const jwks = jose.createLocalJWKSet(await this.jwks());
    const { payload, protectedHeader } = await jose.jwtVerify(idToken, jwks, {
      issuer: this.issuer,
      audience: this.client(clientName).id,
      algorithms: meta.id_token_signing_alg_values_supported,
    });
    if (nonce !== undefined && payload.nonce !== nonce) throw new Error(`nonce ${payload.nonce} != ${nonce}`);
    for (const c of ['sub', 'exp', 'iat']) if (payload[c] === undefined) throw new Error(`ID token lacks ${c}`);
    return { payload, header: protectedHeader };
  }

  async userinfo(accessToken, how = 'get-header') {
    const meta = await this.metadata();
    const init = how === 'get-header'
      ? { headers: { authorization: `Bearer ${accessToken}` } }
      : how === 'post-header'
        ? { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } }
        : { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: accessToken }) };
    const res = await fetch(meta.userinfo_endpoint, init);
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, json };
  }

  // A fresh browser that has logged in and holds tokens.
  async loggedIn(extra = {}, clientName = 'basic') {
    const browser = new Browser();
    const flow = await this.code(browser, extra, clientName);
    const tokens = await this.exchange(flow.code, flow, clientName);
    if (tokens.status !== 200) throw new Error(`token exchange failed: ${tokens.status} ${tokens.text}`);
    const id = await this.verifyIdToken(tokens.json.id_token, { clientName, nonce: flow.params.nonce });
    return { browser, flow, tokens: tokens.json, id };
  }
}

export { Browser };
