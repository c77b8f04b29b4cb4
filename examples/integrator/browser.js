/* global document, location, FormData */
// The integrator example in the browser: the SDK only, no widgets.
import { createClient, createIdempotencyKey, isGaskitError } from '/dist/sdk.js';

const $ = (id) => document.getElementById(id);
let client;

function say(text) {
  $('status').textContent = text;
}

/** The server's message in the person's language; the code stays for the developer's eyes in brackets. */
function problem(error) {
  say(isGaskitError(error) ? `Ошибка: ${error.message} [${error.code}]` : String(error));
}

/** A reading without the zeros the API pads it with: "2612.400" → "2612.4". */
function plainReading(value) {
  return value.includes('.') ? value.replace(/\.?0+$/, '') : value;
}

/** A billing period in words: "2026-11" → "ноябрь 2026 г.". */
function periodName(period) {
  return new Intl.DateTimeFormat('ru-RU', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${period}-01T00:00:00Z`),
  );
}

function cell(tag, text) {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

/** How a meter is named to the person: its serial number, or its name where the serial is not shown (basic mode). */
function meterName({ meter }) {
  return meter.serialNumber ? `№ ${meter.serialNumber}` : `«${meter.name}»`;
}

async function sendReading(accountId, meter, input) {
  try {
    const result = await client.readings.submit(
      { accountId, readings: [{ meterId: meter.meter.id, value: input.value }] },
      { idempotencyKey: createIdempotencyKey() },
    );
    const reading = result.readings[0];
    const when = result.queued
      ? `будет учтено в периоде «${periodName(result.period)}»`
      : `период «${periodName(result.period)}»`;
    say(`Показание ${plainReading(reading.value)} по счётчику ${meterName(meter)} принято (${reading.status}), ${when}.`);
  } catch (error) {
    problem(error);
  }
}

/** One account: its meters, the last readings and a field to send a new one. */
async function renderAccount(account) {
  const section = document.createElement('section');
  section.append(cell('h3', `№ ${account.number}${account.address ? `, ${account.address}` : ''}`));
  const history = await client.readings.history(account.id);
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['Счётчик', 'Последнее показание', 'Новое показание']) head.append(cell('th', title));
  for (const meter of history.meters) {
    const row = table.insertRow();
    row.append(cell('td', meterName(meter)), cell('td', meter.last ? plainReading(meter.last.value) : '—'));
    const td = document.createElement('td');
    const input = document.createElement('input');
    input.inputMode = 'decimal';
    input.setAttribute('aria-label', `Новое показание счётчика ${meterName(meter)}`);
    const send = cell('button', 'Передать');
    send.type = 'button';
    send.addEventListener('click', () => sendReading(account.id, meter, input));
    td.append(input, send);
    row.append(td);
  }
  section.append(table);
  return section;
}

async function showAccounts(me) {
  $('who').textContent = `Вы вошли как ${me.login}`;
  const accounts = await client.accounts.list();
  $('list').replaceChildren(...(await Promise.all(accounts.map(renderAccount))));
  if (accounts.length === 0) $('list').textContent = 'К кабинету не подключено ни одного лицевого счёта.';
  $('sign-in').hidden = true;
  $('accounts').hidden = false;
}

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  client = createClient({ apiBase: location.origin, tenant: form.get('tenant'), locale: 'ru' });
  say('Вход…');
  try {
    const { me } = await client.auth.signIn({ login: form.get('login'), password: form.get('password') });
    await showAccounts(me);
    say('');
  } catch (error) {
    problem(error);
  }
});

$('sign-out').addEventListener('click', async () => {
  await client.auth.signOut();
  $('accounts').hidden = true;
  $('sign-in').hidden = false;
  say('Вы вышли.');
});
