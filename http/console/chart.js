// Small line charts drawn as inline SVG (no library): one or more series of
// numbers over the same x axis, scaled to the largest value.

const NS = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 90;
const PAD = 4;

function svg(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * An <svg> chart titled `title` of `series` = [{name, cls, values: [number|null]}]
 * (nulls are gaps at the start); `unit` follows the largest value in the label.
 */
export function lineChart(id, title, series, unit = '') {
  const root = svg('svg', { id, class: 'chart', viewBox: `0 0 ${W} ${H + 16}`, width: W, height: H + 16, role: 'img' });
  const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = Math.max(1, ...all);
  const min = Math.min(0, ...all); // a net rate can be negative
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i) => PAD + (i * (W - 2 * PAD)) / (n - 1);
  const y = (v) => PAD + (H - 2 * PAD) * (1 - (v - min) / (max - min));
  const label = svg('title', {});
  label.textContent = title;
  root.append(label, svg('rect', { class: 'chart-frame', x: 0, y: 0, width: W, height: H }));
  for (const s of series) {
    const pts = s.values.map((v, i) => (v === null || v === undefined ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
    if (pts.length) root.append(svg('polyline', { class: `chart-line ${s.cls}`, points: pts.join(' ') }));
  }
  const legend = series.map((s) => {
    const last = s.values.filter((v) => v !== null && v !== undefined).pop();
    return `${s.name} ${last === undefined ? '—' : Number(last.toFixed(1))}`;
  }).join('  ');
  const text = svg('text', { class: 'chart-text', x: 2, y: H + 12 });
  text.textContent = `${title}: ${legend}  (max ${Number(max.toFixed(1))}${unit})`;
  root.append(text);
  return root;
}
