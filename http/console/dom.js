// Small DOM helpers. Nothing here sets inline styles or HTML strings: the
// console's CSP allows neither, and text is always text.

/** `<tag attrs>kids</tag>`; `on<event>` attributes become listeners, null/false ones are left out. */
export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k);
  return e;
}

/** A table with header `heads` and a tbody (returned as `.body`). */
export function table(id, heads) {
  const body = el('tbody');
  const t = el('table', { id }, el('thead', {}, el('tr', {}, heads.map((h) => el('th', {}, h)))), body);
  t.body = body;
  return t;
}

const errorBox = () => document.getElementById('error');

/** Shows `msg` (the API's own message) above the page; an empty one hides it. */
export function showError(msg) {
  const box = errorBox();
  box.textContent = msg || '';
  box.hidden = !msg;
}

/** A button running async `fn`; an error shows the API's message, success clears it. */
export function action(label, id, fn, cls) {
  return el('button', { id, type: 'button', class: cls, onclick: async () => {
    try {
      await fn();
      showError('');
    } catch (e) {
      showError(e.message);
    }
  } }, label);
}

/** A form calling async `fn(form)` on submit, with the same error handling as action(). */
export function form(attrs, fn, ...kids) {
  return el('form', { ...attrs, onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await fn(ev.target);
      showError('');
    } catch (e) {
      showError(e.message);
    }
  } }, ...kids);
}

/** A labelled control: `<label>text control</label>`. */
export function field(text, control) {
  return el('label', { class: 'field' }, el('span', {}, text), control);
}
