// The official `cloudflare` SDK over HTTPS against a real Sluice server started
// with --tls-cert/--tls-key, trusting a throw-away CA through NODE_EXTRA_CA_CERTS
// (docs/operations.md, "TLS").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';

const CLIENT = fileURLToPath(new URL('./tls_sdk_client.mjs', import.meta.url));

let dir;
let server;

/** A CA and a certificate for 127.0.0.1 signed by it (the docs' openssl commands). */
function makeCertificates(into) {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'];
  const run = (args) => execFileSync('openssl', args, { cwd: into, stdio: 'pipe' });
  run(['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Sluice test CA']);
  run(['req', '-x509', ...key, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-keyout', 'server.key',
    '-out', 'server.pem', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'basicConstraints=critical,CA:FALSE']);
}

/** Runs the SDK client in a fresh Node process with `env` added. */
function runClient(env) {
  const r = spawnSync(process.execPath, [CLIENT], {
    env: {
      ...process.env,
      SLUICE_TLS_URL: server.baseURL,
      SLUICE_TLS_TOKEN: server.token,
      SLUICE_TLS_ACCOUNT: server.accountId,
      NODE_EXTRA_CA_CERTS: '',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-compat-tls-'));
  makeCertificates(dir);
  server = await startServer({
    args: ['--tls-cert', join(dir, 'server.pem'), '--tls-key', join(dir, 'server.key')],
  });
});

after(async () => {
  if (server) await server.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the server says https:// when it has a certificate', () => {
  assert.match(server.baseURL, /^https:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
});

test('SDK over https with NODE_EXTRA_CA_CERTS: create, send, pull, ack', () => {
  const r = runClient({ NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
  assert.equal(r.status, 0, `${r.output}\n${server.output()}`);
  assert.match(r.output, /^ok$/m);
});

test('SDK over https without the CA is refused for the certificate', () => {
  const r = runClient({});
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
});
