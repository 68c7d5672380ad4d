// Starts the real `sluice serve` on an ephemeral port with a fresh data dir and
// a random bootstrap admin token, for the compatibility tests. SLUICE_BIN names
// the binary (ctest sets it; see CMakeLists.txt beside this file).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const READY_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 15000;
const KEEP = 64 * 1024; // keep the tail of the server's output for error messages

/**
 * `args`: extra flags of `sluice serve` (e.g. `--tls-cert`, `--tls-key`); with
 * TLS the server says `https://` and `baseURL` follows.
 */
export async function startServer({ args = [] } = {}) {
  const bin = process.env.SLUICE_BIN;
  if (!bin) throw new Error('SLUICE_BIN is not set (run through ctest, or export it)');
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-compat-'));
  const token = 'compat_' + randomBytes(16).toString('hex');
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args], {
    env: { ...process.env, SLUICE_BOOTSTRAP_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // Keep draining both pipes for the server's whole life so it never blocks on a log line.
  child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-KEEP)));
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-KEEP)));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  const output = () => `--- stderr:\n${stderr}\n--- stdout:\n${stdout}`;

  let port;
  let scheme;
  try {
    [scheme, port] = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `${bin} serve printed no 'listening on http(s)://127.0.0.1:PORT' within ` +
        `${READY_TIMEOUT_MS / 1000} s\n${output()}`)), READY_TIMEOUT_MS);
      const onData = () => {
        const m = stdout.match(/listening on (https?):\/\/127\.0\.0\.1:(\d+)/);
        if (m) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolve([m[1], Number(m[2])]);
        }
      };
      child.stdout.on('data', onData);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${e.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${bin} serve exited (code ${code}, signal ${signal}) before ` +
          `it was ready\n${output()}`));
      });
    });
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited.catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  return {
    port,
    token,
    baseURL: `${scheme}://127.0.0.1:${port}/client/v4`,
    accountId: randomBytes(16).toString('hex'),
    dataDir,
    output,
    /** SIGTERM, wait (SIGKILL after 15 s), remove the data dir; resolves {code, signal}. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}
