// Turning API values into text a person reads at a glance.

/** "3 s", "4 min 10 s", "2 h 5 min", "4 d 0 h" for a duration in seconds. */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** The age of the oldest message, or "—" for an empty queue (timestamp 0). */
export function age(timestampMs, nowMs = Date.now()) {
  return timestampMs ? duration((nowMs - timestampMs) / 1000) : '—';
}

/** "512 B", "1.5 kB", "3.2 MB" (1 kB = 1000 B, as the API's limits count). */
export function bytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Messages per second with one decimal, or "—" when not known yet. */
export function rate(perSecond) {
  if (perSecond === null || perSecond === undefined || Number.isNaN(perSecond)) return '—';
  return `${perSecond.toFixed(1)}/s`;
}

/** A local date and time for an RFC 3339 string or milliseconds. */
export function when(t) {
  if (!t) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleString();
}

/**
 * The body of a peeked or pulled message as text, with how it was shown:
 * text as is; json pretty-printed; bytes as UTF-8 text when they are valid
 * UTF-8, else the base64 the API sent. (Peek sends json and bytes base64.)
 */
export function decodeBody(m) {
  const type = (m.metadata && m.metadata['CF-Content-Type']) || m.content_type || 'json';
  if (type === 'text') return { type, shown: 'text', text: m.body };
  let raw;
  try {
    raw = Uint8Array.from(atob(m.body), (c) => c.charCodeAt(0));
  } catch {
    return { type, shown: 'as sent', text: String(m.body) };
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { type, shown: 'base64', text: m.body };
  }
  if (type === 'json') {
    try {
      return { type, shown: 'json', text: JSON.stringify(JSON.parse(text), null, 2) };
    } catch {
      return { type, shown: 'text', text };
    }
  }
  return { type, shown: 'utf-8', text };
}
