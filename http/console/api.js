// The console's only way to the server: the public REST API with
// `Authorization: Bearer <token>`. The session (token, account id) lives in
// sessionStorage for the tab's life, never in the URL.

const TOKEN = 'sluice.token';
const ACCOUNT = 'sluice.account';

export function session() {
  return { token: sessionStorage.getItem(TOKEN), account: sessionStorage.getItem(ACCOUNT) };
}

export function signIn(token, account) {
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(ACCOUNT, account);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(ACCOUNT);
}

/** An API answer that was not `success`: the envelope's messages, with the HTTP status. */
export class ApiError extends Error {
  constructor(status, messages) {
    super(`${status}: ${messages.join('; ')}`);
    this.status = status;
  }
}

/**
 * The whole v4 envelope of `method path` (path relative to the account);
 * throws ApiError with the API's own message when it is not a success.
 */
export async function call(method, path, body) {
  const s = session();
  const res = await fetch(`/client/v4/accounts/${encodeURIComponent(s.account)}${path}`, {
    method,
    headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const env = await res.json().catch(() => null);
  if (!env || !env.success) {
    const msgs = env && env.errors && env.errors.length ? env.errors.map((e) => e.message) : [res.statusText || 'no JSON answer'];
    throw new ApiError(res.status, msgs);
  }
  return env;
}

/** Only the `result` of call(). */
export async function api(method, path, body) {
  return (await call(method, path, body)).result;
}

/** The Prometheus text of GET /metrics (needs no token), or null if it cannot be read. */
export async function prometheusText() {
  try {
    const res = await fetch('/metrics');
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}
