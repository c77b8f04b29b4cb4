import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ChargesRange, MonthlyCharges } from '../../sdk/index.ts';
import '../../widgets/charges/define.ts';
import type { GaskitCharges } from '../../widgets/charges/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { accountsApi, errorReply, linkedAccount, loadAccountTexts, monthCharges } from './account-fixtures.ts';
import type { FakeApiOptions } from './fake-api.ts';
import { shadowText, translated } from './helpers.ts';

before(loadAccountTexts);

const months: MonthlyCharges[] = [monthCharges('2026-10', 41.2, 35020, 1250), monthCharges('2026-09', 38.5, 32725)];

type Reply = ReturnType<NonNullable<FakeApiOptions['routes']>[string]>;

/** Renders `gaskit-charges` for account a1; `answer` gives the reply for the range asked. */
async function setup(
  answer: (range: ChargesRange) => Reply = () => ({ status: 200, body: { items: months } }),
  routes: FakeApiOptions['routes'] = {},
) {
  const ranges: ChargesRange[] = [];
  const { client, requests } = accountsApi({
    routes: { ...routes, 'GET accounts/a1/charges': () => answer(ranges.at(-1) ?? {}) },
  });
  // The fake API sees paths without their query: the range asked is taken from the SDK call.
  const read = client.accounts.charges.bind(client.accounts);
  client.accounts.charges = (id, range, options) => {
    ranges.push(range ?? {});
    return read(id, range, options);
  };
  const element = await fixture<GaskitCharges>(html`<gaskit-charges account-id="a1" .client=${client}></gaskit-charges>`);
  await translated(element, 'ru');
  await waitUntil(
    () => element.shadowRoot!.querySelector('[part="months"], [part="empty"], [part="pin-required"]'),
    'nothing rendered',
  );
  return { element, ranges, requests };
}

const root = (element: Element) => element.shadowRoot!;
const toggles = (element: GaskitCharges) => [...root(element).querySelectorAll<HTMLButtonElement>('[part="month-toggle"]')];
const plain = (text: string) => text.replace(/\s+/g, ' ').trim();

async function setMonth(element: GaskitCharges, id: 'from' | 'to', value: string): Promise<void> {
  const input = root(element).querySelector<HTMLInputElement>(`#${id}`)!;
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await element.updateComplete;
}

describe('gaskit-charges', () => {
  it('lists months newest first with their totals and penalties', async () => {
    const { element } = await setup();
    expect(toggles(element).map((t) => plain(t.textContent!))).to.deep.equal([
      'октябрь 2026 г. 362,70 ₽ в том числе пени 12,50 ₽',
      'сентябрь 2026 г. 327,25 ₽',
    ]);
    await expect(element).to.be.accessible();
  });

  it('expands a month into its lines by service from the keyboard', async () => {
    const { element } = await setup();
    const [, september] = toggles(element);
    september!.focus();
    await sendKeys({ press: 'Enter' });
    await element.updateComplete;
    expect(september!.getAttribute('aria-expanded')).to.equal('true');
    const panel = root(element).getElementById(september!.getAttribute('aria-controls')!)!;
    expect(panel.hidden).to.equal(false);
    expect(plain(panel.querySelector('tbody')!.textContent!)).to.equal('Газоснабжение 38,5 м³ 8,50 ₽ за м³ 327,25 ₽');
    expect(plain(panel.querySelector('tfoot')!.textContent!)).to.equal('Пени 0,00 ₽ Итого 327,25 ₽');
    expect(root(element).getElementById(toggles(element)[0]!.getAttribute('aria-controls')!)!.hidden).to.equal(true);
    await sendKeys({ press: 'Enter' });
    await element.updateComplete;
    expect(panel.hidden).to.equal(true);
    await expect(element).to.be.accessible();
  });

  it('names the months of the range in the page’s language, not the browser’s', async () => {
    const { element } = await setup();
    expect(root(element).querySelector('input[type="month"]')).to.equal(null);
    const from = root(element).querySelector<HTMLSelectElement>('#from')!;
    expect([...from.options].map((o) => [o.value, o.textContent!.trim()])).to.deep.equal([
      ['', 'любой'],
      ['2026-10', 'октябрь 2026 г.'],
      ['2026-09', 'сентябрь 2026 г.'],
    ]);
    expect(from.labels![0]!.textContent!.trim()).to.equal('С месяца');
    await expect(element).to.be.accessible();
  });

  it('narrows the list to a range of months', async () => {
    const { element, ranges } = await setup((range) => ({
      status: 200,
      body: { items: months.filter((m) => (!range.from || m.period >= range.from) && (!range.to || m.period <= range.to)) },
    }));
    await setMonth(element, 'from', '2026-10');
    root(element).querySelector<HTMLButtonElement>('[part="range"] button[type="submit"]')!.click();
    await waitUntil(() => toggles(element).length === 1, 'the list was not narrowed');
    expect(ranges.at(-1)).to.deep.equal({ from: '2026-10' });
    root(element).querySelectorAll<HTMLButtonElement>('[part="range"] button')[1]!.click();
    await waitUntil(() => toggles(element).length === 2, 'the whole list did not come back');
    expect(ranges.at(-1)).to.deep.equal({});
    expect(root(element).querySelector<HTMLInputElement>('#from')!.value).to.equal('');
  });

  it('refuses a range that ends before it starts', async () => {
    const { element, ranges } = await setup();
    await setMonth(element, 'from', '2026-10');
    await setMonth(element, 'to', '2026-09');
    root(element).querySelector<HTMLButtonElement>('[part="range"] button[type="submit"]')!.click();
    await element.updateComplete;
    expect(shadowText(element, '#range-error')).to.equal('Начало периода позже его конца.');
    expect(root(element).querySelector('#from')!.getAttribute('aria-invalid')).to.equal('true');
    expect(ranges).to.have.length(1);
    await expect(element).to.be.accessible();
  });

  it('says so when no month has charges', async () => {
    const { element } = await setup(() => ({ status: 200, body: { items: [] } }));
    expect(shadowText(element, '[part="empty"]')).to.equal('За выбранные месяцы начислений нет.');
    await expect(element).to.be.accessible();
  });

  it('asks for the PIN in basic mode and shows the charges once it is accepted', async () => {
    let extended = false;
    const { element, requests } = await setup(
      () => (extended ? { status: 200, body: { items: months } } : errorReply(403, 'pin_required')),
      {
        'POST accounts/a1/pin': () => {
          extended = true;
          return { status: 200, body: linkedAccount('1000001', { id: 'a1', mode: 'extended' }) };
        },
      },
    );
    expect(shadowText(element, '[part="pin-required"]')).to.contain('Начисления по месяцам доступны в расширенной версии.');
    expect(root(element).querySelector('[part="range"]')).to.equal(null);
    await expect(element).to.be.accessible();
    // "I have a PIN" and its texts load with the answer that asks for it.
    const asked = requests.flatMap((r) => /^GET i18n\/ru\?ns=(.+)$/.exec(r)?.[1]!.split(',') ?? []);
    expect(asked).to.include('pin').and.not.include('accounts');
    const pin = root(element).querySelector('gaskit-account-pin')!;
    expect(shadowText(pin, '[part="open-button"]')).to.equal('У меня есть PIN-код');
    pin.shadowRoot!.querySelector<HTMLButtonElement>('[part="open-button"]')!.click();
    await waitUntil(() => pin.shadowRoot!.querySelector('gaskit-text-field'), 'no PIN form');
    pin.shadowRoot!.querySelector<GaskitTextField>('gaskit-text-field')!.value = '4321';
    pin.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitUntil(() => toggles(element).length === 2, 'the charges were not shown');
    expect(root(element).querySelector('[part="range"]')).to.not.equal(null);
  });
});
