import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { CreatePaymentInput, GaskitClient, Payment, PaymentOptions } from '../../sdk/index.ts';
import '../../widgets/pay/define.ts';
import type { GaskitPay } from '../../widgets/pay/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { runFormWidgetSuite } from '../suites/form-widget.suite.ts';
import { fakeApi, translations, type FakeApiOptions } from './fake-api.ts';
import { shadowText, translated } from './helpers.ts';

// The widget's real texts, as the server serves them.
before(async () => {
  for (const lng of ['ru', 'en']) {
    const [payments, readings, errors] = await Promise.all(
      ['payments', 'readings', 'errors'].map(
        async (ns) => (await fetch(`/locales/${lng}/${ns}.json`)).json() as Promise<Record<string, unknown>>,
      ),
    );
    translations[lng]!.payments = payments!;
    translations[lng]!.readings = readings!;
    translations[lng]!.errors = { ...translations[lng]!.errors, ...errors };
  }
});

const options: PaymentOptions = {
  provider: 'demo',
  currency: 'RUB',
  minAmount: 100,
  maxAmount: 15_000_000,
  accounts: [
    {
      accountId: 'a1',
      accountNumber: '1000001',
      address: 'ул. Ленина, 1',
      supplierName: 'Северогаз',
      debt: 195_685,
      penalties: 1_250,
      pendingPaid: 0,
      due: { balance: 195_685, total: 195_685, amount: 194_435, penalties: 1_250 },
      hasMeters: false,
    },
    {
      accountId: 'a2',
      accountNumber: '1000002',
      address: 'ул. Мира, 2',
      supplierName: 'Северогаз',
      debt: 50_000,
      penalties: 0,
      pendingPaid: 20_000,
      due: { balance: 30_000, total: 30_000, amount: 30_000, penalties: 0 },
      hasMeters: false,
    },
  ],
};

function paymentOf(input: CreatePaymentInput, status: Payment['status'] = 'created', extra: Partial<Payment> = {}): Payment {
  const items = input.items.filter((i) => i.amount + i.penalties > 0);
  return {
    id: 'p1',
    status,
    provider: 'demo',
    currency: 'RUB',
    total: items.reduce((s, i) => s + i.amount + i.penalties, 0),
    items: items.map((i) => ({
      accountId: i.accountId,
      accountNumber: i.accountId === 'a1' ? '1000001' : '1000002',
      address: '',
      amount: i.amount,
      penalties: i.penalties,
      hasReadings: false,
      readingsResult: null,
    })),
    nextAction: null,
    failureCode: null,
    refundedAmount: 0,
    confirmed: false,
    createdAt: '2026-03-16T10:00:00.000Z',
    succeededAt: null,
    receipt: null,
    ...extra,
  };
}

const receipt = {
  issuedAt: '2026-03-16T10:00:00.000Z',
  supplierName: 'Северогаз',
  supplierLegalName: 'ООО',
  supplierTaxId: '2900000001',
  url: 'https://api.test/r/abc',
  sentTo: { channel: 'email' as const, to: 'i***@example.test' },
};

interface Setup {
  element: GaskitPay;
  requests: string[];
  calls: { path: string; body: unknown; idempotencyKey?: string }[];
  created: () => CreatePaymentInput;
}

async function setup(routes: FakeApiOptions['routes'] = {}, opts: PaymentOptions = options): Promise<Setup> {
  let lastCreated: CreatePaymentInput = { items: [] };
  const { client, requests } = fakeApi({
    routes: {
      'GET payments/options': () => ({ status: 200, body: opts }),
      'POST payments': (body) => {
        lastCreated = body as CreatePaymentInput;
        return { status: 201, body: { payment: paymentOf(lastCreated), client: { provider: opts.provider } } };
      },
      'POST payments/p1/demo/confirm': (body) => {
        const number = (body as { cardNumber: string }).cardNumber.replace(/\s/g, '');
        if (number === '4000000000000002')
          return { status: 200, body: paymentOf(lastCreated, 'failed', { failureCode: 'generic_decline' }) };
        if (number === '4000000000003220')
          return { status: 200, body: paymentOf(lastCreated, 'requires_action', { nextAction: 'authenticate' }) };
        return { status: 200, body: paymentOf(lastCreated, 'succeeded', { receipt }) };
      },
      'POST payments/p1/demo/authenticate': () => ({ status: 200, body: paymentOf(lastCreated, 'succeeded', { receipt }) }),
      ...routes,
    },
  });
  const calls: Setup['calls'] = [];
  const request = client.request.bind(client) as GaskitClient['request'];
  client.request = ((path: string, o?: { body?: unknown; idempotencyKey?: string }) => {
    calls.push({ path, body: o?.body, idempotencyKey: o?.idempotencyKey });
    return request(path, o);
  }) as GaskitClient['request'];
  const element = await fixture<GaskitPay>(html`<gaskit-pay .client=${client}></gaskit-pay>`);
  await translated(element, 'ru');
  await waitUntil(() => element.shadowRoot!.querySelector('form'), 'the pay form did not render');
  await Promise.all(fields(element).map((f) => translated(f, 'ru')));
  return { element, requests, calls, created: () => lastCreated };
}

function fields(element: GaskitPay): GaskitTextField[] {
  return [...element.shadowRoot!.querySelectorAll('gaskit-text-field')];
}

function field(element: GaskitPay, name: string): GaskitTextField {
  return element.shadowRoot!.querySelector<GaskitTextField>(`gaskit-text-field[name="${name}"]`)!;
}

function inputOf(textField: GaskitTextField): HTMLInputElement {
  return textField.shadowRoot!.querySelector('input')!;
}

async function retype(element: GaskitPay, name: string, text: string): Promise<void> {
  const input = inputOf(field(element, name));
  input.focus();
  input.select();
  await sendKeys({ press: 'Backspace' });
  if (text) await sendKeys({ type: text });
}

function button(element: GaskitPay, text: string): HTMLButtonElement {
  const found = [...element.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) =>
    b.textContent?.replace(/\s+/g, ' ').trim().startsWith(text),
  );
  if (!found) throw new Error(`no button "${text}"`);
  return found;
}

const plain = (text: string) => text.replace(/\s+/g, ' ');

async function toCard(element: GaskitPay): Promise<void> {
  button(element, 'Далее').click();
  await waitUntil(() => field(element, 'cardNumber'), 'the card step did not open');
  await Promise.all(fields(element).map((f) => translated(f, 'ru')));
}

async function payWith(element: GaskitPay, number: string): Promise<void> {
  inputOf(field(element, 'cardNumber')).focus();
  await sendKeys({ type: number });
  inputOf(field(element, 'expiry')).focus();
  await sendKeys({ type: '12/39' });
  inputOf(field(element, 'cvc')).focus();
  await sendKeys({ type: '123' });
  button(element, 'Оплатить').click();
}

runFormWidgetSuite('gaskit-pay (card step)', async () => {
  const { element, requests } = await setup();
  await toCard(element);
  return { element, requests: () => requests };
});

describe('gaskit-pay', () => {
  it('pre-fills what is due: Сумма and Пени that together make the debt, less what is paid and not booked yet', async () => {
    const { element } = await setup();
    expect(field(element, 'items.0.amount').value).to.equal('1944,35');
    expect(field(element, 'items.0.penalties').value).to.equal('12,50');
    expect(plain(shadowText(element, '[part="account"]:nth-child(1) [part="due"]'))).to.equal('Долг: 1 956,85 ₽');
    expect(field(element, 'items.1.amount').value).to.equal('300,00');
    expect(field(element, 'items.1.penalties').value).to.equal('0,00');
    expect(plain(shadowText(element, '[part="account"]:nth-child(2) [part="due"]'))).to.equal('Долг: 300,00 ₽');
    expect(plain(shadowText(element, '[part="total"]'))).to.equal('Итого к оплате: 2 256,85 ₽');
    expect(plain(shadowText(element, '[part="account"]:nth-child(2)')))
      .to.contain('Оплачено, ждёт подтверждения поставщиком: 200,00 ₽')
      .and.contain('Долг по данным поставщика: 500,00 ₽');
    await expect(element).to.be.accessible();
  });

  it('offers nothing to pay on an account whose debt is paid and waits for the supplier', async () => {
    const paidUp: PaymentOptions = {
      ...options,
      accounts: [
        { ...options.accounts[1]!, pendingPaid: 50_000, due: { balance: 0, total: 0, amount: 0, penalties: 0 } },
        options.accounts[0]!,
      ],
    };
    const { element } = await setup({}, paidUp);
    expect(field(element, 'items.0.amount').value).to.equal('0,00');
    expect(plain(shadowText(element, '[part="account"]:nth-child(1) [part="due"]'))).to.equal('Задолженности нет');
    expect(plain(shadowText(element, '[part="account"]:nth-child(1) [part="pending"]'))).to.equal(
      'Оплачено, ждёт подтверждения поставщиком: 500,00 ₽',
    );
    expect(plain(shadowText(element, '[part="total"]'))).to.equal('Итого к оплате: 1 956,85 ₽');
  });

  it('puts the amounts due back when "По текущему долгу" is chosen again', async () => {
    const { element } = await setup();
    await retype(element, 'items.0.amount', '5');
    const debtMode = element.shadowRoot!.querySelector<HTMLInputElement>('[part="mode"] input[type="radio"]')!;
    debtMode.click();
    await element.updateComplete;
    expect(field(element, 'items.0.amount').value).to.equal('1944,35');
    expect(plain(shadowText(element, '[part="total"]'))).to.equal('Итого к оплате: 2 256,85 ₽');
  });

  it('sends per-account amounts in kopecks; 0 skips an account', async () => {
    const { element, calls } = await setup();
    await retype(element, 'items.1.amount', '0');
    await retype(element, 'items.0.amount', '1000,5');
    expect(plain(shadowText(element, '[part="total"]'))).to.equal('Итого к оплате: 1 013,00 ₽');
    await toCard(element);
    const create = calls.find((c) => c.path === 'payments');
    expect(create?.body).to.deep.equal({
      items: [
        { accountId: 'a1', amount: 100_050, penalties: 1_250 },
        { accountId: 'a2', amount: 0, penalties: 0 },
      ],
    });
    expect(create?.idempotencyKey).to.be.a('string').with.length.above(8);
  });

  it('refuses a zero total before sending anything', async () => {
    const { element, requests } = await setup();
    for (const name of ['items.0.amount', 'items.0.penalties', 'items.1.amount']) await retype(element, name, '0');
    button(element, 'Далее').click();
    await element.updateComplete;
    expect(shadowText(element, '[part="error"]')).to.equal('Укажите сумму к оплате хотя бы по одному лицевому счёту.');
    expect(requests).to.not.include('POST payments');
  });

  it('refuses an amount that is not a rouble sum', async () => {
    const { element, requests } = await setup();
    await retype(element, 'items.0.amount', '-5');
    button(element, 'Далее').click();
    await field(element, 'items.0.amount').updateComplete;
    expect(inputOf(field(element, 'items.0.amount')).getAttribute('aria-invalid')).to.equal('true');
    expect(requests).to.not.include('POST payments');
  });

  it('creates one payment however often "pay" is clicked', async () => {
    const { element, requests } = await setup();
    const next = button(element, 'Далее');
    next.click();
    next.click();
    await waitUntil(() => field(element, 'cardNumber'), 'the card step did not open');
    expect(requests.filter((r) => r === 'POST payments')).to.have.length(1);
  });

  it('pays with the demo card form and announces success with the receipt link', async () => {
    const { element } = await setup();
    await toCard(element);
    expect(shadowText(element, '[part="notice"]')).to.contain('4242 4242 4242 4242');
    await expect(element).to.be.accessible();
    const succeeded = oneEvent(element, 'gaskit-payment-succeeded');
    await payWith(element, '4242 4242 4242 4242');
    const event = await succeeded;
    expect(event.detail).to.deep.equal({ paymentId: 'p1', total: 225_685, accountIds: ['a1', 'a2'] });
    expect(event.bubbles && event.composed).to.equal(true);
    await element.updateComplete;
    expect(shadowText(element, '[part="step-title"]')).to.equal('Оплата прошла');
    expect(element.shadowRoot!.querySelector<HTMLAnchorElement>('[part="receipt-link"]')!.href).to.equal(receipt.url);
    expect(shadowText(element, '[part="receipt-sent"]')).to.equal('Квитанция отправлена на электронную почту i***@example.test.');
    expect(element.shadowRoot!.activeElement).to.equal(element.shadowRoot!.querySelector('[part="step-title"]'));
    await expect(element).to.be.accessible();
  });

  it('says the receipt went by SMS to a subscriber without an email, and never promises an email', async () => {
    const bySms = { ...receipt, sentTo: { channel: 'sms' as const, to: '+7 *** ***-45-67' } };
    const { element, created } = await setup({
      'POST payments/p1/demo/confirm': () => ({ status: 200, body: paymentOf(created(), 'succeeded', { receipt: bySms }) }),
    });
    await toCard(element);
    await payWith(element, '4242 4242 4242 4242');
    await waitUntil(() => element.shadowRoot!.querySelector('[part="receipt-sent"]'), 'no word on the receipt');
    expect(shadowText(element, '[part="receipt-sent"]')).to.equal(
      'Ссылка на квитанцию отправлена в SMS на номер +7 *** ***-45-67.',
    );
    expect(shadowText(element, '[part="result"]')).to.not.contain('электронную почту');
  });

  it('reports a declined card with its reason and a gaskit-payment-failed event', async () => {
    const { element } = await setup();
    await toCard(element);
    const failed = oneEvent(element, 'gaskit-payment-failed');
    await payWith(element, '4000 0000 0000 0002');
    expect((await failed).detail).to.deep.equal({ paymentId: 'p1', code: 'generic_decline' });
    await element.updateComplete;
    expect(shadowText(element, '[part="result"] [role="alert"]')).to.equal('Банк отклонил платёж.');
  });

  it('after a declined card, tries again with a new payment of the same amounts, straight on the card form', async () => {
    const { element, calls } = await setup();
    await toCard(element);
    await payWith(element, '4000 0000 0000 0002');
    await waitUntil(() => shadowText(element, '[part="result"] [role="alert"]') === 'Банк отклонил платёж.', 'no decline');
    await expect(element).to.be.accessible();
    button(element, 'Попробовать снова').click();
    await waitUntil(() => field(element, 'cardNumber'), 'the card step did not open again');
    const created = calls.filter((c) => c.path === 'payments');
    expect(created).to.have.length(2);
    expect(created[1]!.body).to.deep.equal(created[0]!.body);
    expect(created[1]!.idempotencyKey).to.not.equal(created[0]!.idempotencyKey);
    const succeeded = oneEvent(element, 'gaskit-payment-succeeded');
    await payWith(element, '4242 4242 4242 4242');
    await succeeded;
  });

  it('keeps the declined payment on screen while "Попробовать снова" makes the new one, never showing step 1', async () => {
    let creates = 0;
    let answer!: () => void;
    const { element } = await setup({
      'POST payments': async (body) => {
        creates += 1;
        if (creates === 2) await new Promise<void>((resolve) => (answer = resolve));
        return { status: 201, body: { payment: paymentOf(body as CreatePaymentInput), client: { provider: options.provider } } };
      },
    });
    await toCard(element);
    await payWith(element, '4000 0000 0000 0002');
    await waitUntil(() => shadowText(element, '[part="result"] [role="alert"]') === 'Банк отклонил платёж.', 'no decline');
    button(element, 'Попробовать снова').click();
    await waitUntil(() => creates === 2, 'no new payment was asked for');
    await element.updateComplete;
    expect(element.shadowRoot!.textContent!.replace(/\s+/g, ' '), 'step 1, the amounts').not.to.match(/Шаг 1 из/);
    expect(shadowText(element, '[part="result"] [role="alert"]')).to.equal('Банк отклонил платёж.');
    expect(button(element, 'Попробовать снова').disabled).to.equal(true);
    answer();
    await waitUntil(() => field(element, 'cardNumber'), 'the card step did not open');
  });

  it('goes back to the amounts with the reason when "Попробовать снова" cannot make the new payment', async () => {
    let creates = 0;
    const { element } = await setup({
      'POST payments': (body) => {
        creates += 1;
        return creates === 1
          ? { status: 201, body: { payment: paymentOf(body as CreatePaymentInput), client: { provider: options.provider } } }
          : { status: 503, body: { error: { code: 'payment_provider_unavailable', message: '' } } };
      },
    });
    await toCard(element);
    await payWith(element, '4000 0000 0000 0002');
    await waitUntil(() => shadowText(element, '[part="result"] [role="alert"]') === 'Банк отклонил платёж.', 'no decline');
    button(element, 'Попробовать снова').click();
    await waitUntil(() => /Шаг 1 из/.test(element.shadowRoot!.textContent!), 'the amounts did not open again');
    await waitUntil(
      () => element.shadowRoot!.textContent!.includes('Онлайн-оплата у этого поставщика сейчас недоступна.'),
      'the reason was not shown',
    );
  });

  it('writes a card expiry typed as digits the way the card shows it, and takes it', async () => {
    const { element, calls } = await setup();
    await toCard(element);
    inputOf(field(element, 'cardNumber')).focus();
    await sendKeys({ type: '4242 4242 4242 4242' });
    inputOf(field(element, 'expiry')).focus();
    await sendKeys({ type: '1139' });
    inputOf(field(element, 'cvc')).focus();
    await field(element, 'expiry').updateComplete;
    expect(field(element, 'expiry').value).to.equal('11/39');
    expect(shadowText(field(element, 'expiry'), '[part="error"]')).to.equal('');
    await sendKeys({ type: '123' });
    const succeeded = oneEvent(element, 'gaskit-payment-succeeded');
    button(element, 'Оплатить').click();
    await succeeded;
    expect(calls.find((c) => c.path === 'payments/p1/demo/confirm')!.body).to.deep.include({ expiry: '11/39' });
  });

  it('asks for the confirmation step when the bank wants one', async () => {
    const { element, requests } = await setup();
    await toCard(element);
    await payWith(element, '4000 0000 0000 3220');
    await waitUntil(() => shadowText(element, '[part="step-title"]') === 'Подтверждение платежа', 'no confirmation step');
    await expect(element).to.be.accessible();
    const succeeded = oneEvent(element, 'gaskit-payment-succeeded');
    button(element, 'Подтвердить').click();
    await succeeded;
    expect(requests).to.include('POST payments/p1/demo/authenticate');
  });

  it('shows the server’s field error on the amount it belongs to', async () => {
    const { element } = await setup({
      'POST payments': () => ({
        status: 400,
        body: { error: { code: 'validation_failed', message: '', fields: { 'items.1.amount': 'amount_negative' } } },
      }),
    });
    button(element, 'Далее').click();
    await waitUntil(() => field(element, 'items.1.amount').error === 'amount_negative', 'the field error was not shown');
  });

  it('collects the readings of an account with meters and sends them with the payment', async () => {
    const window = { startDay: 1, endDay: 31, outsideWindow: 'next-period', open: true, period: '2026-03', queued: false };
    const history = {
      accountId: 'a1',
      window,
      meters: [
        {
          meter: {
            id: 'm1',
            serialNumber: 'SN-1',
            name: '',
            digits: 5,
            decimals: 0,
            verificationDue: null,
            verificationOverdue: false,
          },
          last: { value: '12345', date: '2026-02-20T09:00:00.000Z' },
          readings: [],
        },
      ],
    };
    const withMeters = { ...options, accounts: options.accounts.map((a, i) => ({ ...a, hasMeters: i === 0 })) };
    const { element, calls, requests } = await setup(
      {
        'GET accounts/a1/readings': () => ({ status: 200, body: history }),
        'POST readings/preview': () => ({
          status: 200,
          body: {
            accountId: 'a1',
            window,
            totalCost: 3_755,
            readings: [
              {
                meterId: 'm1',
                value: '12350',
                previous: history.meters[0]!.last,
                consumption: '5',
                cost: 3_755,
                tariff: { price: 751, unit: 'm3' },
                rollover: false,
                implausible: false,
                confirmationsNeeded: [],
                warnings: [],
              },
            ],
          },
        }),
      },
      withMeters,
    );
    const texts = () => requests.filter((r) => r.startsWith('GET i18n/'));
    // The readings step's texts are not the form's: they load with the step's code once asked for.
    expect(texts()).to.deep.equal(['GET i18n/ru?ns=common,errors', 'GET i18n/ru?ns=payments']);
    const checkbox = element.shadowRoot!.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    checkbox.click();
    await waitUntil(() => texts().includes('GET i18n/ru?ns=readings'), 'the readings texts did not load with the step');
    button(element, 'Далее').click();
    await waitUntil(() => element.shadowRoot!.querySelector('gaskit-readings'), 'the readings step did not open');
    const readings = element.shadowRoot!.querySelector('gaskit-readings')!;
    expect(texts()).to.have.length(3);
    expect(readings.getAttribute('account-id')).to.equal('a1');
    await translated(readings, 'ru');
    await waitUntil(() => readings.shadowRoot!.querySelector('gaskit-text-field'), 'no meter field');
    const meterField = readings.shadowRoot!.querySelector<GaskitTextField>('gaskit-text-field')!;
    await expect(element).to.be.accessible();
    inputOf(meterField).focus();
    await sendKeys({ type: '12350' });
    const inner = (text: string) =>
      [...readings.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === text)!;
    inner('Проверить показания').click();
    await waitUntil(() => inner('Подтвердить показания'), 'no review step');
    inner('Подтвердить показания').click();
    await waitUntil(() => field(element, 'cardNumber'), 'the card step did not open');
    const create = calls.find((c) => c.path === 'payments');
    expect((create?.body as CreatePaymentInput).items[0]).to.deep.equal({
      accountId: 'a1',
      amount: 194_435,
      penalties: 1_250,
      readings: [{ meterId: 'm1', value: '12350' }],
    });
  });

  it('loads no Stripe.js for the demo provider', async () => {
    const { element } = await setup();
    await toCard(element);
    expect(document.querySelector('script[src*="js.stripe.com"]')).to.equal(null);
    expect(element.querySelector('[slot="stripe-payment-element"]')).to.equal(null);
  });

  it('mounts Stripe’s Payment Element in the light DOM and waits for the provider’s word', async () => {
    const mounted: Element[] = [];
    const confirmed: unknown[] = [];
    const fakeStripe = Object.assign(
      (key: string, opts: { stripeAccount: string }) => ({
        key,
        opts,
        elements: () => ({ create: () => ({ mount: (node: Element) => mounted.push(node), destroy: () => undefined }) }),
        confirmPayment: async (args: unknown) => {
          confirmed.push(args);
          return {};
        },
      }),
      { version: 'endive' },
    );
    (window as unknown as { Stripe?: unknown }).Stripe = fakeStripe;
    try {
      let polls = 0;
      const { element } = await setup(
        {
          'POST payments': (body) => ({
            status: 201,
            body: {
              payment: { ...paymentOf(body as CreatePaymentInput), provider: 'stripe' },
              client: { provider: 'stripe', publishableKey: 'pk_test_x', stripeAccount: 'acct_1', clientSecret: 'pi_1_secret_2' },
            },
          }),
          'GET payments/p1': () => {
            polls += 1;
            return {
              status: 200,
              body: {
                ...paymentOf(
                  { items: options.accounts.map((a) => ({ accountId: a.accountId, amount: a.debt, penalties: a.penalties })) },
                  'succeeded',
                ),
                provider: 'stripe',
              },
            };
          },
        },
        { ...options, provider: 'stripe' },
      );
      button(element, 'Далее').click();
      await waitUntil(() => mounted.length === 1, 'the Payment Element was not mounted');
      const slot = element.querySelector('[slot="stripe-payment-element"]');
      expect(mounted[0]).to.equal(slot);
      expect(slot!.getRootNode()).to.equal(document);
      const succeeded = oneEvent(element, 'gaskit-payment-succeeded');
      await waitUntil(() => !button(element, 'Оплатить').disabled, 'the pay button stayed disabled');
      button(element, 'Оплатить').click();
      await succeeded;
      expect(confirmed).to.have.length(1);
      expect(polls).to.be.at.least(1);
      expect(element.querySelector('[slot="stripe-payment-element"]')).to.equal(null);
    } finally {
      delete (window as unknown as { Stripe?: unknown }).Stripe;
    }
  });
});
