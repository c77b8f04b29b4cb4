/* global document, location */
/**
 * What a supplier's own pages add around Gaskit widgets, written with the public SDK only
 * (`/dist/sdk.js`). Every demo site loads it with `<body data-tenant="…">`.
 *
 * - The site's low-vision switch (`[data-vision-toggle]`): the site's own styles follow
 *   `html.low-vision`, and the widgets get `vision="low"`. The choice is the SDK's preference, so
 *   the portal's own switch and this one stay in step across the site's pages. The cabinet page
 *   has none of its own: the portal's switch in its header serves the whole page there.
 * - Pages that need a signed-in person: `<template data-signed-in>` is shown once someone is
 *   signed in (a `gaskit-login` on the page, or an earlier sign-in in this tab) and removed on
 *   sign-out; `[data-signed-out]` elements show only before that.
 * - `select[data-accounts]` inside it lists the person's accounts and sets `account-id` on the
 *   widget named by its `data-accounts` attribute.
 */
import { createClient } from '/dist/sdk.js';

const tenant = document.body.dataset.tenant;
const locale = document.documentElement.lang || 'ru';

/** A client over the same session and preferences as the widgets' own (same API base and tenant). */
function client() {
  return createClient({ apiBase: location.origin, tenant, locale, storage: 'session' });
}

const preferences = client().preferences;

function gaskitElements() {
  return [...document.querySelectorAll('*')].filter((el) => el.localName.startsWith('gaskit-'));
}

function showVision(vision) {
  const low = vision === 'low';
  document.documentElement.classList.toggle('low-vision', low);
  for (const button of document.querySelectorAll('[data-vision-toggle]')) {
    button.textContent = low ? button.dataset.standardLabel : button.dataset.lowLabel;
  }
}

function setVision(vision) {
  preferences.setVision(vision);
  for (const el of gaskitElements()) el.setAttribute('vision', vision);
  showVision(vision);
}

for (const button of document.querySelectorAll('[data-vision-toggle]')) {
  button.addEventListener('click', () =>
    setVision(document.documentElement.classList.contains('low-vision') ? 'standard' : 'low'),
  );
}
document.addEventListener('gaskit-vision-changed', (event) => showVision(event.detail.vision));
showVision(preferences.vision);

/** Whether this tab holds a session of a confirmed person who may use the cabinet. */
async function signedIn() {
  const c = client();
  if (!c.session.isSignedIn) return false;
  try {
    const me = await c.me.get();
    return me.status === 'active' && !me.mustChangePassword;
  } catch {
    return false;
  }
}

async function fillAccounts(select) {
  const target = document.querySelector(select.dataset.accounts);
  const accounts = await client().accounts.list();
  select.replaceChildren(
    ...accounts.map((account) => {
      const option = document.createElement('option');
      option.value = account.id;
      option.textContent = account.address ? `№ ${account.number}, ${account.address}` : `№ ${account.number}`;
      return option;
    }),
  );
  const choose = () => target?.setAttribute('account-id', select.value);
  select.addEventListener('change', choose);
  choose();
}

const stamped = new Map();

function showSignedIn(yes) {
  for (const el of document.querySelectorAll('[data-signed-out]')) el.hidden = yes;
  for (const template of document.querySelectorAll('template[data-signed-in]')) {
    if (yes && !stamped.has(template)) {
      const nodes = [...template.content.cloneNode(true).childNodes];
      template.after(...nodes);
      stamped.set(template, nodes);
      for (const node of nodes) {
        if (node.nodeType !== 1) continue;
        for (const select of [node, ...node.querySelectorAll('*')].filter((el) => el.matches('select[data-accounts]'))) {
          fillAccounts(select).catch(() => (select.disabled = true));
        }
      }
    } else if (!yes && stamped.has(template)) {
      for (const node of stamped.get(template)) node.remove();
      stamped.delete(template);
    }
  }
}

document.addEventListener('gaskit-signed-in', (event) => {
  const { me } = event.detail;
  if (me.status === 'active' && !me.mustChangePassword) showSignedIn(true);
});
document.addEventListener('gaskit-signed-out', () => showSignedIn(false));

showSignedIn(await signedIn());
