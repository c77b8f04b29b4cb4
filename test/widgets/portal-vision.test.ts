import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { GaskitClient } from '../../sdk/index.ts';
import '../../widgets/login/define.ts';
import type { GaskitLogin } from '../../widgets/login/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { fakeApi, translations } from './fake-api.ts';
import { translated } from './helpers.ts';

before(async () => {
  for (const lng of ['ru', 'en']) {
    translations[lng]!.auth = (await (await fetch(`/locales/${lng}/auth.json`)).json()) as Record<string, unknown>;
    translations[lng]!.password = (await (await fetch(`/locales/${lng}/password.json`)).json()) as Record<string, unknown>;
  }
});

async function login(client: GaskitClient, vision = ''): Promise<{ el: GaskitLogin; field: GaskitTextField }> {
  const el = await fixture<GaskitLogin>(html`<gaskit-login .client=${client} vision=${vision}></gaskit-login>`);
  await translated(el, 'ru');
  await waitUntil(() => el.shadowRoot!.querySelector('gaskit-text-field'), 'the form did not render');
  const field = el.shadowRoot!.querySelector('gaskit-text-field')!;
  await field.updateComplete;
  return { el, field };
}

const fontSize = (el: Element) => parseFloat(getComputedStyle(el).fontSize);
const input = (field: GaskitTextField) => field.shadowRoot!.querySelector('input')!;

describe('low-vision mode of every widget', () => {
  beforeEach(() => localStorage.clear());

  it('gives a widget with vision="low" large black type and passes the mode to the widgets inside it', async () => {
    const standard = await login(fakeApi().client);
    const low = await login(fakeApi().client, 'low');
    expect(low.el.lowVision).to.equal(true);
    expect(fontSize(low.el)).to.be.at.least(22);
    expect(fontSize(low.el)).to.be.above(fontSize(standard.el));
    expect(getComputedStyle(low.el).color).to.equal('rgb(0, 0, 0)');
    expect(low.field.lowVision).to.equal(true);
    expect(getComputedStyle(input(low.field)).borderTopColor).to.equal('rgb(0, 0, 0)');
    expect(getComputedStyle(input(low.field)).borderTopWidth).to.equal('2px');
    expect(standard.field.lowVision).to.equal(false);
    await expect(low.el).to.be.accessible();
  });

  it('follows the person’s saved preference and switches when it changes', async () => {
    const { client } = fakeApi();
    const { el, field } = await login(client);
    expect(el.lowVision).to.equal(false);
    client.preferences.setVision('low');
    await waitUntil(() => el.lowVision && field.lowVision, 'the widget did not follow the preference');
    client.preferences.setVision('standard');
    await waitUntil(() => !el.lowVision && !field.lowVision, 'the widget did not switch back');
  });

  it('lets vision="standard" opt a widget out of a saved low-vision preference', async () => {
    const { client } = fakeApi();
    client.preferences.setVision('low');
    const { el, field } = await login(client, 'standard');
    expect(el.lowVision).to.equal(false);
    expect(field.lowVision).to.equal(false);
  });

  it('keeps its contrast when the host page sets lighter theme tokens on the element', async () => {
    const { client } = fakeApi({ tokens: { '--gaskit-color-text': '#9ca3af' } });
    const { el } = await login(client, 'low');
    el.style.setProperty('--gaskit-color-text', '#d1d5db');
    expect(getComputedStyle(el).color).to.equal('rgb(0, 0, 0)');
  });
});

describe('client.preferences', () => {
  beforeEach(() => localStorage.clear());

  it('keeps the vision mode and the chosen account for the next client of the same tenant', () => {
    const first = fakeApi().client;
    first.preferences.setVision('low');
    first.preferences.setAccountId('a7');
    expect(fakeApi().client.preferences.get()).to.deep.equal({ vision: 'low', accountId: 'a7' });
  });

  it('tells listeners what changed, once per change', () => {
    const { preferences } = fakeApi().client;
    const seen: unknown[] = [];
    preferences.events.on('changed', (p) => seen.push(p));
    preferences.setVision('low');
    preferences.setVision('low');
    preferences.setAccountId('a1');
    expect(seen).to.deep.equal([
      { vision: 'low', accountId: null },
      { vision: 'low', accountId: 'a1' },
    ]);
  });

  it('ignores malformed stored values', () => {
    const { client } = fakeApi();
    localStorage.setItem(`gaskit:preferences:${client.apiBase}:${client.tenant}`, '{"vision":"huge","accountId":42}');
    expect(client.preferences.get()).to.deep.equal({ vision: 'standard', accountId: null });
    localStorage.setItem(`gaskit:preferences:${client.apiBase}:${client.tenant}`, 'not json');
    expect(client.preferences.vision).to.equal('standard');
  });

  it('refuses an unknown vision mode', () => {
    expect(() => fakeApi().client.preferences.setVision('huge' as 'low')).to.throw(TypeError);
  });
});
