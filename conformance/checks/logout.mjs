// oidcc-rp-initiated-logout-certification-test-plan, every module, including the
// cases where the OP must not redirect.

import { check, assert, assertEq } from '../lib/registry.mjs';
import { Browser, submitForm } from '../lib/http.mjs';

const PLAN = 'logout';

async function endSession(t, browser, params) {
  const meta = await t.metadata();
  const url = new URL(meta.end_session_endpoint);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return browser.follow(url.toString(), t.origin);
}

// After a logout (possibly confirmed on a page), where did the browser go?
async function confirmIfAsked(t, browser, res) {
  if (res.location || res.status !== 200 || !/<form/i.test(res.text)) return res;
  const out = await submitForm(browser, res, {});
  return out.location && new URL(out.location).origin === t.origin ? browser.follow(out.location, t.origin) : out;
}

async function loggedOut(t, browser) {
  const flow = await t.authorizeUrl({ prompt: 'none' });
  const res = await browser.follow(flow.url, t.origin);
  return res.location && new URL(res.location).searchParams.get('error') === 'login_required';
}

const postLogout = (t) => t.client().post_logout_redirect_uri;

check('oidcc-rp-initiated-logout', PLAN, async (t) => {
  const { browser, tokens } = await t.loggedIn();
  let res = await endSession(t, browser, { id_token_hint: tokens.id_token, post_logout_redirect_uri: postLogout(t), state: 'st-logout' });
  res = await confirmIfAsked(t, browser, res);
  assert(res.location, 'redirected to post_logout_redirect_uri');
  const back = new URL(res.location);
  assertEq(`${back.origin}${back.pathname}`, postLogout(t), 'the registered URI');
  assertEq(back.searchParams.get('state'), 'st-logout', 'state');
  assert(await loggedOut(t, browser), 'the session ended');
});

check('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri', PLAN, async (t) => {
  const { browser, tokens } = await t.loggedIn();
  const res = await endSession(t, browser, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://attacker.example/logout', state: 's' });
  assert(!res.location, `must not redirect: ${res.location}`);
});

check('oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri', PLAN, async (t) => {
  const { browser, tokens } = await t.loggedIn();
  const res = await endSession(t, browser, { id_token_hint: tokens.id_token, post_logout_redirect_uri: `${postLogout(t)}?added=1`, state: 's' });
  assert(!res.location, `must not redirect: ${res.location}`);
});

check('oidcc-rp-initiated-logout-modified-id-token-hint', PLAN, async (t) => {
  const { browser, tokens } = await t.loggedIn();
  const [h, p, s] = tokens.id_token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  claims.sub = `${claims.sub}-modified`;
  const modified = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  const res = await endSession(t, browser, { id_token_hint: modified, post_logout_redirect_uri: postLogout(t), state: 's' });
  assert(!res.location, `must not redirect with a forged hint: ${res.location}`);
});

check('oidcc-rp-initiated-logout-no-id-token-hint', PLAN, async (t) => {
  const { browser } = await t.loggedIn();
  let res = await endSession(t, browser, { client_id: t.client().id, post_logout_redirect_uri: postLogout(t), state: 'st2' });
  assert(!res.location || res.status !== 200, 'asks or redirects');
  res = await confirmIfAsked(t, browser, res);
  if (res.location) assertEq(new URL(res.location).searchParams.get('state'), 'st2', 'state');
  assert(await loggedOut(t, browser), 'logged out after confirming');
});

check('oidcc-rp-initiated-logout-no-params', PLAN, async (t) => {
  const { browser } = await t.loggedIn();
  let res = await endSession(t, browser, {});
  assert(!res.location, 'nowhere to redirect');
  res = await confirmIfAsked(t, browser, res);
  assert(!res.location, 'still no redirect');
  assert(await loggedOut(t, browser), 'logged out after confirming');
});

check('oidcc-rp-initiated-logout-no-post-logout-redirect-uri', PLAN, async (t) => {
  const { browser, tokens } = await t.loggedIn();
  let res = await endSession(t, browser, { id_token_hint: tokens.id_token });
  res = await confirmIfAsked(t, browser, res);
  assert(!res.location, 'no redirect without post_logout_redirect_uri');
  assert(await loggedOut(t, browser), 'logged out');
});

check('oidcc-rp-initiated-logout-no-state', PLAN, async (t) => {
  const { browser, tokens } = await t.loggedIn();
  let res = await endSession(t, browser, { id_token_hint: tokens.id_token, post_logout_redirect_uri: postLogout(t) });
  res = await confirmIfAsked(t, browser, res);
  assert(res.location, 'redirected');
  assertEq(new URL(res.location).searchParams.get('state'), null, 'no state added');
});

check('oidcc-rp-initiated-logout-only-state', PLAN, async (t) => {
  const { browser } = await t.loggedIn();
  const res = await endSession(t, browser, { state: 'only' });
  assert(!res.location, 'state alone gives no redirect');
});

check('oidcc-rp-initiated-logout/csrf', PLAN, async (t) => {
  const { browser } = await t.loggedIn();
  const res = await endSession(t, new Browser(), { client_id: t.client().id, post_logout_redirect_uri: postLogout(t) });
  if (res.status === 200 && /<form/i.test(res.text)) {
    // Another browser's confirmation form must not end this browser's session.
    await submitForm(browser, res, {});
  }
  assert(!(await loggedOut(t, browser)), 'a confirmation made elsewhere does not log this browser out');
});
