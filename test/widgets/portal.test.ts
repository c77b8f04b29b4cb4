import { expect, fixture, html, nextFrame, oneEvent, waitUntil } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import type { GaskitClient, LinkedAccount, Me, ReadingsHistory } from '../../sdk/index.ts';
import '../../widgets/portal/define.ts';
import { parseRoute, routePath, type GaskitPortal } from '../../widgets/portal/index.ts';
import type { GaskitElement } from '../../widgets/shared/gaskit-element.ts';
import { fakeApi, translations, type FakeApiOptions } from './fake-api.ts';
import { translated } from './helpers.ts';

before(async () => {
  for (const lng of ['ru', 'en']) {
    for (const ns of [
      'portal',
      'common',
      'auth',
      'password',
      'registration',
      'captcha',
      'accounts',
      'linking',
      'billing',
      'pin',
      'readings',
      'payments',
      'feedback',
      'settings',
    ]) {
      const loaded = (await (await fetch(`/locales/${lng}/${ns}.json`)).json()) as Record<string, unknown>;
      translations[lng]![ns] = { ...loaded, ...translations[lng]![ns] };
    }
  }
});

const me: Me = {
  id: 's1',
  login: 'ivan@example.test',
  loginKind: 'email',
  email: 'ivan@example.test',
  phone: null,
  fullName: 'Иван Петров',
  personType: 'individual',
  status: 'active',
  mustChangePassword: false,
  confirmBy: null,
  consent: null,
  createdAt: '2026-03-01T10:00:00.000Z',
};

function account(
  id: string,
  number: string,
  address: string,
  supplier = { slug: 'sever-gaz', name: 'Северогаз (демо)' },
): LinkedAccount {
  return {
    id,
    number,
    address,
    holder: 'Петров И. С.',
    mode: 'basic',
    supplier,
    debt: 195_685,
    penalties: 0,
    period: '2026-02',
    pendingPaid: 0,
    due: { balance: 195_685, total: 195_685, amount: 195_685, penalties: 0 },
  };
}

const accounts = [
  account('a1', '1000001', 'г. Северск, ул. Полярная, 1'),
  account('a2', '1000002', 'г. Северск, ул. Полярная, 2'),
];

const signedInRoutes: FakeApiOptions['routes'] = {
  'GET me': () => ({ status: 200, body: me }),
  'GET accounts': () => ({ status: 200, body: { items: accounts } }),
  'POST auth/logout': () => ({ status: 204 }),
};

const startUrl = location.href;

function api(signedIn: boolean, routes: FakeApiOptions['routes'] = {}) {
  const fake = fakeApi({ routes: { ...(signedIn ? signedInRoutes : {}), ...routes } });
  if (signedIn) fake.client.session.setToken('token');
  return fake;
}

async function mount(client: GaskitClient, attrs: { basePath?: string; width?: string } = {}): Promise<GaskitPortal> {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style="width: ${attrs.width ?? '1024px'}">
      <gaskit-portal .client=${client} base-path=${attrs.basePath ?? ''}></gaskit-portal>
    </div>`,
  );
  const el = wrapper.querySelector('gaskit-portal')!;
  await translated(el, 'ru');
  return el;
}

const $ = <T extends Element = HTMLElement>(el: GaskitPortal, selector: string) => el.shadowRoot!.querySelector<T>(selector);
const title = (el: GaskitPortal) => $(el, '[part="view-title"]')?.textContent?.trim() ?? '';
const navLinks = (el: GaskitPortal) => [...el.shadowRoot!.querySelectorAll<HTMLAnchorElement>('[part="nav-link"]')];
const currentLink = (el: GaskitPortal) => navLinks(el).find((a) => a.getAttribute('aria-current') === 'page');

/** The element `selector` finds in the portal once shown and, for a section's widget, defined (its chunk loads then) and with its texts. */
async function shows<T extends HTMLElement = HTMLElement>(el: GaskitPortal, selector: string): Promise<T> {
  await waitUntil(() => {
    const found = $(el, selector);
    return found && (!found.localName.includes('-') || customElements.get(found.localName));
  }, `the portal did not show ${selector}`);
  await el.updateComplete;
  const found = $<T>(el, selector)!;
  // An element the portal shows loads the namespaces of texts it has that the portal had not.
  if ('localize' in found) await translated(found as unknown as GaskitElement);
  await (found as Partial<GaskitElement>).updateComplete;
  return found;
}

describe('gaskit-portal', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => history.replaceState(null, '', startUrl));

  it('welcomes a person whose cabinet has no account yet, offers linking right there, then leads on to the home', async () => {
    let linked: LinkedAccount[] = [];
    const { client } = api(true, { 'GET accounts': () => ({ status: 200, body: { items: linked } }) });
    const el = await mount(client);
    const linker = await shows(el, 'gaskit-link-account');
    expect(title(el)).to.equal('Добро пожаловать!');
    expect($(el, '[part="view-title"]')!.classList.contains('visually-hidden')).to.equal(false);
    const welcome = $(el, '[part="welcome"]')!.textContent!.replace(/\s+/g, ' ');
    expect(welcome).to.contain('Добро пожаловать в личный кабинет абонента «Северогаз (демо)»');
    expect(welcome).to.contain('введите номер лицевого счёта, указанный в квитанции');
    expect(welcome).to.contain('до 10 в одном личном кабинете');
    expect($(el, '[part="welcome"] button')).to.equal(null);
    await expect(el).to.be.accessible();

    linked = accounts.slice(0, 1);
    linker.dispatchEvent(new CustomEvent('gaskit-account-linked', { detail: {}, bubbles: true, composed: true }));
    const onward = await shows<HTMLButtonElement>(el, '[part="welcome"] button');
    expect($(el, 'gaskit-link-account')).to.equal(linker);
    expect(onward.textContent!.trim()).to.equal('Перейти на главную');
    onward.click();
    await shows(el, 'gaskit-overview');
    expect(title(el)).to.equal('Главная');
    expect(el.shadowRoot!.activeElement?.getAttribute('part')).to.equal('view-title');
  });

  it('shows on the home what is owed now on each account, what is paid and not booked, the reading window and meters due for verification', async () => {
    const readingsOf = (window: Partial<ReadingsHistory['window']>, due: string | null): ReadingsHistory => ({
      accountId: 'x',
      window: {
        startDay: 15,
        endDay: 25,
        outsideWindow: 'next-period',
        open: true,
        period: '2026-03',
        queued: false,
        opensOn: '2026-03-15',
        closesOn: '2026-03-25',
        ...window,
      },
      meters: [
        {
          meter: {
            id: 'm1',
            serialNumber: 'SN-7',
            name: '',
            digits: 5,
            decimals: 0,
            verificationDue: due,
            verificationOverdue: false,
          },
          last: null,
          previous: null,
          readings: [],
        },
      ],
    });
    const { client } = api(true, {
      'GET accounts': () => ({
        status: 200,
        body: {
          items: [
            // The services paid here and not booked yet: of the penalties, what the payment left is due.
            {
              ...accounts[0]!,
              debt: 81_674,
              penalties: 718,
              pendingPaid: 81_000,
              due: { balance: 674, total: 674, amount: 0, penalties: 674 },
            },
            {
              ...accounts[1]!,
              debt: -1_500,
              penalties: 0,
              due: { balance: -1_500, total: 0, amount: 0, penalties: 0 },
            },
          ],
        },
      }),
      'GET accounts/a1/readings': () => ({ status: 200, body: readingsOf({}, '2020-01-31') }),
      'GET accounts/a2/readings': () => ({
        status: 200,
        body: readingsOf(
          { open: false, queued: false, period: null, opensOn: '2026-04-15', closesOn: '2026-04-25' },
          '2040-01-01',
        ),
      }),
    });
    const el = await mount(client);
    const overview = await shows<GaskitElement>(el, 'gaskit-overview');
    await waitUntil(() => overview.shadowRoot!.querySelectorAll('[part="window"]').length === 2, 'no reading windows shown');
    const cards = [...overview.shadowRoot!.querySelectorAll('[part="account"]')].map((c) => c.textContent!.replace(/\s+/g, ' '));
    expect(cards[0]).to.contain('Лицевой счёт № 1000001').and.contain('К оплате сейчас: 6,74 ₽');
    expect(cards[0]).to.contain('в том числе пени 6,74 ₽').and.contain('Оплачено 810,00 ₽ — ждёт зачисления у поставщика');
    expect(cards[0]).to.contain('Показания принимаются до 25 марта включительно');
    expect(cards[0]).to.contain('Счётчик № SN-7: срок поверки истёк 31 января 2020 г.');
    expect(cards[1]).to.contain('Переплата: 15,00 ₽').and.contain('Приём показаний откроется 15 апреля');
    expect(cards[1]).not.to.contain('поверк');
    expect(overview.shadowRoot!.querySelector('[part="total"]')!.textContent!.replace(/\s+/g, ' ')).to.contain(
      'Всего к оплате: 6,74 ₽',
    );
    const links = [...overview.shadowRoot!.querySelectorAll<HTMLAnchorElement>('a')].map((a) => [
      a.textContent!.trim(),
      a.getAttribute('href'),
    ]);
    expect(links).to.deep.include.members([
      ['Оплатить онлайн', '#/pay'],
      ['Лицевой счёт № 1000001', '#/accounts/a1'],
      ['Передать показания', '#/accounts/a1/readings'],
    ]);
    expect(links.filter(([name]) => name === 'Передать показания')).to.have.length(1);
    expect($(el, '[part="account-bar"]')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('describes each section of the menu in a hint shown on hover and on keyboard focus, and hidden with Escape', async () => {
    const { client } = api(true);
    const el = await mount(client, { width: '1200px' });
    await shows(el, 'gaskit-overview');
    const link = navLinks(el).find((a) => a.textContent!.trim() === 'Показания')!;
    const hint = el.shadowRoot!.getElementById(link.getAttribute('aria-describedby')!)!;
    expect(hint.getAttribute('role')).to.equal('tooltip');
    expect(hint.textContent).to.equal('Передача показаний приборов учёта в дни приёма и история переданных показаний.');
    expect(hint.checkVisibility()).to.equal(false);
    try {
      const box = link.getBoundingClientRect();
      await sendMouse({ type: 'move', position: [Math.round(box.x + 10), Math.round(box.y + box.height / 2)] });
      expect(hint.checkVisibility()).to.equal(true);
      await resetMouse();
      expect(hint.checkVisibility()).to.equal(false);
      link.focus();
      await sendKeys({ press: 'Shift' });
      expect(hint.checkVisibility()).to.equal(true);
      await sendKeys({ press: 'Escape' });
      await el.updateComplete;
      expect(hint.checkVisibility()).to.equal(false);
      expect(el.shadowRoot!.activeElement).to.equal(link);
    } finally {
      await resetMouse();
    }
    await expect(el).to.be.accessible();
  });

  it('heads the settings page once, with linking accounts after the settings', async () => {
    history.replaceState(null, '', '#/settings');
    const { client } = api(true, { 'GET me/sessions': () => ({ status: 200, body: [] }) });
    const el = await mount(client);
    const settings = await shows<GaskitElement>(el, 'gaskit-settings');
    await waitUntil(() => settings.shadowRoot!.querySelector('h2'), 'the settings have no heading');
    expect(settings.shadowRoot!.querySelector('h2')!.textContent!.trim()).to.equal('Настройки абонента');
    expect(title(el)).to.equal('Настройки абонента');
    expect($(el, '[part="view-title"]')!.classList.contains('visually-hidden')).to.equal(true);
    const accounts = $(el, '.settings-accounts')!;
    expect(settings.compareDocumentPosition(accounts) & Node.DOCUMENT_POSITION_FOLLOWING).to.not.equal(0);
    await expect(el).to.be.accessible();
  });

  it('shows the name saved in the settings in the header at once', async () => {
    history.replaceState(null, '', '#/settings');
    const { client } = api(true, { 'GET me/sessions': () => ({ status: 200, body: [] }) });
    const el = await mount(client);
    const settings = await shows(el, 'gaskit-settings');
    expect($(el, '[part="user"]')!.textContent).to.contain('Иван Петров');
    settings.dispatchEvent(
      new CustomEvent('gaskit-profile-changed', {
        detail: { me: { ...me, fullName: 'Пётр Иванов' } },
        bubbles: true,
        composed: true,
      }),
    );
    await el.updateComplete;
    expect($(el, '[part="user"]')!.textContent).to.contain('Пётр Иванов');
  });

  it('confirms an account unlinked from its summary instead of calling it not linked', async () => {
    let linked = accounts;
    history.replaceState(null, '', '#/accounts/a2');
    const { client } = api(true, { 'GET accounts': () => ({ status: 200, body: { items: linked } }) });
    const el = await mount(client);
    const summary = await shows(el, 'gaskit-account');
    linked = accounts.slice(0, 1);
    summary.dispatchEvent(
      new CustomEvent('gaskit-account-unlinked', {
        detail: { accountId: 'a2', number: '1000002' },
        bubbles: true,
        composed: true,
      }),
    );
    await waitUntil(() => $(el, '[part="notice"]'), 'no notice after unlinking');
    expect($(el, '[part="notice"]')!.textContent!.trim()).to.equal('Лицевой счёт № 1000002 отвязан от личного кабинета.');
    expect($(el, '[part="notice"]')!.getAttribute('role')).to.equal('status');
    expect($(el, 'a[part="link"]')!.getAttribute('href')).to.equal('#/accounts');
  });

  it('maps section paths to views and back', () => {
    expect(parseRoute('/')).to.deep.equal({ view: 'home' });
    expect(parseRoute('/accounts/a%2F1/readings')).to.deep.equal({ view: 'readings', accountId: 'a/1' });
    expect(parseRoute('/accounts/42')).to.deep.equal({ view: 'summary', accountId: '42' });
    expect(parseRoute('/accounts/42/payments')).to.deep.equal({ view: 'payments', accountId: '42' });
    expect(parseRoute('/pay')).to.deep.equal({ view: 'pay' });
    expect(parseRoute('/accounts/42/nothing')).to.deep.equal({ view: 'not-found' });
    expect(routePath({ view: 'readings', accountId: 'a/1' })).to.equal('/accounts/a%2F1/readings');
    expect(routePath({ view: 'payments' })).to.equal('/payments');
  });

  it('asks a signed-out person to sign in, with sign-in, registration and feedback in the menu', async () => {
    const { client } = api(false);
    const el = await mount(client);
    await shows(el, 'gaskit-login');
    expect(navLinks(el).map((a) => a.textContent!.trim())).to.deep.equal(['Вход', 'Регистрация', 'Обратная связь']);
    expect(currentLink(el)?.textContent?.trim()).to.equal('Вход');
    expect($(el, 'gaskit-login')!.getAttribute('register-url')).to.equal('#/register');
    await expect(el).to.be.accessible();
  });

  it('shows sign-in for a deep link of a signed-out person and opens the section after signing in', async () => {
    history.replaceState(null, '', '#/accounts/a2/readings');
    const { client } = api(false, { 'GET accounts': () => ({ status: 200, body: { items: accounts } }) });
    const el = await mount(client);
    const login = await shows(el, 'gaskit-login');
    login.dispatchEvent(new CustomEvent('gaskit-signed-in', { detail: { me }, bubbles: true, composed: true }));
    const readings = await shows(el, 'gaskit-readings');
    expect(readings.getAttribute('account-id')).to.equal('a2');
    expect(location.hash).to.equal('#/accounts/a2/readings');
    expect(el.shadowRoot!.activeElement?.getAttribute('part')).to.equal('view-title');
  });

  it('stays on sign-in while a temporary password still has to be changed', async () => {
    const { client } = api(false);
    const el = await mount(client);
    const login = await shows(el, 'gaskit-login');
    login.dispatchEvent(
      new CustomEvent('gaskit-signed-in', { detail: { me: { ...me, mustChangePassword: true } }, bubbles: true, composed: true }),
    );
    await el.updateComplete;
    expect($(el, 'gaskit-login')).to.exist;
    expect(navLinks(el)).to.have.length(3);
  });

  it('opens the account sections with the first account when none was chosen before, and the remembered one on the next visit', async () => {
    const first = api(true);
    const el = await mount(first.client);
    await shows(el, 'gaskit-overview');
    navLinks(el)
      .find((a) => a.textContent!.trim() === 'Лицевой счёт')!
      .click();
    const summary = await shows(el, 'gaskit-account');
    expect(summary.getAttribute('account-id')).to.equal('a1');
    expect(location.hash).to.equal('#/accounts/a1');
    el.remove();

    history.replaceState(null, '', startUrl);
    first.client.preferences.setAccountId('a2');
    const next = api(true);
    const again = await mount(next.client);
    await shows(again, 'gaskit-overview');
    navLinks(again)
      .find((a) => a.textContent!.trim() === 'Лицевой счёт')!
      .click();
    expect((await shows(again, 'gaskit-account')).getAttribute('account-id')).to.equal('a2');
  });

  it('opens a deep link to an account section, marks its menu item and remembers the account', async () => {
    history.replaceState(null, '', '#/accounts/a2/charges');
    const { client } = api(true);
    const el = await mount(client);
    expect((await shows(el, 'gaskit-charges')).getAttribute('account-id')).to.equal('a2');
    expect(currentLink(el)?.textContent?.trim()).to.equal('Начисления');
    expect(
      navLinks(el)
        .find((a) => a.textContent!.trim() === 'Показания')!
        .getAttribute('href'),
    ).to.equal('#/accounts/a2/readings');
    expect(client.preferences.accountId).to.equal('a2');
    expect(title(el)).to.equal('Начисления');
    await expect(el).to.be.accessible();
  });

  it('switches the account of the current section with the account select', async () => {
    history.replaceState(null, '', '#/accounts/a1/readings');
    const { client } = api(true);
    const el = await mount(client);
    await shows(el, 'gaskit-readings');
    const select = $<HTMLSelectElement>(el, '[part="account-select"]')!;
    expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal([
      '№ 1000001, г. Северск, ул. Полярная, 1',
      '№ 1000002, г. Северск, ул. Полярная, 2',
    ]);
    select.focus();
    select.value = 'a2';
    select.dispatchEvent(new Event('input'));
    await waitUntil(() => $(el, 'gaskit-readings')?.getAttribute('account-id') === 'a2', 'the readings did not switch');
    expect(location.hash).to.equal('#/accounts/a2/readings');
    expect(client.preferences.accountId).to.equal('a2');
    expect(el.shadowRoot!.activeElement?.getAttribute('part')).to.equal('account-select');
  });

  it('serves an account of another supplier of the realm through that supplier, with the same session', async () => {
    const yug = account('y1', '2000001', 'г. Южный, ул. Солнечная, 5', { slug: 'yug-gaz', name: 'Южгаз (демо)' });
    history.replaceState(null, '', '#/accounts/y1/readings');
    const { client } = api(true, { 'GET accounts': () => ({ status: 200, body: { items: [...accounts, yug] } }) });
    const el = await mount(client);
    const readings = await shows<GaskitElement>(el, 'gaskit-readings');
    expect(readings.client?.tenant).to.equal('yug-gaz');
    expect(readings.client?.session.token).to.equal('token');
    const select = $<HTMLSelectElement>(el, '[part="account-select"]')!;
    select.value = 'a1';
    select.dispatchEvent(new Event('input'));
    await waitUntil(() => $(el, 'gaskit-readings')?.getAttribute('account-id') === 'a1', 'the readings did not switch');
    expect((await shows<GaskitElement>(el, 'gaskit-readings')).resolvedClient === client).to.equal(true);
  });

  it('says so when the address names an account that is not linked', async () => {
    history.replaceState(null, '', '#/accounts/zz/readings');
    const { client } = api(true);
    const el = await mount(client);
    const notice = await shows(el, '[part="notice"]');
    expect(notice.textContent).to.contain('не подключён');
    expect($(el, 'gaskit-readings')).to.equal(null);
    expect(client.preferences.accountId).to.equal(null);
  });

  it('follows menu links in place, moves focus to the section heading and goes back with history', async () => {
    const { client } = api(true);
    const el = await mount(client);
    await shows(el, 'gaskit-overview');
    const changed = oneEvent(el, 'gaskit-route-changed');
    navLinks(el)
      .find((a) => a.textContent!.trim() === 'Оплата онлайн')!
      .click();
    expect((await changed).detail).to.deep.equal({ path: '/pay', view: 'pay', accountId: null });
    await shows(el, 'gaskit-pay');
    expect(el.shadowRoot!.activeElement?.getAttribute('part')).to.equal('view-title');
    expect(title(el)).to.equal('Оплата онлайн');
    history.back();
    await shows(el, 'gaskit-overview');
    expect(title(el)).to.equal('Главная');
  });

  it('routes by real paths under base-path and follows its links without reloading', async () => {
    history.replaceState(null, '', '/t/sever-gaz/accounts/a2/readings');
    const { client } = api(true);
    const el = await mount(client, { basePath: '/t/sever-gaz' });
    expect((await shows(el, 'gaskit-readings')).getAttribute('account-id')).to.equal('a2');
    const settings = navLinks(el).find((a) => a.textContent!.trim() === 'Настройки')!;
    expect(settings.getAttribute('href')).to.equal('/t/sever-gaz/settings');
    settings.click();
    await shows(el, 'gaskit-settings');
    expect(location.pathname).to.equal('/t/sever-gaz/settings');
    history.back();
    await shows(el, 'gaskit-readings');
    expect(location.pathname).to.equal('/t/sever-gaz/accounts/a2/readings');
  });

  it('opens registration when an emailed confirmation link brings the person back', async () => {
    history.replaceState(null, '', `${location.pathname}${location.search}${location.search ? '&' : '?'}gaskit-confirm=abc`);
    const { client, requests } = api(false, {
      'POST auth/confirm': () => ({ status: 400, body: { error: { code: 'token_invalid' } } }),
    });
    const el = await mount(client);
    await shows(el, 'gaskit-register');
    expect(location.hash).to.equal('#/register');
    await waitUntil(() => requests.includes('POST auth/confirm'), 'the registration widget did not use the link');
  });

  it('follows a link inside a widget to another section without leaving the page', async () => {
    const { client } = api(false);
    const el = await mount(client);
    const login = await shows(el, 'gaskit-login');
    await waitUntil(() => login.shadowRoot!.querySelector('a[part="link"]'), 'the sign-in form has no registration link');
    login.shadowRoot!.querySelector<HTMLAnchorElement>('a[part="link"]')!.click();
    await shows(el, 'gaskit-register');
    expect(location.hash).to.equal('#/register');
    expect(currentLink(el)?.textContent?.trim()).to.equal('Регистрация');
  });

  it('reloads the accounts when one is linked or unlinked', async () => {
    let linked = accounts.slice(0, 1);
    const { client } = api(true, { 'GET accounts': () => ({ status: 200, body: { items: linked } }) });
    history.replaceState(null, '', '#/accounts');
    const el = await mount(client);
    const linker = await shows(el, 'gaskit-link-account');
    await waitUntil(() => $(el, '[part="account-select"]'), 'no account select');
    linked = accounts;
    linker.dispatchEvent(new CustomEvent('gaskit-account-linked', { detail: {}, bubbles: true, composed: true }));
    await waitUntil(
      () => $<HTMLSelectElement>(el, '[part="account-select"]')!.options.length === 2,
      'the new account is not offered',
    );
    linked = [];
    linker.dispatchEvent(new CustomEvent('gaskit-account-unlinked', { detail: {}, bubbles: true, composed: true }));
    await waitUntil(() => !$(el, '[part="account-select"]'), 'the unlinked account is still offered');
  });

  it('answers an unknown address with "not found" and a way home', async () => {
    history.replaceState(null, '', '#/no/such/page');
    const { client } = api(false);
    const el = await mount(client);
    expect(title(el)).to.equal('Страница не найдена');
    expect((await shows(el, 'a[part="link"]')).getAttribute('href')).to.equal('#/');
    await expect(el).to.be.accessible();
  });

  it('switches every text to the language chosen in the header', async () => {
    const { client } = api(false);
    const el = await mount(client);
    const select = $<HTMLSelectElement>(el, '[part="language"]')!;
    select.value = 'en';
    select.dispatchEvent(new Event('input'));
    await translated(el, 'en');
    expect(client.locale).to.equal('en');
    expect(title(el)).to.equal('Sign in to the cabinet');
  });

  it('signs out from the header and returns to sign-in', async () => {
    const { client, requests } = api(true);
    const el = await mount(client);
    await shows(el, 'gaskit-overview');
    expect($(el, '[part="user"]')!.textContent).to.contain('Иван Петров');
    const signedOut = oneEvent(el, 'gaskit-signed-out');
    $(el, '[part="sign-out"]')!.click();
    expect((await signedOut).detail).to.deep.equal({ reason: 'sign-out' });
    await shows(el, 'gaskit-login');
    expect(requests).to.include('POST auth/logout');
    expect(client.session.isSignedIn).to.equal(false);
    expect(location.hash).to.equal('#/');
  });

  it('returns to sign-in when a widget inside ends the session', async () => {
    history.replaceState(null, '', '#/settings');
    const { client } = api(true);
    const el = await mount(client);
    const settings = await shows(el, 'gaskit-settings');
    settings.dispatchEvent(
      new CustomEvent('gaskit-signed-out', { detail: { reason: 'deleted' }, bubbles: true, composed: true }),
    );
    await shows(el, 'gaskit-login');
    expect(location.hash).to.equal('#/');
    expect(navLinks(el)).to.have.length(3);
  });

  it('shows the supplier’s logo from the Gaskit server next to its name', async () => {
    const { client } = api(false, {});
    const config = await client.getConfig();
    config.tenant.logoUrl = '/examples/sever-gaz/logo.svg';
    const el = await mount(client);
    const logo = await shows(el, '[part="logo"]');
    expect(logo.getAttribute('src')).to.equal('https://api.test/examples/sever-gaz/logo.svg');
    expect(logo.getAttribute('alt')).to.equal('');
    expect($(el, '[part="tenant-name"]')!.textContent).to.equal('Северогаз (демо)');
  });

  it('folds the menu behind a button on a phone-wide element and opens it from the keyboard', async () => {
    const { client } = api(true);
    const el = await mount(client, { width: '360px' });
    await shows(el, 'gaskit-overview');
    const button = $<HTMLButtonElement>(el, '[part="menu-button"]')!;
    const list = $(el, '[part="nav-list"]')!;
    expect(button.checkVisibility()).to.equal(true);
    expect(list.checkVisibility()).to.equal(false);
    button.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    expect(list.checkVisibility()).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('shows the menu beside the content on a desktop-wide element', async () => {
    const { client } = api(true);
    const el = await mount(client, { width: '1200px' });
    await shows(el, 'gaskit-overview');
    expect($(el, '[part="menu-button"]')!.checkVisibility()).to.equal(false);
    const nav = $(el, '[part="nav"]')!.getBoundingClientRect();
    const main = $(el, '[part="main"]')!.getBoundingClientRect();
    expect(nav.right).to.be.at.most(main.left + 1);
  });

  it('switches to the low-vision version for itself and the widgets in it, and remembers it', async () => {
    const { client } = api(false);
    const el = await mount(client);
    const login = await shows<GaskitElement>(el, 'gaskit-login');
    const before = parseFloat(getComputedStyle(login).fontSize);
    const toggle = $(el, '[part="vision-toggle"]')!;
    expect(toggle.textContent!.trim()).to.equal('Версия для слабовидящих');
    const changed = oneEvent(el, 'gaskit-vision-changed');
    toggle.click();
    expect((await changed).detail).to.deep.equal({ vision: 'low' });
    await el.updateComplete;
    await nextFrame();
    expect(el.lowVision).to.equal(true);
    expect(login.lowVision).to.equal(true);
    expect(parseFloat(getComputedStyle(login).fontSize)).to.be.above(before);
    expect(getComputedStyle(login).color).to.equal('rgb(0, 0, 0)');
    expect($(el, '[part="vision-toggle"]')!.textContent!.trim()).to.equal('Обычная версия');
    expect(client.preferences.vision).to.equal('low');
    await expect(el).to.be.accessible();

    el.remove();
    const again = await mount(api(false).client);
    expect(again.lowVision).to.equal(true);
  });
});
