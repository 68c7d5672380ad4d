// Sign in: a token and an account id (no endpoint lists a token's accounts).
import { signIn } from './api.js';
import { el, field } from './dom.js';

export async function render(ctx) {
  const token = el('input', { id: 'token', type: 'password', size: 50, required: true, autocomplete: 'off' });
  const account = el('input', { id: 'account', size: 34, required: true });
  ctx.main.replaceChildren(el('h1', {}, 'Sign in'),
    el('form', { id: 'signin', onsubmit: (ev) => {
      ev.preventDefault();
      signIn(token.value, account.value);
      ctx.go('#/queues');
    } }, field('Token', token), field('Account id', account), el('button', { id: 'signin-button' }, 'Sign in')),
    el('p', { class: 'hint' }, 'The token stays in this tab (sessionStorage) until you sign out; every call the console makes is an API call with it.'));
}
