import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { AccountSummary } from '../../sdk/index.ts';
import '../../widgets/account/define.ts';
import type { GaskitAccount } from '../../widgets/account/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { accountsApi, errorReply, linkedAccount, loadAccountTexts, meter, monthCharges, summary } from './account-fixtures.ts';
import type { FakeApiOptions } from './fake-api.ts';
import { shadowText, sticksOut, translated } from './helpers.ts';

before(loadAccountTexts);

type Routes = NonNullable<FakeApiOptions['routes']>;

/** Renders `gaskit-account` for account a1; `answer` gives the summary for the period asked (undefined: latest). */
async function setup(
  answer: (period: string | undefined) => AccountSummary = () => summary(),
  routes: Routes = {},
  vision: 'low' | 'standard' = 'standard',
) {
  const periods: (string | undefined)[] = [];
  const bodies: unknown[] = [];
  const recorded = Object.entries(routes).map(([key, route]) => [key, (body: unknown) => (bodies.push(body), route(body))]);
  const { client, requests } = accountsApi({
    routes: { ...Object.fromEntries(recorded), 'GET accounts/a1/summary': () => ({ status: 200, body: answer(periods.at(-1)) }) },
  });
  // The fake API sees paths without their query: the period asked is taken from the SDK call.
  const read = client.accounts.summary.bind(client.accounts);
  client.accounts.summary = (id, period, options) => {
    periods.push(period);
    return read(id, period, options);
  };
  const element = await fixture<GaskitAccount>(
    html`<gaskit-account account-id="a1" vision=${vision} .client=${client}></gaskit-account>`,
  );
  await translated(element, 'ru');
  await waitUntil(() => element.shadowRoot!.querySelector('[part="freshness"]'), 'the summary did not render');
  return { element, periods, requests, bodies };
}

const root = (element: Element) => element.shadowRoot!;
const text = (element: Element, selector: string) =>
  [...root(element).querySelectorAll(selector)].map((e) => e.textContent!.replace(/\s+/g, ' ').trim());

describe('gaskit-account', () => {
  // First of the file: no test before it has defined `gaskit-account-pin` on this page.
  it('loads «I have a PIN» with its texts (`pin`) only with an account in the basic mode', async () => {
    const extended = await setup();
    expect(customElements.get('gaskit-account-pin'), 'the PIN form loaded for an account in the extended mode').to.equal(
      undefined,
    );
    const asked = (requests: string[]) => requests.flatMap((r) => /^GET i18n\/ru\?ns=(.+)$/.exec(r)?.[1]!.split(',') ?? []);
    expect(asked(extended.requests)).not.to.include('pin');
    const basic = await setup(() => summary({ account: { ...summary().account, mode: 'basic' } }));
    expect(asked(basic.requests)).to.include('pin');
    const pin = root(basic.element).querySelector('gaskit-account-pin')!;
    expect(customElements.get('gaskit-account-pin')).to.equal(pin.constructor);
    await waitUntil(() => shadowText(pin, '[part="open-button"]') === 'У меня есть PIN-код', 'the PIN form is not translated');
    await expect(basic.element).to.be.accessible();
  });

  it("shows the period's debt with penalties, charged and paid, the meters with their last readings, and the data's date", async () => {
    const { element } = await setup();
    expect(shadowText(element, '[part="title"]')).to.equal('Лицевой счёт № 1000001');
    const balance = text(element, '[part="balance"] .row');
    expect(balance).to.deep.equal([
      'Дата периода счёта октябрь 2026 г.',
      'Сумма долга за период 362,70 ₽',
      'В том числе пени 12,50 ₽',
      'На начало периода 0,00 ₽',
      'Начислено 362,70 ₽',
      'Оплачено 0,00 ₽',
      'Количество счётчиков 1',
    ]);
    const meterRow = text(element, '[part="meters"] tbody tr')[0];
    expect(meterRow).to.contain('Газовый счётчик, № SN1000001').and.contain('1 234,500 м³').and.contain('20 окт. 2026 г.');
    expect(meterRow).to.contain('15 января 2031 г.');
    expect(shadowText(element, '[part="freshness"]')).to.match(/^Данные на 25 октября 2026 г\. в \d\d:30$/);
    expect(shadowText(element, '[part="details"]')).to.contain('Петров Пётр Петрович').and.contain('Расширенная версия');
    await expect(element).to.be.accessible();
  });

  it('shows an overpayment for a negative balance', async () => {
    const { element } = await setup(() =>
      summary({ balance: { opening: 0, charged: 32725, paid: 228410, closing: -195685, penalties: 0 } }),
    );
    expect(text(element, '[part="debt"]')).to.deep.equal(['Переплата за период 1 956,85 ₽']);
  });

  it('shows the debt less a payment not booked yet, with that payment beside it', async () => {
    const { element } = await setup(() =>
      summary({ pendingPaid: 20_000, due: { balance: 16_270, total: 16_270, amount: 15_020, penalties: 1_250 } }),
    );
    expect(text(element, '[part="balance"] .row').slice(1, 5)).to.deep.equal([
      'Сумма долга с учётом оплаты 162,70 ₽',
      'В том числе пени 12,50 ₽',
      'Оплачено в личном кабинете, ждёт подтверждения поставщиком 200,00 ₽',
      'Долг по данным поставщика 362,70 ₽',
    ]);
    expect(root(element).querySelector('[part="debt"]')!.classList.contains('debt')).to.equal(true);
    await expect(element).to.be.accessible();
  });

  it('owes nothing, not in red, once the whole debt is paid and waits for the supplier', async () => {
    const { element } = await setup(() =>
      summary({ pendingPaid: 36_270, due: { balance: 0, total: 0, amount: 0, penalties: 0 } }),
    );
    expect(text(element, '[part="debt"]')).to.deep.equal(['Сумма долга с учётом оплаты Задолженности нет']);
    expect(root(element).querySelector('[part="debt"]')!.classList.contains('debt')).to.equal(false);
    expect(text(element, '[part="pending"]')).to.deep.equal([
      'Оплачено в личном кабинете, ждёт подтверждения поставщиком 362,70 ₽',
    ]);
  });

  it("shows an earlier month's balance as billing sent it, without the pending payment", async () => {
    const { element } = await setup(() =>
      summary({
        period: '2026-09',
        balance: { opening: 0, charged: 32725, paid: 0, closing: 32725, penalties: 0 },
        pendingPaid: 20_000,
        due: { balance: 16_270, total: 16_270, amount: 15_020, penalties: 1_250 },
      }),
    );
    expect(text(element, '[part="debt"]')).to.deep.equal(['Сумма долга за период 327,25 ₽']);
    expect(root(element).querySelector('[part="pending"]')).to.equal(null);
  });

  it('moves to the previous and back to the next month, keeping focus on the month buttons', async () => {
    const { element, periods } = await setup((period) =>
      period === '2026-09'
        ? summary({
            period: '2026-09',
            balance: { opening: 0, charged: 32725, paid: 32725, closing: 0, penalties: 0 },
            charges: monthCharges('2026-09', 38.5, 32725),
          })
        : summary(),
    );
    const [previous, next] = root(element).querySelectorAll<HTMLButtonElement>('[part="period-button"]');
    expect(previous!.getAttribute('aria-label')).to.equal('Предыдущий месяц: сентябрь 2026 г.');
    expect(next!.getAttribute('aria-disabled')).to.equal('true');
    previous!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => shadowText(element, '[part="period"]') === 'сентябрь 2026 г.', 'September was not shown');
    await waitUntil(
      () => text(element, '[part="debt"]')[0] === 'Сумма долга за период Задолженности нет',
      'September balance not shown',
    );
    expect(periods).to.deep.equal([undefined, '2026-09']);
    expect(root(element).activeElement).to.equal(previous);
    expect(previous!.getAttribute('aria-disabled')).to.equal('true');
    expect(next!.getAttribute('aria-disabled')).to.equal('false');
    previous!.click();
    await element.updateComplete;
    expect(periods).to.have.length(2);
    next!.click();
    await waitUntil(() => shadowText(element, '[part="period"]') === 'октябрь 2026 г.', 'October was not shown again');
    expect(periods.at(-1)).to.equal('2026-10');
    await expect(element).to.be.accessible();
  });

  it("expands the period's charges into lines by service with volume, tariff and penalties", async () => {
    const { element } = await setup();
    const toggle = root(element).querySelector<HTMLButtonElement>('[part="month-toggle"]')!;
    expect(toggle.textContent!.replace(/\s+/g, ' '))
      .to.contain('Итого начислено')
      .and.contain('362,70 ₽')
      .and.contain('в том числе пени 12,50 ₽');
    const panel = root(element).getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(panel.hidden).to.equal(true);
    toggle.focus();
    await sendKeys({ press: 'Enter' });
    await element.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(panel.hidden).to.equal(false);
    const rows = [...panel.querySelectorAll('tr')].map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
    expect(rows).to.deep.equal([
      'Услуга Объём Тариф Сумма',
      'Газоснабжение 41,2 м³ 8,50 ₽ за м³ 350,20 ₽',
      'Пени 12,50 ₽',
      'Итого 362,70 ₽',
    ]);
    await expect(element).to.be.accessible();
  });

  it('warns when a meter is due for verification soon or overdue', async () => {
    const soon = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const { element } = await setup(() =>
      summary({
        meters: [
          meter({ id: 'm1', verificationDue: `${soon}T00:00:00.000Z` }),
          meter({ id: 'm2', serialNumber: 'SN2', name: '', verificationDue: '2020-03-01T00:00:00.000Z' }),
          meter({ id: 'm3', serialNumber: '', name: '', verificationDue: null, lastReading: null }),
        ],
      }),
    );
    expect(text(element, '[part="warning"]')).to.deep.equal(['Скоро срок поверки', 'Срок поверки истёк']);
    const rows = text(element, '[part="meters"] tbody tr');
    expect(rows[1]).to.contain('Счётчик № SN2').and.contain('1 марта 2020 г.');
    expect(rows[2]).to.contain('Счётчик 3').and.contain('не указана');
    await expect(element).to.be.accessible();
  });

  it('asks for the chart’s code and texts with an account’s summary, not before', async () => {
    const { client, requests } = accountsApi();
    const element = await fixture<GaskitAccount>(html`<gaskit-account .client=${client}></gaskit-account>`);
    await translated(element, 'ru');
    await waitUntil(() => root(element).querySelector('[part="notice"]'), 'no notice');
    expect(shadowText(element, '[part="notice"]')).to.equal('Выберите лицевой счёт.');
    const texts = () => requests.filter((r) => r.startsWith('GET i18n/'));
    expect(texts()).to.deep.equal(['GET i18n/ru?ns=common,errors', 'GET i18n/ru?ns=accounts,billing']);
    const shown = await setup();
    expect(shown.requests.filter((r) => r.startsWith('GET i18n/')).join()).to.contain('chart');
  });

  it('shows the chart shown in the language switched to, its texts (`chart`) loaded with the widget’s', async () => {
    const { element, requests } = await setup();
    expect(shadowText(element, '.chart-title')).to.equal('Потребление и начисления за 12 месяцев');
    element.client!.setLocale('en');
    await waitUntil(() => shadowText(element, '[part="freshness"]').startsWith('Data as of'), 'not in English');
    expect(requests.filter((r) => r.startsWith('GET i18n/en'))).to.deep.equal([
      'GET i18n/en?ns=common,errors',
      'GET i18n/en?ns=accounts,billing,chart',
    ]);
    expect(shadowText(element, '.chart-title')).to.equal('Consumption and charges over 12 months');
  });

  it('draws twelve months of consumption and amounts with the figures in a table', async () => {
    const { element } = await setup();
    const svg = root(element).querySelector('[part="chart-image"]')!;
    expect(svg.getAttribute('role')).to.equal('img');
    expect(svg.getAttribute('aria-label')).to.contain('График потребления газа');
    expect(svg.querySelectorAll('rect.bar')).to.have.length(12);
    expect(Number(svg.querySelectorAll('rect.bar')[11]!.getAttribute('height'))).to.be.greaterThan(
      Number(svg.querySelectorAll('rect.bar')[10]!.getAttribute('height')),
    );
    expect(svg.querySelectorAll('circle.point')).to.have.length(2);
    const rows = text(element, '[part="chart-data"] tbody tr');
    expect(rows).to.have.length(12);
    expect(rows[0]).to.equal('ноябрь 2025 г. нет данных нет данных');
    expect(rows[11]).to.equal('октябрь 2026 г. 41,2 м³ 362,70 ₽');
    await expect(element).to.be.accessible();
  });

  it('names the chart’s months, its years and its scales in m³ and ₽', async () => {
    const { element } = await setup();
    expect(text(element, '.months li')).to.have.length(12);
    expect(text(element, '.months li')[11]).to.equal('окт.');
    expect(text(element, '.years li').filter(Boolean)).to.deep.equal(['2025', '2026']);
    const ticks = text(element, '.tick');
    expect(ticks.filter((t) => t.endsWith('м³'))).to.have.length(2);
    expect(ticks.filter((t) => t.endsWith('₽'))).to.have.length(2);
    expect(ticks).to.include('50 м³').and.include('400 ₽');
    await expect(element).to.be.accessible();
  });

  it('sets the chart’s labels in the widget’s type, larger in the low-vision mode', async () => {
    const size = (element: Element) => parseFloat(getComputedStyle(root(element).querySelector('.months li')!).fontSize);
    const standard = size((await setup()).element);
    const low = size((await setup(undefined, {}, 'low')).element);
    expect(standard).to.be.at.least(12);
    expect(low).to.be.at.least(standard * 1.3);
  });

  for (const vision of ['standard', 'low'] as const) {
    it(`fits a 320 px phone${vision === 'low' ? ' in the low-vision mode' : ''}: meters and charge lines one block per row`, async () => {
      await setViewport({ width: 320, height: 640 });
      try {
        const { element } = await setup(undefined, {}, vision);
        root(element).querySelector<HTMLButtonElement>('[part="month-toggle"]')!.click();
        await element.updateComplete;
        expect(sticksOut(element)).to.deep.equal([]);
        expect(document.documentElement.scrollWidth).to.equal(320);
        const meterRow = root(element).querySelector('[part="meters"] tbody tr')!;
        expect(getComputedStyle(meterRow).display).to.equal('block');
        expect(getComputedStyle(root(element).querySelector('[part="lines"] tbody tr')!).display).to.equal('block');
        await expect(element).to.be.accessible();
      } finally {
        await setViewport({ width: 800, height: 600 });
      }
    });
  }

  it('in basic mode shows masked holder and totals only, and switches to extended mode with the PIN from the bill', async () => {
    let mode: 'basic' | 'extended' = 'basic';
    const basic = () =>
      summary({
        account: { id: 'a1', number: '1000001', address: 'г. Демо', holder: 'Петров П. П.', mode: 'basic' },
        charges: { ...monthCharges('2026-10', 41.2, 35020, 1250), lines: [] },
      });
    const pins: string[] = [];
    const { element, bodies } = await setup(() => (mode === 'basic' ? basic() : summary()), {
      'POST accounts/a1/pin': (body) => {
        const { pin } = body as { pin: string };
        pins.push(pin);
        if (pin !== '4321') return errorReply(400, 'pin_wrong', { pin: 'pin_wrong' });
        mode = 'extended';
        return { status: 200, body: linkedAccount('1000001', { id: 'a1', mode: 'extended', holder: 'Петров Пётр Петрович' }) };
      },
    });
    expect(shadowText(element, '[part="details"]')).to.contain('Петров П. П.').and.contain('Базовая версия');
    // The note says what the PIN adds, not that the meters shown right below need it.
    expect(shadowText(element, '[part="basic-mode"]')).to.contain(
      'видны долг, итоги начислений по месяцам, приборы учёта и их показания',
    );
    expect(root(element).querySelector('[part="month-toggle"]')).to.equal(null);
    expect(shadowText(element, '[part="charges"]')).to.contain('Начисления по услугам видны в расширенной версии.');
    await expect(element).to.be.accessible();

    const pin = root(element).querySelector('gaskit-account-pin')!;
    const open = pin.shadowRoot!.querySelector<HTMLButtonElement>('[part="open-button"]')!;
    expect(open.textContent!.trim()).to.equal('У меня есть PIN-код');
    open.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => pin.shadowRoot!.querySelector('gaskit-text-field'), 'no PIN form');
    const field = pin.shadowRoot!.querySelector<GaskitTextField>('gaskit-text-field')!;
    await waitUntil(() => pin.shadowRoot!.activeElement === field, 'the PIN field did not get focus');

    await sendKeys({ type: '12a' });
    await sendKeys({ press: 'Enter' });
    await field.updateComplete;
    expect(shadowText(field, '[part="error"]')).to.equal('PIN-код — от 4 до 8 цифр.');
    expect(pins).to.deep.equal([]);

    field.value = '';
    await sendKeys({ type: '0000' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(
      () => shadowText(field, '[part="error"]') === 'Неверный PIN-код. Проверьте его в квитанции.',
      'wrong PIN not shown',
    );
    await expect(element).to.be.accessible();

    field.value = '';
    await sendKeys({ type: '4321' });
    const extended = oneEvent(element, 'gaskit-account-extended');
    await sendKeys({ press: 'Enter' });
    expect((await extended).detail.account.mode).to.equal('extended');
    await waitUntil(() => shadowText(element, '[part="details"]').includes('Расширенная версия'), 'the summary was not reloaded');
    expect(shadowText(element, '[part="extended"]')).to.contain('PIN-код принят: лицевой счёт переведён на расширенную версию.');
    expect(root(element).querySelector('[part="extended"]')!.getAttribute('role')).to.equal('status');
    expect(shadowText(element, '[part="details"]')).to.contain('Петров Пётр Петрович');
    expect(root(element).querySelector('gaskit-account-pin')).to.equal(null);
    expect(bodies).to.deep.equal([{ pin: '0000' }, { pin: '4321' }]);
  });

  it('says PIN entry is locked after too many wrong PINs', async () => {
    const { element } = await setup(() => summary({ account: { ...summary().account, mode: 'basic' } }), {
      'POST accounts/a1/pin': () => errorReply(429, 'pin_locked'),
    });
    const pin = root(element).querySelector('gaskit-account-pin')!;
    pin.shadowRoot!.querySelector<HTMLButtonElement>('[part="open-button"]')!.click();
    await waitUntil(() => pin.shadowRoot!.querySelector('gaskit-text-field'), 'no PIN form');
    pin.shadowRoot!.querySelector<GaskitTextField>('gaskit-text-field')!.value = '4321';
    pin.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitUntil(() => shadowText(pin, '[role="alert"]'), 'no error shown');
    expect(shadowText(pin, '[role="alert"]')).to.equal(
      'PIN-код введён неверно слишком много раз. Ввод PIN-кода временно заблокирован, повторите попытку позже.',
    );
  });

  it('refuses to unlink the last account with a clear error', async () => {
    const { element, requests } = await setup(() => summary(), { 'DELETE accounts/a1': () => errorReply(422, 'last_account') });
    const unlink = root(element).querySelector('gaskit-account-unlink')!;
    unlink.shadowRoot!.querySelector<HTMLButtonElement>('button')!.click();
    await unlink.updateComplete;
    unlink.shadowRoot!.querySelector<HTMLButtonElement>('.button--danger')!.click();
    await waitUntil(() => shadowText(unlink, '[part="error"]'), 'no error shown');
    expect(shadowText(unlink, '[part="error"]')).to.equal(
      'Последний лицевой счёт отключить нельзя: в кабинете должен остаться хотя бы один.',
    );
    expect(requests).to.include('DELETE accounts/a1');
    expect(shadowText(element, '[part="title"]')).to.equal('Лицевой счёт № 1000001');
    await expect(element).to.be.accessible();
  });

  it('unlinks the account after confirmation and says so', async () => {
    const { element } = await setup(() => summary(), { 'DELETE accounts/a1': () => ({ status: 204 }) });
    const unlink = root(element).querySelector('gaskit-account-unlink')!;
    unlink.shadowRoot!.querySelector<HTMLButtonElement>('button')!.click();
    await unlink.updateComplete;
    const unlinked = oneEvent(element, 'gaskit-account-unlinked');
    unlink.shadowRoot!.querySelector<HTMLButtonElement>('.button--danger')!.click();
    expect((await unlinked).detail).to.deep.equal({ accountId: 'a1', number: '1000001' });
    await element.updateComplete;
    expect(shadowText(element, '[part="notice"]')).to.equal('Лицевой счёт № 1000001 отвязан от личного кабинета.');
    await expect(element).to.be.accessible();
  });
});
