// A real browser: headless Chromium (Debian's) driven by playwright-core logs a citizen
// in to the sample portal through propusk's hosted pages and lands back with a
// verified ID token. Screenshots of each page go to $SCREENSHOTS.
//   node browser/login.mjs target.json
// Env: CHROMIUM (default /usr/bin/chromium), SPKI (server key hash Chromium should
// trust), SCREENSHOTS (folder).

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { startPortal } from './portal.mjs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const shots = process.env.SCREENSHOTS ?? 'target/conformance/screenshots';
mkdirSync(shots, { recursive: true });
const c = cfg.clients.rps;
const portal = await startPortal({ issuer: cfg.issuer, clientId: c.id, clientSecret: c.secret, redirectUri: c.redirect_uri });
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
try {
  const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
  await page.goto('http://127.0.0.1:7001/login');
  await page.waitForSelector('input[name=login]');
  await page.screenshot({ path: `${shots}/1-login.png`, fullPage: true });
  await page.fill('input[name=login]', cfg.user.login);
  await page.fill('input[name=password]', cfg.user.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (await page.$('button[value=allow]')) {
    await page.screenshot({ path: `${shots}/2-consent.png`, fullPage: true });
    await Promise.all([page.waitForNavigation(), page.click('button[value=allow]')]);
  }
  await page.waitForSelector('#welcome', { timeout: 10000 });
  await page.screenshot({ path: `${shots}/3-portal.png`, fullPage: true });
  const welcome = await page.textContent('#welcome');
  if (!welcome.includes('Иванов Иван Иванович')) throw new Error(`unexpected greeting: ${welcome}`);
  if (!new URL(page.url()).pathname.startsWith('/callback')) throw new Error(`ended at ${page.url()}`);
  console.log(`OK browser: logged in through the hosted pages, portal greets "${welcome}"; screenshots in ${shots}`);
} catch (e) {
  failure = e;
  console.log(`FAIL browser: ${e.message}`);
} finally {
  await browser.close();
  portal.close();
}
process.exit(failure ? 1 : 0);
