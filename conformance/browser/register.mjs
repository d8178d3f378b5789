// A real browser, second test: headless Chromium (Debian's) driven by playwright-core
// registers a new citizen through propusk's hosted pages (the code comes from the dev
// outbox), is refused by a portal that requires the standard level while the account is
// simplified (the level page, then access_denied at the portal), raises the account to
// the standard level in the cabinet (personal data, checked by the embedded verifier)
// and logs in to that portal, landing back with a verified ID token whose acr is
// urn:propusk:loa:standard. Screenshots of each page go to $SCREENSHOTS (register-*.png).
//   node browser/register.mjs target.json
// target.json gives the issuer, clients.standard (a portal registered with
// --min-trust-level standard, redirect URI on 127.0.0.1) and outbox_file.
// Env: CHROMIUM (default /usr/bin/chromium), SPKI (server key hash Chromium should
// trust), SCREENSHOTS (folder).

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { startPortal } from './portal.mjs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const shots = process.env.SCREENSHOTS ?? 'target/conformance/screenshots';
mkdirSync(shots, { recursive: true });
const c = cfg.clients.standard;
const portalOrigin = new URL(c.redirect_uri).origin;
const portal = await startPortal({
  issuer: cfg.issuer, clientId: c.id, clientSecret: c.secret, redirectUri: c.redirect_uri,
  port: Number(new URL(c.redirect_uri).port),
});

const citizen = {
  family: 'Смирнова', given: 'Анна', middle: 'Сергеевна',
  phone: '+7 903 555-01-23', normalized: '+79035550123', password: 'Rg7#kLm2!qWz',
};
const fullName = `${citizen.family} ${citizen.given} ${citizen.middle}`;
const personal = {
  birth_date: '1985-04-12', gender: 'female', passport_series: '4509', passport_number: '123456',
  passport_issued: '2005-05-20', passport_issuer: 'ОВД района Хамовники г. Москвы', passport_issuer_code: '770-001',
  snils: '123-456-789 64', inn: '500100732259',
};
const STANDARD_ACR = 'urn:propusk:loa:standard';
const LEVEL_HEADING = 'Нужен более высокий уровень учётной записи';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const outboxLines = () => (existsSync(cfg.outbox_file) ? readFileSync(cfg.outbox_file, 'utf8').split('\n').filter(Boolean) : []);

// The registration code sent to the citizen's phone after line `from` of the outbox
// (messages are written in the background: poll for up to 10 s).
async function codeFromOutbox(from) {
  for (let i = 0; i < 100; i++) {
    for (const line of outboxLines().slice(from).reverse()) {
      const m = JSON.parse(line);
      const code = m.text?.match(/регистрации в propusk: (\d{6})\b/)?.[1];
      if (m.channel === 'sms' && m.to === citizen.normalized && code) return code;
    }
    await sleep(100);
  }
  throw new Error(`no registration code for ${citizen.normalized} in ${cfg.outbox_file} within 10 s`);
}

let step = 0;
const shot = (page, name) => page.screenshot({ path: `${shots}/register-${String(++step).padStart(2, '0')}-${name}.png`, fullPage: true });

// Press a form's submit button and check where the browser ends (after redirects).
async function submit(page, form, expect, what) {
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
  const u = new URL(page.url());
  if (!expect.test(`${u.pathname}${u.search}`)) {
    const err = await page.$eval('#form-error', (e) => e.textContent.trim().replace(/\s+/g, ' ')).catch(() => '');
    throw new Error(`${what}: ended at ${page.url()}${err ? ` showing "${err}"` : ''}`);
  }
}

const attr = (page, sel, name) => page.$eval(sel, (e, n) => e.getAttribute(n), name);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    // Trust exactly the test server's key, nothing else.
    ...(process.env.SPKI ? [`--ignore-certificate-errors-spki-list=${process.env.SPKI}`] : []),
  ],
});
let failure = null;
let page;
try {
  page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();

  // 1. Registration: name and phone → code from the outbox → password → the cabinet.
  await page.goto(`${cfg.issuer}/register`);
  await page.waitForSelector('input[name=family_name]');
  await page.fill('input[name=family_name]', citizen.family);
  await page.fill('input[name=given_name]', citizen.given);
  await page.fill('input[name=middle_name]', citizen.middle);
  await page.fill('input[name=contact]', citizen.phone);
  await shot(page, 'form');
  const sent = outboxLines().length;
  await submit(page, 'form[action="/register"]', /^\/register\/[^/?]+$/, 'registration form');
  await page.waitForSelector('input[name=code]');
  const code = await codeFromOutbox(sent);
  await page.fill('input[name=code]', code);
  await shot(page, 'code');
  await submit(page, 'form:has(input[name=code])', /^\/register\/[^/?]+\/password$/, 'registration code');
  await page.fill('input[name=password]', citizen.password);
  await page.fill('input[name=password2]', citizen.password);
  await shot(page, 'password');
  await submit(page, 'form:has(input[name=password2])', /^\/cabinet\?done=registered$/, 'password');
  const heading = (await page.textContent('h1')).trim();
  if (heading !== fullName) throw new Error(`cabinet names "${heading}", expected "${fullName}"`);
  const initial = await attr(page, '#level', 'data-level');
  if (initial !== 'simplified') throw new Error(`a new account is "${initial}", expected simplified`);
  await shot(page, 'cabinet-simplified');

  // 2. The portal requires the standard level: propusk shows the level page, and
  //    "back to the portal" returns access_denied to the portal's callback.
  await page.goto(`${portalOrigin}/login`);
  await page.waitForSelector('h1');
  const levelHeading = (await page.textContent('h1')).trim();
  if (levelHeading !== LEVEL_HEADING) throw new Error(`simplified account at the standard portal: page "${levelHeading}" at ${page.url()}, expected the level page`);
  await shot(page, 'level-required');
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/abort"] button[type=submit]')]);
  const back = new URL(page.url());
  if (back.origin !== portalOrigin || back.pathname !== '/callback' || back.searchParams.get('error') !== 'access_denied') {
    throw new Error(`"Вернуться на портал" ended at ${page.url()}, expected ${c.redirect_uri}?error=access_denied`);
  }
  await page.waitForSelector('#error', { timeout: 10000 });
  const portalError = (await page.textContent('#error')).trim();
  if (portalError !== 'access_denied') throw new Error(`portal shows error "${portalError}"`);
  await shot(page, 'portal-denied');

  // 3. Personal data in the cabinet → pending → the embedded verifier → standard.
  await page.goto(`${cfg.issuer}/cabinet`);
  const form = 'form[action="/cabinet/personal"]';
  await page.waitForSelector(form);
  for (const [name, value] of Object.entries(personal)) {
    if (name === 'gender') await page.selectOption(`${form} select[name=gender]`, value);
    else await page.fill(`${form} input[name=${name}]`, value);
  }
  await shot(page, 'personal-data');
  await submit(page, form, /^\/cabinet\?done=personal$/, 'personal data');
  const dataState = await attr(page, '#data-state', 'data-state');
  if (dataState !== 'pending') throw new Error(`after submitting personal data the state is "${dataState}", expected pending`);
  await shot(page, 'personal-pending');
  const started = Date.now();
  let level = await attr(page, '#level', 'data-level');
  while (level !== 'standard') {
    if (Date.now() - started > 15000) {
      const st = await attr(page, '#data-state', 'data-state');
      throw new Error(`the account is still "${level}" (data ${st}) 15 s after submitting valid personal data`);
    }
    await sleep(500);
    await page.goto(`${cfg.issuer}/cabinet`);
    level = await attr(page, '#level', 'data-level');
  }
  const raisedIn = ((Date.now() - started) / 1000).toFixed(1);
  await shot(page, 'cabinet-standard');

  // 4. The same portal now lets the citizen in (consent on first use).
  await page.goto(`${portalOrigin}/login`);
  await page.waitForSelector('button[value=allow], #welcome, h1');
  if (await page.$('button[value=allow]')) {
    await shot(page, 'consent');
    await Promise.all([page.waitForNavigation(), page.click('button[value=allow]')]);
  }
  await page.waitForSelector('#welcome', { timeout: 10000 }).catch(async () => {
    throw new Error(`no portal greeting; ended at ${page.url()}: ${(await page.textContent('body')).trim().slice(0, 200)}`);
  });
  await shot(page, 'portal');
  const welcome = (await page.textContent('#welcome')).trim();
  if (!welcome.includes(fullName)) throw new Error(`unexpected greeting: ${welcome}`);
  const landed = new URL(page.url());
  if (landed.origin !== portalOrigin || landed.pathname !== '/callback') throw new Error(`ended at ${page.url()}`);
  const acr = (await page.textContent('#acr')).trim();
  if (acr !== STANDARD_ACR) throw new Error(`ID token acr "${acr}", expected ${STANDARD_ACR}`);
  console.log(`OK browser: registered "${fullName}" (code from the outbox), standard-level portal refused the simplified account (access_denied), personal data raised it to standard in ${raisedIn} s, portal greets "${welcome}" with acr ${acr}; screenshots in ${shots}`);
} catch (e) {
  failure = e;
  if (page) await page.screenshot({ path: `${shots}/register-failure.png`, fullPage: true }).catch(() => {});
  console.log(`FAIL browser (registration): ${e.message}`);
} finally {
  await browser.close();
  portal.close();
}
process.exit(failure ? 1 : 0);
