// The check registry: each check is named after the OpenID Foundation conformance
// suite module it reproduces (a `/aspect` suffix marks one assertion group of a larger
// module). A check passes, fails (with the reason) or is skipped (with the reason).

export class Skip extends Error {}

export const checks = [];

export function check(name, plan, fn, { needs } = {}) {
  checks.push({ name, plan, fn, needs });
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function skip(reason) {
  throw new Skip(reason);
}

export async function runAll(target, { only } = {}) {
  const results = [];
  for (const c of checks) {
    if (only && !c.name.includes(only)) continue;
    const started = Date.now();
    try {
      if (c.needs && !target.cfg.capabilities?.[c.needs]) throw new Skip(`target cannot ${c.needs}`);
      await c.fn(target);
      results.push({ name: c.name, plan: c.plan, status: 'pass', ms: Date.now() - started });
    } catch (e) {
      const status = e instanceof Skip ? 'skip' : 'fail';
      results.push({ name: c.name, plan: c.plan, status, reason: e.message, ms: Date.now() - started });
    }
  }
  return results;
}
