// Run every check against one provider described by a JSON file:
//   node checks/run.mjs target.json [results.json] [--only substring]
// The file gives the issuer, the registered clients, a citizen's credentials and,
// optionally, a shell command that rotates the signing keys.

import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { Target } from '../lib/oidc.mjs';
import { runAll, checks } from '../lib/registry.mjs';
import './discovery.mjs';
import './basic.mjs';
import './refresh.mjs';
import './logout.mjs';

const [,, targetFile, outFile, ...rest] = process.argv;
const only = rest[0] === '--only' ? rest[1] : undefined;
const cfg = JSON.parse(readFileSync(targetFile, 'utf8'));
cfg.capabilities = {};
if (cfg.rotate_keys_cmd) {
  cfg.capabilities.rotateKeys = true;
  cfg.rotateKeys = async () => {
    execSync(cfg.rotate_keys_cmd, { stdio: 'inherit' });
    await new Promise((r) => setTimeout(r, 500));
  };
}
const target = new Target(cfg);
const results = await runAll(target, { only });
for (const r of results) {
  const mark = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }[r.status];
  console.log(`${mark}  ${r.name}${r.reason ? `  — ${r.reason}` : ''}`);
}
const passed = results.filter((r) => r.status === 'pass').length;
const failed = results.filter((r) => r.status === 'fail').length;
const skipped = results.filter((r) => r.status === 'skip').length;
console.log(`${cfg.name}: ${passed} passed, ${failed} failed, ${skipped} skipped (of ${checks.length} checks)`);
if (outFile) writeFileSync(outFile, JSON.stringify({ target: cfg.name, results }, null, 2));
process.exitCode = failed ? 1 : 0;
