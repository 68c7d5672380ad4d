// Runs the real wrangler (from SLUICE_COMPAT_DIR) against a server from server.mjs,
// configured the way a user would point wrangler at Sluice.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const wranglerJs = join(process.env.SLUICE_COMPAT_DIR, 'node_modules/wrangler/bin/wrangler.js');

/** A wrangler runner for `server`: `run(...args)` resolves {code, out}; `ok` asserts success. */
export function wranglerFor(server) {
  const home = mkdtempSync(join(tmpdir(), 'sluice-wrangler-')); // no wrangler.toml around
  process.on('exit', () => rmSync(home, { recursive: true, force: true }));
  const run = (...args) => {
    const env = {
      ...process.env,
      CLOUDFLARE_API_BASE_URL: server.baseURL,
      CLOUDFLARE_API_TOKEN: server.token,
      CLOUDFLARE_ACCOUNT_ID: server.accountId,
      WRANGLER_SEND_METRICS: 'false',
      CI: '1',
      HOME: home,
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [wranglerJs, ...args], { env, cwd: home, timeout: 60000 },
        (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, out: stdout + stderr }));
    });
  };
  const ok = async (...args) => {
    const r = await run(...args);
    assert.equal(r.code, 0, `wrangler ${args.join(' ')} failed:\n${r.out}`);
    return r.out;
  };
  return { run, ok };
}
