import { accountsOf } from '../../sdk/accounts.ts';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { AccountRef, LinkedAccount } from '../../sdk/index.ts';
import '../../widgets/link-account/define.ts';
import type { GaskitLinkAccount } from '../../widgets/link-account/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { accountsApi, checkResult, errorReply, linkedAccount, loadAccountTexts, realm } from './account-fixtures.ts';
import type { FakeApiOptions } from './fake-api.ts';
import { shadowText, translated } from './helpers.ts';

before(loadAccountTexts);

type Routes = NonNullable<FakeApiOptions['routes']>;

async function setup(
  linked: LinkedAccount[] = [linkedAccount('1000001')],
  routes: Routes = {},
  options: Parameters<typeof accountsApi>[0] = {},
) {
  let accounts = linked;
  const bodies: unknown[] = [];
  const { client, requests } = accountsApi({
    ...options,
    routes: {
      'GET accounts': () => ({ status: 200, body: { items: accounts } }),
      ...Object.fromEntries(
        Object.entries(routes).map(([key, route]) => [
          key,
          (body: unknown) => {
            bodies.push(body);
            return route(body);
          },
        ]),
      ),
    },
  });
  const element = await fixture<GaskitLinkAccount>(html`<gaskit-link-account .client=${client}></gaskit-link-account>`);
  await translated(element, 'ru');
  await waitUntil(() => element.shadowRoot!.querySelector('[part="count"]'), 'the linked accounts did not render');
  return { element, requests, bodies, setAccounts: (next: LinkedAccount[]) => (accounts = next) };
}

const root = (element: GaskitLinkAccount) => element.shadowRoot!;
const numberField = (element: GaskitLinkAccount) =>
  root(element).querySelector<GaskitTextField>('gaskit-text-field[name="number"]')!;
const buttonNamed = (element: GaskitLinkAccount, name: string) =>
  [...root(element).querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === name);

async function typeNumber(element: GaskitLinkAccount, value: string): Promise<void> {
  const field = numberField(element);
  field.focus();
  await sendKeys({ type: value });
  await element.updateComplete;
}

async function submitCheck(element: GaskitLinkAccount): Promise<void> {
  buttonNamed(element, 'Проверить')!.click();
  await element.updateComplete;
}

describe('gaskit-link-account', () => {
  it("offers the realm's suppliers with the site's own preselected and lists the linked accounts", async () => {
    const { element } = await setup();
    const select = root(element).querySelector<HTMLSelectElement>('#supplier')!;
    expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal(realm.map((s) => s.name));
    expect(select.value).to.equal('sever-gaz');
    expect(shadowText(element, '[part="count"]')).to.equal('Подключено 1 из 10');
    expect(shadowText(element, '[part="account"]')).to.contain('Лицевой счёт № 1000001').and.contain('Базовая версия');
    await expect(element).to.be.accessible();
  });

  it('names the only supplier of a realm instead of offering a choice', async () => {
    const { element } = await setup([linkedAccount('1000001')], {}, { suppliers: [realm[0]!] });
    expect(root(element).querySelector('#supplier')).to.equal(null);
    expect(shadowText(element, '[part="supplier"]')).to.equal('Поставщик услуг: Северогаз (демо)');
    await expect(element).to.be.accessible();
  });

  it('explains with a "?" hint where the account number is printed on the bill', async () => {
    const { element } = await setup();
    const hint = numberField(element).querySelector('gaskit-hint')!;
    expect(hint.getAttribute('text')).to.contain('напечатан в верхней части квитанции');
  });

  it('checks the trimmed number, shows the masked contract details, then links it and announces it', async () => {
    const { element, bodies, requests, setAccounts } = await setup([], {
      'POST accounts/check': () => ({ status: 200, body: checkResult('2000002') }),
      'POST accounts': () => ({ status: 201, body: linkedAccount('2000002') }),
    });
    expect(shadowText(element, '.current')).to.contain('Нет подключённых лицевых счетов.');
    await typeNumber(element, '  2000002 ');
    await submitCheck(element);
    await waitUntil(() => root(element).querySelector('[part="check"]'), 'no contract details');
    const details = shadowText(element, '[part="check"]');
    expect(details)
      .to.contain('г. Демо, ул. Газовая, д. 7, кв. 12')
      .and.contain('Сидорова А. В.')
      .and.contain('Северогаз (демо)');
    expect(bodies[0]).to.deep.equal({ supplier: 'sever-gaz', number: '2000002' } satisfies AccountRef);
    expect(root(element).activeElement?.id).to.equal('check-title');
    await expect(element).to.be.accessible();

    setAccounts([linkedAccount('2000002')]);
    const linked = oneEvent(element, 'gaskit-account-linked');
    buttonNamed(element, 'Подключить')!.click();
    const event = await linked;
    expect(event.detail.account.number).to.equal('2000002');
    expect(event.bubbles && event.composed).to.equal(true);
    expect(bodies[1]).to.deep.equal({ supplier: 'sever-gaz', number: '2000002' });
    await waitUntil(() => shadowText(element, '[part="count"]') === 'Подключено 1 из 10', 'the list was not reloaded');
    expect(shadowText(element, '[part="success"]')).to.equal('Лицевой счёт № 2000002 подключён к личному кабинету.');
    expect(numberField(element).value).to.equal('');
    expect(requests.filter((r) => r === 'GET accounts')).to.have.length(2);
  });

  it('links an account of another supplier of the realm', async () => {
    const { element, bodies } = await setup([], {
      'POST accounts/check': () => ({ status: 200, body: checkResult('3000003', { supplier: realm[1]! }) }),
    });
    const select = root(element).querySelector<HTMLSelectElement>('#supplier')!;
    select.value = 'yug-gaz';
    select.dispatchEvent(new Event('input'));
    await typeNumber(element, '3000003');
    await submitCheck(element);
    await waitUntil(() => root(element).querySelector('[part="check"]'), 'no contract details');
    expect(bodies[0]).to.deep.equal({ supplier: 'yug-gaz', number: '3000003' });
    expect(shadowText(element, '[part="check"]')).to.contain('Южгаз (демо)');
  });

  it('loads the accounts’ and the linking texts', async () => {
    const { requests } = await setup();
    expect(requests.filter((r) => r.startsWith('GET i18n/'))).to.deep.equal([
      'GET i18n/ru?ns=common,errors',
      'GET i18n/ru?ns=accounts,linking',
    ]);
  });

  for (const [bad, what] of [
    ['12a45', 'letters'],
    ['12345678901', '11 digits'],
  ]) {
    it(`refuses a number with ${what} before asking the server, with the rule as the field's error`, async () => {
      const { element, requests } = await setup();
      await typeNumber(element, bad!);
      await submitCheck(element);
      const input = numberField(element).shadowRoot!.querySelector('input')!;
      expect(input.getAttribute('aria-invalid')).to.equal('true');
      expect(shadowText(numberField(element), '[part="error"]')).to.equal(
        'Номер лицевого счёта указан в квитанции: только цифры, не более 10.',
      );
      expect(requests.some((r) => r.startsWith('POST'))).to.equal(false);
      await expect(element).to.be.accessible();
    });
  }

  it('shows "account not found" on the number field', async () => {
    const { element } = await setup([], { 'POST accounts/check': () => errorReply(404, 'account_not_found') });
    await typeNumber(element, '7777777');
    await submitCheck(element);
    await waitUntil(() => shadowText(numberField(element), '[part="error"]'), 'no error shown');
    expect(shadowText(numberField(element), '[part="error"]')).to.equal(
      'Лицевой счёт с таким номером не найден. Проверьте номер в квитанции.',
    );
    expect(element.shadowRoot!.activeElement).to.equal(numberField(element));
    await expect(element).to.be.accessible();
  });

  it('shows an unknown supplier on the supplier select', async () => {
    const { element } = await setup([], {
      'POST accounts/check': () => errorReply(400, 'supplier_not_found', { supplier: 'supplier_not_found' }),
    });
    await typeNumber(element, '1234567');
    await submitCheck(element);
    const select = root(element).querySelector<HTMLSelectElement>('#supplier')!;
    await waitUntil(() => select.getAttribute('aria-invalid') === 'true', 'the select was not marked');
    expect(shadowText(element, '#supplier-error')).to.equal('Такой поставщик не найден.');
    expect(root(element).activeElement).to.equal(select);
  });

  it('says when the checked account is linked already and offers no link button', async () => {
    const { element } = await setup([], {
      'POST accounts/check': () => ({ status: 200, body: checkResult('1000001', { alreadyLinked: true }) }),
    });
    await typeNumber(element, '1000001');
    await submitCheck(element);
    await waitUntil(() => root(element).querySelector('[part="check"]'), 'no contract details');
    expect(shadowText(element, '[part="check"]')).to.contain('Этот лицевой счёт уже подключён к вашему личному кабинету.');
    expect(buttonNamed(element, 'Подключить')).to.equal(undefined);
  });

  it('refuses an 11th account with the limit in the message', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => linkedAccount(String(1000001 + i)));
    const { element } = await setup(nine, {
      'POST accounts/check': () => ({ status: 200, body: checkResult('2000002') }),
      'POST accounts': () => errorReply(422, 'account_limit_reached'),
    });
    await typeNumber(element, '2000002');
    await submitCheck(element);
    await waitUntil(() => buttonNamed(element, 'Подключить'), 'no link button');
    buttonNamed(element, 'Подключить')!.click();
    await waitUntil(() => shadowText(element, '[part="check"] [role="alert"]'), 'no error shown');
    expect(shadowText(element, '[part="check"] [role="alert"]')).to.equal(
      'К кабинету можно подключить не больше 10 лицевых счетов.',
    );
    await expect(element).to.be.accessible();
  });

  it('says a rate limit without a number when the answer gave none, though it loads no sign-in texts', async () => {
    const { element } = await setup([], { 'POST accounts/check': () => errorReply(429, 'rate_limited') });
    await typeNumber(element, '2000002');
    await submitCheck(element);
    await waitUntil(() => shadowText(element, '[part="form"] [role="alert"]'), 'no error shown');
    expect(shadowText(element, '[part="form"] [role="alert"]')).to.equal('Слишком много попыток. Повторите позже.');
  });

  it('retries a failed link with the same idempotency key, so a link is never made twice', async () => {
    let attempts = 0;
    const { element } = await setup([], {
      'POST accounts/check': () => ({ status: 200, body: checkResult('2000002') }),
      'POST accounts': () =>
        ++attempts === 1 ? errorReply(503, 'unavailable') : { status: 201, body: linkedAccount('2000002') },
    });
    const keys: (string | undefined)[] = [];
    const accounts = accountsOf(element.client!);
    const link = accounts.link.bind(accounts);
    accounts.link = (ref, key, options) => {
      keys.push(key);
      return link(ref, key, options);
    };
    await typeNumber(element, '2000002');
    await submitCheck(element);
    await waitUntil(() => buttonNamed(element, 'Подключить'), 'no link button');
    buttonNamed(element, 'Подключить')!.click();
    await waitUntil(() => shadowText(element, '[part="check"] [role="alert"]'), 'no error shown');
    expect(shadowText(element, '[part="check"] [role="alert"]')).to.equal('Сервис временно недоступен.');
    buttonNamed(element, 'Подключить')!.click();
    await waitUntil(() => root(element).querySelector('[part="success"]'), 'not linked on retry');
    expect(keys).to.have.length(2);
    expect(keys[0]).to.be.a('string').and.equal(keys[1]);
  });

  it('says the list of accounts is busy when linking or unlinking is refused with links_busy', async () => {
    const { element } = await setup([linkedAccount('1000001'), linkedAccount('1000002')], {
      'POST accounts/check': () => ({ status: 200, body: checkResult('2000002') }),
      'POST accounts': () => errorReply(409, 'links_busy'),
      [`DELETE accounts/${linkedAccount('1000002').id}`]: () => errorReply(409, 'links_busy'),
    });
    const busy = 'Список счетов кабинета сейчас меняется. Повторите действие.';
    await typeNumber(element, '2000002');
    await submitCheck(element);
    await waitUntil(() => buttonNamed(element, 'Подключить'), 'no link button');
    buttonNamed(element, 'Подключить')!.click();
    await waitUntil(() => shadowText(element, '[part="check"] [role="alert"]'), 'no error shown');
    expect(shadowText(element, '[part="check"] [role="alert"]')).to.equal(busy);
    expect(buttonNamed(element, 'Подключить')).to.not.equal(undefined);

    const unlink = root(element).querySelectorAll('gaskit-account-unlink')[1]!;
    unlink.shadowRoot!.querySelector<HTMLButtonElement>('button')!.click();
    await unlink.updateComplete;
    unlink.shadowRoot!.querySelector<HTMLButtonElement>('.button--danger')!.click();
    await waitUntil(() => shadowText(unlink, '[part="error"]'), 'no unlink error shown');
    expect(shadowText(unlink, '[part="error"]')).to.equal(busy);
    await expect(element).to.be.accessible();
  });

  it('replaces the form with a note once the cabinet has its maximum of accounts', async () => {
    const two = [linkedAccount('1000001'), linkedAccount('1000002')];
    const { element } = await setup(two, {}, { maxAccounts: 2 });
    expect(root(element).querySelector('[part="form"]')).to.equal(null);
    expect(shadowText(element, '[part="limit"]')).to.contain('наибольшее число лицевых счетов — 2');
  });

  it('unlinks an account of the list after confirming it, from the keyboard', async () => {
    const { element, requests, setAccounts } = await setup([linkedAccount('1000001'), linkedAccount('1000002')], {
      [`DELETE accounts/${linkedAccount('1000002').id}`]: () => ({ status: 204 }),
    });
    const unlink = root(element).querySelectorAll('gaskit-account-unlink')[1]!;
    const button = unlink.shadowRoot!.querySelector<HTMLButtonElement>('button')!;
    expect(button.getAttribute('aria-label')).to.equal('Отвязать лицевой счёт № 1000002');
    button.focus();
    await sendKeys({ press: 'Enter' });
    await unlink.updateComplete;
    expect(shadowText(unlink, '[part="confirm"]')).to.contain('Отвязать лицевой счёт № 1000002 от личного кабинета?');
    setAccounts([linkedAccount('1000001')]);
    const unlinked = oneEvent(element, 'gaskit-account-unlinked');
    await sendKeys({ press: 'Enter' });
    expect((await unlinked).detail).to.deep.equal({ accountId: linkedAccount('1000002').id, number: '1000002' });
    await waitUntil(() => shadowText(element, '[part="count"]') === 'Подключено 1 из 10', 'the list was not reloaded');
    expect(requests).to.include(`DELETE accounts/${linkedAccount('1000002').id}`);
    expect(root(element).querySelector('gaskit-account-unlink')).to.equal(null);
    expect(shadowText(element, '[part="account"]')).to.contain('В личном кабинете должен оставаться хотя бы один лицевой счёт.');
    expect(shadowText(element, '[part="unlinked"]')).to.equal('Лицевой счёт № 1000002 отвязан от личного кабинета.');
    expect(root(element).querySelector('[part="unlinked"]')!.getAttribute('role')).to.equal('status');
    expect(root(element).activeElement).to.equal(root(element).querySelector('[part="unlinked"]'));
    await expect(element).to.be.accessible();
  });
});
