import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Payment, PaymentElsewhere, PaymentHistory, PaymentListQuery } from '../../sdk/index.ts';
import { paymentsOf } from '../../sdk/payments.ts';
import '../../widgets/payment-history/define.ts';
import type { GaskitPaymentHistory } from '../../widgets/payment-history/index.ts';
import { fakeApi, translations, type FakeApiOptions } from './fake-api.ts';
import { shadowText, translated } from './helpers.ts';

before(async () => {
  for (const lng of ['ru', 'en']) {
    translations[lng]!.payments = (await (await fetch(`/locales/${lng}/payments.json`)).json()) as Record<string, unknown>;
  }
});

function payment(id: string, date: string, items: [string, number, number][], overrides: Partial<Payment> = {}): Payment {
  return {
    id,
    status: 'succeeded',
    provider: 'demo',
    currency: 'RUB',
    total: items.reduce((s, [, a, p]) => s + a + p, 0),
    items: items.map(([accountNumber, amount, penalties]) => ({
      accountId: `acc-${accountNumber}`,
      accountNumber,
      address: '',
      amount,
      penalties,
      hasReadings: false,
      readingsResult: null,
    })),
    nextAction: null,
    failureCode: null,
    refundedAmount: 0,
    confirmed: true,
    createdAt: date,
    succeededAt: date,
    receipt: {
      issuedAt: date,
      supplierName: 'Северогаз',
      supplierLegalName: 'ООО',
      supplierTaxId: '2900000001',
      url: `https://api.test/receipts/${id}`,
      sentTo: null,
    },
    ...overrides,
  };
}

const history: Payment[] = [
  payment(
    'p3',
    '2026-03-20T10:00:00.000Z',
    [
      ['1000001', 100_000, 2_500],
      ['1000002', 40_000, 0],
    ],
    { confirmed: false },
  ),
  payment('p2', '2026-03-02T10:00:00.000Z', [['1000001', 5_000, 0]], {
    status: 'failed',
    failureCode: 'generic_decline',
    receipt: null,
    succeededAt: null,
  }),
  payment('p1', '2026-02-10T10:00:00.000Z', [['1000001', 195_685, 0]]),
];

/** The server's answer for the months from `from` (default the last twelve to March 2026). */
type Answer = (from: string | undefined) => PaymentHistory;

const answer =
  (payments: Payment[], elsewhere: PaymentElsewhere[] = [], hasEarlier = true): Answer =>
  (from) => ({ payments, elsewhere, range: { from: from ?? '2025-04', to: '2026-03' }, hasEarlier });

async function setup(reply: Payment[] | Answer = history, routes: FakeApiOptions['routes'] = {}) {
  const respond = typeof reply === 'function' ? reply : answer(reply);
  const queries: PaymentListQuery[] = [];
  const { client, requests } = fakeApi({
    routes: { 'GET payments': () => ({ status: 200, body: respond(queries.at(-1)?.from) }), ...routes },
  });
  // The fake API sees paths without their query: the months asked are taken from the SDK call.
  const payments = paymentsOf(client);
  const list = payments.list.bind(payments);
  payments.list = (query = {}, options) => {
    queries.push(query);
    return list(query, options);
  };
  const element = await fixture<GaskitPaymentHistory>(html`<gaskit-payment-history .client=${client}></gaskit-payment-history>`);
  await translated(element, 'ru');
  await waitUntil(() => element.shadowRoot!.querySelector('[part="month"], [part="empty"]'), 'the history did not render');
  return { element, requests, queries };
}

const elsewhere = (period: string, accountNumber: string, amount: number): PaymentElsewhere => ({
  period,
  accountId: `acc-${accountNumber}`,
  accountNumber,
  address: '',
  amount,
});

const plain = (text: string) => text.replace(/\s+/g, ' ');
const toggles = (element: GaskitPaymentHistory) => [
  ...element.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="account-toggle"]'),
];

describe('gaskit-payment-history', () => {
  it('loads only the payments texts besides the common ones', async () => {
    const { requests } = await setup();
    expect(requests.filter((r) => r.startsWith('GET i18n/'))).to.deep.equal([
      'GET i18n/ru?ns=common,errors',
      'GET i18n/ru?ns=payments',
    ]);
  });

  it('groups payments by month with what was paid in each, newest first', async () => {
    const { element } = await setup();
    const titles = [...element.shadowRoot!.querySelectorAll('[part="month-title"]')].map((h) => plain(h.textContent!.trim()));
    expect(titles).to.deep.equal(['март 2026 г. Оплачено: 1 425,00 ₽', 'февраль 2026 г. Оплачено: 1 956,85 ₽']);
    await expect(element).to.be.accessible();
  });

  it('expands one account of a month into its payments with the receipt links, from the keyboard', async () => {
    const { element } = await setup();
    const [first] = toggles(element);
    // The declined attempt is listed inside, not counted as a payment.
    expect(plain(first!.textContent!)).to.contain('Лицевой счёт 1000001').and.contain('1 025,00 ₽').and.contain('1 платёж');
    expect(first!.getAttribute('aria-expanded')).to.equal('false');
    first!.focus();
    await sendKeys({ press: 'Enter' });
    await element.updateComplete;
    expect(first!.getAttribute('aria-expanded')).to.equal('true');
    const panel = element.shadowRoot!.getElementById(first!.getAttribute('aria-controls')!)!;
    expect(panel.hidden).to.equal(false);
    const rows = [...panel.querySelectorAll('tbody tr')].map((r) => plain(r.textContent!.trim()));
    expect(rows[0])
      .to.contain('1 000,00 ₽')
      .and.contain('25,00 ₽')
      .and.contain('Оплачен')
      .and.contain('ждёт подтверждения поставщиком');
    expect(rows[1]).to.contain('Не прошёл');
    const links = [...panel.querySelectorAll<HTMLAnchorElement>('[part="receipt-link"]')].map((a) => a.href);
    expect(links).to.deep.equal(['https://api.test/receipts/p3']);
    await expect(element).to.be.accessible();
  });

  it('says so when there are no payments', async () => {
    const { element } = await setup([]);
    expect(shadowText(element, '[part="empty"]')).to.equal('За этот период платежей нет.');
    await expect(element).to.be.accessible();
  });

  it('reloads when a payment on the page succeeds', async () => {
    const { element, requests } = await setup();
    const before = requests.filter((r) => r.startsWith('GET payments')).length;
    document.body.dispatchEvent(
      new CustomEvent('gaskit-payment-succeeded', {
        bubbles: true,
        composed: true,
        detail: { paymentId: 'p4', total: 100, accountIds: [] },
      }),
    );
    await waitUntil(() => requests.filter((r) => r.startsWith('GET payments')).length > before, 'the list was not reloaded');
    await element.updateComplete;
  });

  it('loads a year of earlier payments on request', async () => {
    const { element, requests } = await setup();
    const before = requests.filter((r) => r.startsWith('GET payments')).length;
    element.shadowRoot!.querySelector<HTMLButtonElement>('[part="button"]')!.click();
    await waitUntil(() => requests.filter((r) => r.startsWith('GET payments')).length > before, 'no earlier page was requested');
  });

  it('lists the payments made at a bank or the post office that billing booked, beside the cabinet’s', async () => {
    const { element } = await setup(
      answer(history, [elsewhere('2026-02', '1000001', 50_000), elsewhere('2026-01', '1000002', 48_000)]),
    );
    const titles = [...element.shadowRoot!.querySelectorAll('[part="month-title"]')].map((h) => plain(h.textContent!.trim()));
    expect(titles).to.deep.equal([
      'март 2026 г. Оплачено: 1 425,00 ₽',
      'февраль 2026 г. Оплачено: 2 456,85 ₽',
      'январь 2026 г. Оплачено: 480,00 ₽',
    ]);
    const february = toggles(element)[2]!;
    expect(plain(february.textContent!)).to.contain('Лицевой счёт 1000001').and.contain('2 456,85 ₽').and.contain('2 платежа');
    february.click();
    await element.updateComplete;
    const panel = element.shadowRoot!.getElementById(february.getAttribute('aria-controls')!)!;
    const rows = [...panel.querySelectorAll('tbody tr')].map((r) => plain(r.textContent!.trim()));
    expect(rows[0]).to.contain('в личном кабинете').and.contain('1 956,85 ₽');
    expect(rows[1])
      .to.contain('В банке, на почте или в кассе')
      .and.contain('по данным поставщика за месяц')
      .and.contain('500,00 ₽')
      .and.contain('Учтён поставщиком');
    await expect(element).to.be.accessible();
  });

  it('shows the months a year earlier when "Показать более ранние платежи" is pressed', async () => {
    const { element, queries } = await setup((from) =>
      from === '2024-04'
        ? answer([...history], [elsewhere('2025-03', '1000001', 70_000)], false)(from)
        : answer(history, [], true)(from),
    );
    const months = () =>
      [...element.shadowRoot!.querySelectorAll('[part="month-title"]')].map((h) => plain(h.textContent!.trim()));
    expect(months()).to.have.length(2);
    element.shadowRoot!.querySelector<HTMLButtonElement>('[part="button"]')!.click();
    await waitUntil(() => months().length === 3, 'the earlier months were not shown');
    expect(queries.at(-1)).to.deep.equal({ from: '2024-04' });
    expect(months()[2]).to.equal('март 2025 г. Оплачено: 700,00 ₽');
    expect(element.shadowRoot!.querySelector('[part="button"]'), 'nothing earlier is left to load').to.equal(null);
  });
});
