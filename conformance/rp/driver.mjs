// Runs an independent relying party as a child process and plays the citizen's
// browser for it. The RP speaks a line protocol on stdout/stdin:
//   RP → "AUTHORIZE <url>"  driver logs in on the hosted pages, answers "CALLBACK <url>"
//   RP → "LOGOUT <url>"     driver follows the logout, answers "CALLBACK <url>"
//   RP → "STEP <text>"      progress, shown in the report
//   RP → "OK <text>" and exit 0 on success; anything else is a failure.
//   node rp/driver.mjs target.json <name> <command> [args…]

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { Target, Browser } from '../lib/oidc.mjs';
import { submitForm } from '../lib/http.mjs';

export async function drive(targetFile, name, command, args, env = {}) {
  const cfg = JSON.parse(readFileSync(targetFile, 'utf8'));
  const target = new Target(cfg);
  const c = cfg.clients.rps;
  const child = spawn(command, args, {
    env: {
      ...process.env,
      ...env,
      ISSUER: cfg.issuer,
      CLIENT_ID: c.id,
      CLIENT_SECRET: c.secret,
      REDIRECT_URI: c.redirect_uri,
      POST_LOGOUT_REDIRECT_URI: c.post_logout_redirect_uri,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const browser = new Browser();
  const steps = [];
  let ok = null;
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const [word, ...rest] = line.split(' ');
    const arg = rest.join(' ');
    if (word === 'AUTHORIZE') {
      const out = await target.interact(browser, arg);
      child.stdin.write(`CALLBACK ${out.location ?? 'none'}\n`);
    } else if (word === 'LOGOUT') {
      let res = await browser.follow(arg, target.origin);
      if (!res.location && res.status === 200 && /<form/i.test(res.text)) res = await submitForm(browser, res, {});
      child.stdin.write(`CALLBACK ${res.location ?? 'none'}\n`);
    } else if (word === 'STEP') {
      steps.push(arg);
    } else if (word === 'OK') {
      ok = arg;
    }
  }
  const code = await new Promise((resolve) => child.on('close', resolve));
  const passed = code === 0 && ok !== null;
  return { name, status: passed ? 'pass' : 'fail', steps, reason: passed ? ok : `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` };
}
