import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type {
  GaskitClient,
  MeterHistory,
  ReadingsHistory,
  ReadingsPreview,
  ReadingWindow,
  SubmitReadingsInput,
  SubmittedReadings,
} from '../../sdk/index.ts';
import '../../widgets/readings/define.ts';
import type { GaskitReadings } from '../../widgets/readings/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { runFormWidgetSuite } from '../suites/form-widget.suite.ts';
import { fakeApi, translations, type FakeApiOptions } from './fake-api.ts';
import { shadowText, sticksOut, translated } from './helpers.ts';

// The widget's real texts, as the server serves them.
before(async () => {
  for (const lng of ['ru', 'en']) {
    const [readings, errors] = await Promise.all(
      ['readings', 'errors'].map(
        async (ns) => (await fetch(`/locales/${lng}/${ns}.json`)).json() as Promise<Record<string, unknown>>,
      ),
    );
    translations[lng]!.readings = readings!;
    translations[lng]!.errors = { ...translations[lng]!.errors, ...errors };
  }
});

const openWindow: ReadingWindow = {
  startDay: 15,
  endDay: 25,
  outsideWindow: 'next-period',
  open: true,
  period: '2026-03',
  queued: false,
  opensOn: '2026-03-15',
  closesOn: '2026-03-25',
};

function meter(id: string, overrides: Partial<MeterHistory['meter']> = {}, last: MeterHistory['last'] = null): MeterHistory {
  return {
    meter: {
      id,
      serialNumber: `SN-${id}`,
      name: '',
      digits: 5,
      decimals: 0,
      verificationDue: '2030-01-01',
      verificationOverdue: false,
      ...overrides,
    },
    last,
    previous: last,
    readings: [],
  };
}

const twoMeters: ReadingsHistory = {
  accountId: 'acc1',
  window: openWindow,
  meters: [
    meter('m1', { name: 'Кухня' }, { value: '12345', date: '2026-02-20T09:00:00.000Z' }),
    meter(
      'm2',
      { decimals: 3, verificationDue: '2025-06-30', verificationOverdue: true },
      { value: '500.125', date: '2026-02-21T09:00:00.000Z' },
    ),
  ],
};

function previewOf(input: SubmitReadingsInput, overrides: Partial<ReadingsPreview['readings'][number]> = {}): ReadingsPreview {
  return {
    accountId: input.accountId,
    window: openWindow,
    readings: input.readings.map((r) => ({
      meterId: r.meterId,
      value: String(r.value),
      previous: { value: '12345', date: '2026-02-20T09:00:00.000Z' },
      consumption: '10',
      cost: 7_512,
      tariff: { price: 751, unit: 'm3' },
      rollover: false,
      implausible: false,
      confirmationsNeeded: [],
      warnings: [],
      ...overrides,
    })),
    totalCost: 7_512 * input.readings.length,
  };
}

function submitted(input: SubmitReadingsInput): SubmittedReadings {
  return {
    accountId: input.accountId,
    period: '2026-03',
    queued: false,
    warnings: [],
    readings: input.readings.map((r, i) => ({
      id: `r${i}`,
      accountId: input.accountId,
      meterId: r.meterId,
      value: String(r.value),
      period: '2026-03',
      status: 'accepted',
      source: 'portal',
      rejectionReason: null,
      consumption: '10',
      rollover: false,
      paymentId: null,
      submittedAt: '2026-03-16T10:00:00.000Z',
    })),
  };
}

interface Setup {
  element: GaskitReadings;
  requests: string[];
  /** Bodies and idempotency keys of the requests made through `client.request`. */
  calls: { path: string; body: unknown; idempotencyKey?: string }[];
}

async function setup(
  history: ReadingsHistory = twoMeters,
  routes: FakeApiOptions['routes'] = {},
  deferred = false,
): Promise<Setup> {
  const { client, requests } = fakeApi({
    routes: {
      [`GET accounts/${history.accountId}/readings`]: () => ({ status: 200, body: history }),
      'POST readings/preview': (body) => ({ status: 200, body: previewOf(body as SubmitReadingsInput) }),
      'POST readings': (body) => ({ status: 201, body: submitted(body as SubmitReadingsInput) }),
      ...routes,
    },
  });
  const calls: Setup['calls'] = [];
  const request = client.request.bind(client) as GaskitClient['request'];
  client.request = ((path: string, options?: { body?: unknown; idempotencyKey?: string }) => {
    calls.push({ path, body: options?.body, idempotencyKey: options?.idempotencyKey });
    return request(path, options);
  }) as GaskitClient['request'];
  const element = await fixture<GaskitReadings>(
    html`<gaskit-readings .client=${client} account-id=${history.accountId} ?deferred=${deferred}></gaskit-readings>`,
  );
  await translated(element, 'ru');
  await waitUntil(() => element.shadowRoot!.querySelector('form, [part="window"]'), 'the readings form did not render');
  await Promise.all(fields(element).map((f) => translated(f, 'ru')));
  return { element, requests, calls };
}

/** Intl output with its no-break spaces made plain. */
function plain(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function fields(element: GaskitReadings): GaskitTextField[] {
  return [...element.shadowRoot!.querySelectorAll('gaskit-text-field')];
}

function field(element: GaskitReadings, meterId: string): GaskitTextField {
  return element.shadowRoot!.querySelector<GaskitTextField>(`gaskit-text-field[name="meter-${meterId}"]`)!;
}

function inputOf(textField: GaskitTextField): HTMLInputElement {
  return textField.shadowRoot!.querySelector('input')!;
}

function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

async function type(element: GaskitReadings, meterId: string, text: string): Promise<void> {
  inputOf(field(element, meterId)).focus();
  await sendKeys({ type: text });
}

function button(element: GaskitReadings, text: string): HTMLButtonElement {
  const found = [...element.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find(
    (b) => b.textContent?.trim() === text,
  );
  if (!found) throw new Error(`no button "${text}"`);
  return found;
}

async function check(element: GaskitReadings): Promise<void> {
  button(element, 'Проверить показания').click();
  await waitUntil(() => element.shadowRoot!.querySelector('[part="review"]'), 'the review step did not open');
}

const oneMeter: ReadingsHistory = {
  accountId: 'acc-one',
  window: openWindow,
  meters: [meter('solo', {}, { value: '100', date: '2026-02-20T09:00:00.000Z' })],
};

runFormWidgetSuite('gaskit-readings', async () => {
  const { element, requests } = await setup(oneMeter);
  return { element, requests: () => requests };
});

describe('gaskit-readings', () => {
  it('shows every meter of the account on one form with its previous reading and date, and the reading window', async () => {
    const { element } = await setup();
    expect(fields(element).map((f) => f.label)).to.deep.equal(['Кухня, № SN-m1', 'Счётчик № SN-m2']);
    expect(plain(field(element, 'm1').help)).to.equal('Предыдущие показания: 12 345 от 20 февраля 2026 г.');
    expect(plain(field(element, 'm2').help)).to.equal('Предыдущие показания: 500,125 от 21 февраля 2026 г.');
    expect(shadowText(element, '[part="window"]')).to.equal('Показания за март 2026 г. принимаются с 15 по 25 число месяца.');
    expect(shadowText(element, '[part="warning"]')).to.contain('Срок поверки счётчика истёк 30 июня 2025 г.');
    await expect(element).to.be.accessible();
  });

  it('names meters without a serial number (basic mode) by their name or place, as on the bill', async () => {
    const basic: ReadingsHistory = {
      ...twoMeters,
      meters: [meter('b1', { serialNumber: '', name: 'Плита' }), meter('b2', { serialNumber: '' })],
    };
    const { element } = await setup(basic);
    expect(fields(element).map((f) => f.label)).to.deep.equal(['Плита', 'Счётчик 2']);
  });

  it('loads only the readings texts besides the common ones', async () => {
    const { requests } = await setup();
    expect(requests.filter((r) => r.startsWith('GET i18n/'))).to.deep.equal([
      'GET i18n/ru?ns=common,errors',
      'GET i18n/ru?ns=readings',
    ]);
  });

  it('checks values as the meter shows them while typing and sends nothing invalid', async () => {
    const { element, requests } = await setup();
    await type(element, 'm1', '12345,5');
    await sendKeys({ press: 'Tab' });
    await field(element, 'm1').updateComplete;
    expect(inputOf(field(element, 'm1')).getAttribute('aria-invalid')).to.equal('true');
    expect(shadowText(field(element, 'm1'), '[part="error"]')).to.equal(
      'Этот счётчик показывает только целые кубометры — введите показания без дробной части.',
    );
    await type(element, 'm2', '1234567');
    button(element, 'Проверить показания').click();
    await field(element, 'm2').updateComplete;
    expect(shadowText(field(element, 'm2'), '[part="error"]')).to.equal('У счётчика 5 цифр до запятой — проверьте показания.');
    expect(requests.filter((r) => r.startsWith('POST'))).to.deep.equal([]);
    await expect(element).to.be.accessible();
  });

  it('asks for at least one reading when every field of several meters is empty', async () => {
    const { element, requests } = await setup();
    button(element, 'Проверить показания').click();
    await waitUntil(() => shadowText(element, '.form-error') !== '', 'no form error');
    expect(shadowText(element, '.form-error')).to.equal('Введите показания хотя бы одного счётчика.');
    expect(requests.filter((r) => r.startsWith('POST'))).to.deep.equal([]);
  });

  it('previews consumption and cost at the tariff, then sends with an idempotency key and announces success', async () => {
    const { element, calls } = await setup();
    await type(element, 'm1', '12355');
    await check(element);
    const review = element.shadowRoot!.querySelector('[part="review"]')!;
    expect(review.querySelector('tbody tr')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal(
      'Кухня, № SN-m1 12 345 12 355 10 75,12 ₽',
    );
    expect(shadowText(element, '[part="total"]')).to.equal('Итого по тарифу: 75,12 ₽');
    await waitUntil(() => deepActiveElement()?.textContent === 'Проверьте показания', 'focus did not move to the review heading');
    await expect(element).to.be.accessible();

    const submittedEvent = oneEvent(element, 'gaskit-readings-submitted');
    button(element, 'Передать показания').click();
    const event = await submittedEvent;
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.detail).to.include({ accountId: 'acc1', period: '2026-03', queued: false });
    const send = calls.find((c) => c.path === 'readings')!;
    expect(send.body).to.deep.equal({ accountId: 'acc1', readings: [{ meterId: 'm1', value: '12355' }] });
    expect(send.idempotencyKey).to.match(/^[0-9a-f]{32}$/);
    await waitUntil(() => shadowText(element, '[part="success"] h3') === 'Показания приняты');
    expect(shadowText(element, '[part="success"] p')).to.equal('Спасибо! Показания учтены в периоде «март 2026 г.».');
    await expect(element).to.be.accessible();
  });

  it('fits a 320 px phone in the low-vision mode: the review lists each meter as a block of labelled figures', async () => {
    await setViewport({ width: 320, height: 640 });
    try {
      const { element } = await setup();
      element.vision = 'low';
      await type(element, 'm1', '12355');
      await type(element, 'm2', '510');
      await check(element);
      const row = element.shadowRoot!.querySelector('[part="review"] tbody tr')!;
      expect(getComputedStyle(row).display).to.equal('block');
      expect(row.querySelector('td')!.dataset.label).to.equal('Предыдущие');
      expect(sticksOut(element)).to.deep.equal([]);
      expect(document.documentElement.scrollWidth).to.equal(320);
      await expect(element).to.be.accessible();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('retries a failed send with the same idempotency key', async () => {
    let attempts = 0;
    const { element, calls } = await setup(twoMeters, {
      'POST readings': (body) => {
        attempts += 1;
        if (attempts === 1) throw new TypeError('Failed to fetch');
        return { status: 201, body: submitted(body as SubmitReadingsInput) };
      },
    });
    await type(element, 'm1', '12355');
    await check(element);
    button(element, 'Передать показания').click();
    await waitUntil(() => shadowText(element, '.form-error') !== '', 'the network error was not shown');
    expect(shadowText(element, '.form-error')).to.equal('Нет связи с сервером. Проверьте подключение к интернету.');
    button(element, 'Передать показания').click();
    await waitUntil(() => element.shadowRoot!.querySelector('[part="success"]'));
    const keys = calls.filter((c) => c.path === 'readings').map((c) => c.idempotencyKey);
    expect(keys).to.have.length(2);
    expect(keys[0]).to.equal(keys[1]);
  });

  it('asks to confirm a rollover and an implausible consumption before sending, and sends the confirmations', async () => {
    const { element, requests, calls } = await setup(twoMeters, {
      'POST readings/preview': (body) => {
        const preview = previewOf(body as SubmitReadingsInput);
        preview.readings[0] = {
          ...preview.readings[0]!,
          value: '20',
          rollover: true,
          consumption: '75',
          confirmationsNeeded: ['rollover'],
        };
        preview.readings[1] = {
          ...preview.readings[1]!,
          implausible: true,
          consumption: '900',
          confirmationsNeeded: ['implausible'],
        };
        return { status: 200, body: preview };
      },
    });
    await type(element, 'm1', '20');
    await type(element, 'm2', '1400.125');
    await check(element);
    const checkboxes = [...element.shadowRoot!.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')];
    expect(checkboxes.map((c) => c.labels?.[0]?.textContent?.trim())).to.deep.equal([
      'Да, счётчик перешёл через ноль (Кухня, № SN-m1)',
      'Показания верны (Счётчик № SN-m2)',
    ]);
    expect(shadowText(element, '[part="confirmation"] .explanation')).to.equal(
      'Показания 20 меньше предыдущих (12 345). Так бывает, когда счётчик дошёл до максимума и начал отсчёт с нуля.',
    );

    button(element, 'Передать показания').click();
    await waitUntil(() => deepActiveElement() === checkboxes[0], 'focus did not move to the unconfirmed rollover');
    expect(checkboxes[0]!.getAttribute('aria-invalid')).to.equal('true');
    expect(shadowText(element, '[part="confirmation"] [part="error"]')).to.equal('Подтвердите, чтобы передать показания.');
    expect(requests).to.not.include('POST readings');
    await expect(element).to.be.accessible();

    await sendKeys({ press: 'Space' });
    checkboxes[1]!.focus();
    await sendKeys({ press: 'Space' });
    button(element, 'Передать показания').click();
    await waitUntil(() => element.shadowRoot!.querySelector('[part="success"]'));
    expect(calls.find((c) => c.path === 'readings')!.body).to.deep.equal({
      accountId: 'acc1',
      readings: [
        { meterId: 'm1', value: '20', confirmRollover: true },
        { meterId: 'm2', value: '1400.125', confirmImplausible: true },
      ],
    });
  });

  it('shows a server refusal of a value on the field of that meter', async () => {
    const { element } = await setup(twoMeters, {
      'POST readings/preview': () => ({
        status: 422,
        body: {
          error: {
            code: 'reading_below_last',
            message: '',
            fields: { 'readings.0.value': { code: 'reading_below_last', message: 'Показания меньше предыдущих (500.125).' } },
          },
        },
      }),
    });
    await type(element, 'm2', '400');
    button(element, 'Проверить показания').click();
    await waitUntil(() => field(element, 'm2').error === 'reading_below_last', 'the error did not reach the field');
    await field(element, 'm2').updateComplete;
    expect(inputOf(field(element, 'm2')).getAttribute('aria-invalid')).to.equal('true');
    await waitUntil(() => deepActiveElement() === inputOf(field(element, 'm2')), 'focus did not move to the refused field');
  });

  it('names the last reading in the refusal of a lower one, and the window in a closed-window refusal', async () => {
    const { element } = await setup(twoMeters, {
      'POST readings/preview': (body) =>
        (body as SubmitReadingsInput).readings.some((r) => r.value === '400')
          ? {
              status: 422,
              body: {
                error: {
                  code: 'reading_below_last',
                  message: '',
                  params: { last: '500.125' },
                  fields: { 'readings.0.value': { code: 'reading_below_last', message: '', params: { last: '500.125' } } },
                },
              },
            }
          : { status: 422, body: { error: { code: 'readings_window_closed', message: '', params: { start: 15, end: 25 } } } },
    });
    await type(element, 'm2', '400');
    button(element, 'Проверить показания').click();
    await waitUntil(() => field(element, 'm2').error === 'reading_below_last', 'the error did not reach the field');
    await field(element, 'm2').updateComplete;
    const fieldError = field(element, 'm2').shadowRoot!.querySelector('[part="error"]')!.textContent!.trim();
    expect(fieldError).to.equal('Показания меньше предыдущих (500.125). Проверьте их.');
    inputOf(field(element, 'm2')).select();
    await type(element, 'm2', '600');
    button(element, 'Проверить показания').click();
    await waitUntil(() => shadowText(element, '.form-error'), 'no form error');
    expect(shadowText(element, '.form-error')).to.equal('Приём показаний закрыт. Показания принимаются с 15 по 25 число месяца.');
    await expect(element).to.be.accessible();
  });

  it('tells that readings sent outside the window count for the next period', async () => {
    const queued: ReadingsHistory = { ...twoMeters, window: { ...openWindow, open: false, queued: true, period: '2026-04' } };
    const { element } = await setup(queued);
    expect(shadowText(element, '[part="window"]')).to.equal(
      'Сейчас приём показаний закрыт: они принимаются с 15 по 25 число месяца. Переданные сейчас показания будут учтены в периоде «апрель 2026 г.».',
    );
    expect(fields(element)).to.have.length(2);
  });

  it('shows no form while the window is closed and the supplier refuses late readings', async () => {
    const closed: ReadingsHistory = {
      ...twoMeters,
      window: { ...openWindow, outsideWindow: 'reject', open: false, queued: false, period: null },
    };
    const { element } = await setup(closed);
    expect(shadowText(element, '[part="window"]')).to.equal(
      'Сейчас приём показаний закрыт. Показания принимаются с 15 по 25 число месяца.',
    );
    expect(element.shadowRoot!.querySelector('form')).to.equal(null);
    await expect(element).to.be.accessible();
  });

  it('shows as previous the reading the check compares with, and says a reading of this period will be replaced', async () => {
    const sentThisPeriod: ReadingsHistory = {
      ...oneMeter,
      meters: [
        {
          ...meter('solo', {}, { value: '12400', date: '2026-03-16T10:00:00.000Z' }),
          previous: { value: '12345', date: '2026-02-20T09:00:00.000Z' },
        },
      ],
    };
    const { element } = await setup(sentThisPeriod);
    expect(plain(field(element, 'solo').help)).to.equal(
      'Предыдущие показания: 12 345 от 20 февраля 2026 г. Показания 12 400, уже переданные в этом периоде, будут заменены новыми.',
    );
    await expect(element).to.be.accessible();
  });

  it('gives the supplier’s last reading in the history of a meter with none sent through the cabinet', async () => {
    const { element } = await setup(oneMeter);
    const history = element.shadowRoot!.querySelector('[part="history"]')!;
    expect(plain(history.querySelector('p')!.textContent!).trim()).to.equal(
      'Через личный кабинет показания ещё не передавались. Последние показания, известные поставщику: 100 от 20 февраля 2026 г.',
    );
    expect(history.textContent).not.to.include('Показаний пока нет');
  });

  it('lists each meter’s readings with status, rejection reason and source', async () => {
    const history: ReadingsHistory = {
      ...twoMeters,
      meters: [
        {
          ...meter('m1'),
          readings: [
            {
              ...submitted({ accountId: 'acc1', readings: [{ meterId: 'm1', value: '12400' }] }).readings[0]!,
              status: 'rejected',
              rejectionReason: 'Не совпадает с показаниями контролёра',
              source: 'payment',
            },
            {
              ...submitted({ accountId: 'acc1', readings: [{ meterId: 'm1', value: '12345' }] }).readings[0]!,
              status: 'queued',
              source: 'import',
              period: '2026-04',
            },
          ],
        },
      ],
    };
    const { element } = await setup(history);
    const rows = [...element.shadowRoot!.querySelectorAll('[part="history"] tbody tr')].map((r) =>
      r.textContent!.replace(/\s+/g, ' ').trim(),
    );
    expect(rows).to.deep.equal([
      '16 мар. 2026 г. 12 400 март 2026 г. Отклонено: Не совпадает с показаниями контролёра При оплате',
      '16 мар. 2026 г. 12 345 апрель 2026 г. Будет учтено в следующем периоде Из расчётной системы',
    ]);
    await expect(element).to.be.accessible();
  });

  it('without an account given, lists the person’s accounts with this supplier and shows the chosen one’s meters', async () => {
    const linked = (id: string, number: string, supplier: string) => ({
      id,
      number,
      address: `ул. Лесная, ${number.slice(-1)}`,
      holder: 'Иванов И. И.',
      mode: 'basic',
      supplier: { slug: supplier, name: supplier },
      debt: 0,
      penalties: 0,
      period: null,
    });
    const second: ReadingsHistory = { ...twoMeters, accountId: 'acc2', meters: [meter('z9', { name: 'Котёл' })] };
    const { client, requests } = fakeApi({
      routes: {
        'GET accounts': () => ({
          status: 200,
          body: {
            items: [linked('acc1', '1001', 'sever-gaz'), linked('other', '3003', 'yug-gaz'), linked('acc2', '2002', 'sever-gaz')],
          },
        }),
        'GET accounts/acc1/readings': () => ({ status: 200, body: twoMeters }),
        'GET accounts/acc2/readings': () => ({ status: 200, body: second }),
      },
    });
    const element = await fixture<GaskitReadings>(html`<gaskit-readings .client=${client}></gaskit-readings>`);
    await translated(element, 'ru');
    await waitUntil(() => element.shadowRoot!.querySelector('select'), 'no list of accounts');
    const select = element.shadowRoot!.querySelector('select')!;
    await waitUntil(() => fields(element).length === 2, 'the first account’s meters did not show');
    expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal([
      '№ 1001, ул. Лесная, 1',
      '№ 2002, ул. Лесная, 2',
    ]);
    expect(select.labels[0]!.textContent!.trim()).to.equal('Лицевой счёт');
    await expect(element).to.be.accessible();

    select.focus();
    await sendKeys({ press: 'ArrowDown' });
    await waitUntil(() => fields(element)[0]?.label === 'Котёл, № SN-z9', 'the second account’s meters did not show');
    expect(requests).to.include('GET accounts/acc2/readings');
  });

  it('inside a payment, hands the confirmed readings over instead of storing them', async () => {
    const { element, requests } = await setup(twoMeters, {}, true);
    await type(element, 'm1', '12355');
    await check(element);
    const confirmed = oneEvent(element, 'gaskit-readings-confirmed');
    button(element, 'Подтвердить показания').click();
    const event = await confirmed;
    expect(event.detail).to.deep.equal({
      accountId: 'acc1',
      period: '2026-03',
      queued: false,
      readings: [{ meterId: 'm1', value: '12355' }],
      totalCost: 7_512,
    });
    expect(requests).to.not.include('POST readings');
    await waitUntil(() => shadowText(element, '[part="success"] p') === 'Показания будут переданы вместе с оплатой.');
  });

  it('marks no meter required inside a payment, where a meter may be left empty', async () => {
    const alone = await setup(oneMeter);
    expect(field(alone.element, 'solo').required).to.equal(true);
    const { element } = await setup(oneMeter, {}, true);
    expect(field(element, 'solo').required).to.equal(false);
    expect(field(element, 'solo').shadowRoot!.querySelector('[part="label"]')!.textContent).not.to.include('*');
    await expect(element).to.be.accessible();
  });
});
