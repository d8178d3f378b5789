// The conformance run after conformance/run has started the servers: the checks
// against propusk and against node-oidc-provider side by side, the browser tests, and
// the four independent relying parties. Prints a table and `N passed, M failed`;
// writes results.json next to the targets. Exit status 1 on any failure.
//   node main.mjs RUN_DIR

import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Target } from './lib/oidc.mjs';
import { runAll } from './lib/registry.mjs';
import { drive } from './rp/driver.mjs';
import './checks/discovery.mjs';
import './checks/basic.mjs';
import './checks/refresh.mjs';
import './checks/logout.mjs';

const run = process.argv[2];
const here = new URL('.', import.meta.url).pathname;

function target(file) {
  const cfg = JSON.parse(readFileSync(file, 'utf8'));
  cfg.capabilities = {};
  if (cfg.rotate_keys_cmd) {
    cfg.capabilities.rotateKeys = true;
    cfg.rotateKeys = async () => {
      execFileSync('sh', ['-c', cfg.rotate_keys_cmd], { stdio: 'inherit' });
      await new Promise((r) => setTimeout(r, 500));
    };
  }
  return new Target(cfg);
}

const propuskFile = `${run}/propusk/target.json`;
console.log('== checks against propusk');
const ours = await runAll(target(propuskFile));
console.log('== the same checks against node-oidc-provider (certified reference)');
const ref = await runAll(target(`${run}/reference/target.json`));

console.log('== a real browser (Chromium + Playwright)');
const inBrowser = (name, script) => {
  try {
    const out = execFileSync('node', [`${here}browser/${script}`, propuskFile], { encoding: 'utf8', env: { ...process.env, SCREENSHOTS: `${run}/../screenshots` } });
    return { name, status: 'pass', reason: out.trim().split('\n').pop() };
  } catch (e) {
    return { name, status: 'fail', reason: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ') };
  }
};
const browser = inBrowser('browser: chromium/playwright login', 'login.mjs');
// Registration → level page → cabinet (standard) → a standard-level portal.
const browserRegister = inBrowser('browser: register, raise level, log in', 'register.mjs');

console.log('== independent relying parties over HTTPS');
const ca = process.env.NODE_EXTRA_CA_CERTS;
const rps = [
  await drive(propuskFile, 'rp: openid-client (npm)', 'node', [`${here}rp/openid-client.mjs`]),
  await drive(propuskFile, 'rp: oauth4webapi (npm)', 'node', [`${here}rp/oauth4webapi.mjs`]),
  await drive(propuskFile, 'rp: Authlib (PyPI)', process.env.PYTHON ?? 'python3', [`${here}rp/authlib_rp.py`], { REQUESTS_CA_BUNDLE: ca }),
  await drive(propuskFile, 'rp: openidconnect (crates.io)', process.env.RUST_RP, [], { CA_FILE: ca }),
];

const mark = (r) => (r ? { pass: 'pass', fail: 'FAIL', skip: 'skip' }[r.status] : '-');
const width = Math.max(...ours.map((r) => r.name.length), 40);
console.log(`\n${'check'.padEnd(width)}  ${'propusk'.padEnd(8)}  node-oidc-provider`);
for (const r of ours) {
  const other = ref.find((x) => x.name === r.name);
  console.log(`${r.name.padEnd(width)}  ${mark(r).padEnd(8)}  ${mark(other)}`);
}
for (const r of [browser, browserRegister, ...rps]) console.log(`${r.name.padEnd(width)}  ${mark(r).padEnd(8)}`);
const failures = [...ours.map((r) => ['propusk', r]), ...ref.map((r) => ['node-oidc-provider', r]), ...[browser, browserRegister, ...rps].map((r) => ['propusk', r])]
  .filter(([, r]) => r.status === 'fail');
for (const [who, r] of failures) console.log(`FAILED [${who}] ${r.name}: ${r.reason}`);
const all = [...ours, ...ref, browser, browserRegister, ...rps];
const passed = all.filter((r) => r.status === 'pass').length;
const skipped = all.filter((r) => r.status === 'skip').length;
console.log(`\npropusk: ${ours.filter((r) => r.status === 'pass').length}/${ours.length} checks; node-oidc-provider: ${ref.filter((r) => r.status === 'pass').length}/${ref.length}; ${skipped} skipped (not applicable)`);
writeFileSync(`${run}/results.json`, JSON.stringify({ propusk: ours, reference: ref, browser, browser_register: browserRegister, rps }, null, 2));
console.log(`conformance: ${passed} passed, ${failures.length} failed`);
process.exitCode = failures.length ? 1 : 0;
