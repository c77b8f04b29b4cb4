import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../widgets/settings/define.ts';
import type { GaskitSettings } from '../../widgets/settings/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { translated } from './helpers.ts';
import { authFake, FLOWS, loadAuthTexts, me, type AuthFake } from './register-fixtures.ts';

before(loadAuthTexts);

const SESSIONS = [
  {
    id: 'a',
    current: true,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    device: { browser: 'Firefox', os: 'Linux', mobile: false },
    ip: '10.0.0.1',
    createdAt: '2026-03-01T10:00:00Z',
    lastSeenAt: '2026-03-03T10:00:00Z',
    expiresAt: '2026-04-01T10:00:00Z',
  },
  {
    id: 'b',
    current: false,
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1',
    device: { browser: 'Mobile Safari', os: 'iOS', mobile: true },
    ip: '10.0.0.2',
    createdAt: '2026-02-01T10:00:00Z',
    lastSeenAt: '2026-02-03T10:00:00Z',
    expiresAt: '2026-03-05T10:00:00Z',
  },
];

function settingsFake(routes: Record<string, (body: unknown) => { status: number; body?: unknown }> = {}): AuthFake {
  const fake = authFake(FLOWS.link, {
    routes: {
      'GET me': () => ({ status: 200, body: me({ fullName: 'Иванов Иван' }) }),
      'GET me/sessions': () => ({ status: 200, body: SESSIONS }),
      ...routes,
    },
  });
  fake.client.session.setToken('t'.repeat(43));
  return fake;
}

async function setup(fake: AuthFake): Promise<GaskitSettings> {
  const element = await fixture<GaskitSettings>(html`<gaskit-settings .client=${fake.client}></gaskit-settings>`);
  await translated(element);
  await waitUntil(() => element.shadowRoot!.querySelector('form'), 'settings did not render');
  return element;
}

function form(element: HTMLElement, section: string): HTMLFormElement {
  return element.shadowRoot!.querySelector<HTMLFormElement>(`form[data-section="${section}"]`)!;
}

function field(scope: ParentNode, name: string): GaskitTextField {
  return scope.querySelector<GaskitTextField>(`gaskit-text-field[name="${name}"]`)!;
}

async function type(scope: ParentNode, name: string, value: string): Promise<void> {
  const f = field(scope, name);
  const input = f.shadowRoot!.querySelector('input')!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await f.updateComplete;
}

function text(element: HTMLElement): string {
  return element.shadowRoot!.textContent!.replace(/\s+/g, ' ');
}

describe('gaskit-settings', () => {
  it('shows the login, profile, password change, sessions and the consent given, accessibly', async () => {
    const element = await setup(settingsFake());
    expect(text(element)).to.include('Настройки абонента').and.include('Логин: ivanov@example.ru');
    expect(field(form(element, 'profile'), 'fullName').value).to.equal('Иванов Иван');
    expect(text(element)).to.include('Firefox на Linux').and.include('этот сеанс').and.include('Mobile Safari на iOS');
    expect(text(element)).not.to.include('Mozilla/5.0');
    expect(text(element))
      .to.include('Согласие на обработку персональных данных дано 15 января 2026')
      .and.include('версия документа 2026-01');
    await expect(element).to.be.accessible();
  });

  it('loads the password fields’ texts with its own, not the sign-in texts (`auth`), which come with «Забыли пароль?»', async () => {
    const fake = settingsFake();
    const element = await setup(fake);
    const texts = () => fake.requests.filter((r) => r.startsWith('GET i18n/'));
    expect(texts()).to.deep.equal(['GET i18n/ru?ns=common,errors', 'GET i18n/ru?ns=password,settings']);
    const password = form(element, 'password');
    expect(field(password, 'password').label).to.equal('Новый пароль');
    expect(field(password, 'passwordRepeat').label).to.equal('Повторите пароль');
    expect(password.querySelector('[part="show-password"]')!.textContent!.trim()).to.equal('Показать пароль');
    password.querySelector<HTMLButtonElement>('[part~="forgot"]')!.click();
    await waitUntil(() => form(element, 'recovery'), 'no recovery form');
    expect(texts()).to.deep.equal(['GET i18n/ru?ns=common,errors', 'GET i18n/ru?ns=password,settings', 'GET i18n/ru?ns=auth']);
    const recovery = form(element, 'recovery');
    expect(recovery.querySelector('h4')!.textContent!.trim()).to.equal('Восстановление пароля');
    expect(recovery.querySelector('button[type="submit"]')!.textContent!.trim()).to.equal('Восстановить пароль');
    await waitUntil(() => element.shadowRoot!.activeElement === recovery.querySelector('button[type="submit"]'), 'no focus');
  });

  it('shows an open «Забыли пароль?» in the language switched to, its texts (`auth`) loaded with the settings’', async () => {
    const fake = settingsFake();
    const element = await setup(fake);
    form(element, 'password').querySelector<HTMLButtonElement>('[part~="forgot"]')!.click();
    await waitUntil(() => form(element, 'recovery'), 'no recovery form');
    fake.client.setLocale('en');
    await waitUntil(
      () => element.shadowRoot!.querySelector('#password-title')!.textContent!.trim() === 'Change password',
      'not in English',
    );
    expect(fake.requests.filter((r) => r.startsWith('GET i18n/en'))).to.deep.equal([
      'GET i18n/en?ns=common,errors',
      'GET i18n/en?ns=auth,password,settings',
    ]);
    const recovery = form(element, 'recovery');
    expect(recovery.querySelector('h4')!.textContent!.trim()).to.equal('Password recovery');
    expect(recovery.querySelector('button[type="submit"]')!.textContent!.trim()).to.equal('Recover password');
  });

  it('saves the name and, for a new email, asks for the code sent there', async () => {
    const fake = settingsFake({
      'PATCH me': (body) => ({
        status: 200,
        body: {
          me: me({ fullName: (body as { fullName: string }).fullName }),
          pendingContact: { field: 'email', value: 'new@example.ru' },
        },
      }),
      'POST me/contact/confirm': () => ({ status: 200, body: me({ login: 'new@example.ru', email: 'new@example.ru' }) }),
    });
    const element = await setup(fake);
    const profile = form(element, 'profile');
    await type(profile, 'fullName', 'Петров Пётр');
    await type(profile, 'email', 'new@example.ru');
    profile.requestSubmit();
    await waitUntil(() => form(element, 'contact'), 'no code form');
    expect(fake.bodies['PATCH me']).to.deep.equal([{ fullName: 'Петров Пётр', email: 'new@example.ru' }]);
    expect(text(element)).to.include('На new@example.ru отправлен код подтверждения');
    const contact = form(element, 'contact');
    await type(contact, 'code', '123456');
    contact.requestSubmit();
    await waitUntil(() => !form(element, 'contact'), 'code form stayed');
    expect(text(element)).to.include('Логин: new@example.ru').and.include('Новый адрес подтверждён');
    await expect(element).to.be.accessible();
  });

  it('tells the page the saved name at once, so a header can show it without a reload', async () => {
    const fake = settingsFake({
      'PATCH me': (body) => ({
        status: 200,
        body: { me: me({ fullName: (body as { fullName: string }).fullName }), pendingContact: null },
      }),
    });
    const element = await setup(fake);
    const profile = form(element, 'profile');
    await type(profile, 'fullName', 'Петров Пётр');
    const changed = oneEvent(element, 'gaskit-profile-changed');
    profile.requestSubmit();
    const event = await changed;
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.detail.me.fullName).to.equal('Петров Пётр');
  });

  it('checks a phone on the client and sends nothing when it is malformed', async () => {
    const fake = settingsFake();
    const element = await setup(fake);
    const profile = form(element, 'profile');
    await type(profile, 'phone', '12-34');
    profile.requestSubmit();
    await field(profile, 'phone').updateComplete;
    expect(field(profile, 'phone').shadowRoot!.querySelector('[part="error"]')!.textContent).to.include('мобильного телефона');
    expect(fake.requests).not.to.include('PATCH me');
  });

  it('changes the password with current, new and repeat, and shows what the server says about the current one', async () => {
    let answer: { status: number; body: unknown } = {
      status: 400,
      body: { error: { code: 'validation_failed', message: '', fields: { currentPassword: 'current_password_wrong' } } },
    };
    const fake = settingsFake({ 'POST auth/password/change': () => answer });
    const element = await setup(fake);
    const password = form(element, 'password');
    expect(text(element)).to.include('Введите новый пароль для ivanov@example.ru');
    await type(password, 'currentPassword', 'old12');
    await type(password, 'password', 'new12');
    await type(password, 'passwordRepeat', 'new12');
    password.requestSubmit();
    await waitUntil(
      () => field(password, 'currentPassword').shadowRoot!.querySelector('[part="error"]')!.textContent!.includes('неверно'),
      'no field error',
    );
    answer = { status: 200, body: me() };
    await type(password, 'currentPassword', 'old13');
    password.requestSubmit();
    await waitUntil(() => text(element).includes('Пароль изменён'), 'no confirmation');
    expect(fake.bodies['POST auth/password/change']![1]).to.deep.equal({
      currentPassword: 'old13',
      password: 'new12',
      passwordRepeat: 'new12',
    });
  });

  it('offers «Забыли пароль?» in the password change: an SMS code for a phone login, entered here with the new password, then signs out', async () => {
    const phoneMe = me({ login: '+79161234567', loginKind: 'phone', email: null, phone: '+79161234567' });
    const fake = settingsFake({
      'GET me': () => ({ status: 200, body: phoneMe }),
      'POST auth/password/forgot': () => ({
        status: 202,
        body: { status: 'sent', channel: 'sms', method: 'code', resendAfter: 60 },
      }),
      'POST auth/password/reset': () => ({ status: 200, body: { status: 'password_reset', login: '+79161234567' } }),
    });
    const element = await setup(fake);
    const forgot = element.shadowRoot!.querySelector<HTMLButtonElement>('form[data-section="password"] [part~="forgot"]')!;
    expect(forgot.textContent!.trim()).to.equal('Забыли пароль?');
    forgot.click();
    await waitUntil(() => form(element, 'recovery'), 'no recovery form');
    expect(text(element)).to.include('Код для смены пароля будет отправлен в SMS на +79161234567');
    await expect(element).to.be.accessible();
    form(element, 'recovery').requestSubmit();
    await waitUntil(() => field(form(element, 'recovery'), 'code'), 'no code field');
    expect(fake.bodies['POST auth/password/forgot']).to.deep.equal([{ login: '+79161234567', returnUrl: location.href }]);
    expect(text(element)).to.include('Код отправлен в SMS на +79161234567');
    const recovery = form(element, 'recovery');
    await type(recovery, 'code', '123456');
    await type(recovery, 'password', 'new12');
    await type(recovery, 'passwordRepeat', 'new12');
    const out = oneEvent(element, 'gaskit-signed-out');
    recovery.requestSubmit();
    expect((await out).detail).to.deep.equal({ reason: 'sign-out' });
    expect(fake.bodies['POST auth/password/reset']).to.deep.equal([
      { login: '+79161234567', code: '123456', password: 'new12', passwordRepeat: 'new12' },
    ]);
    expect(fake.client.session.isSignedIn).to.equal(false);
    await element.updateComplete;
    expect(text(element)).to.include('Пароль изменён. Войдите с новым паролем.');
  });

  it('ends another session', async () => {
    const fake = settingsFake({ 'DELETE me/sessions/b': () => ({ status: 204 }) });
    const element = await setup(fake);
    const end = element.shadowRoot!.querySelector<HTMLButtonElement>(
      'button[aria-label="Завершить сеанс: Mobile Safari на iOS"]',
    )!;
    end.click();
    await waitUntil(() => !text(element).includes('Mobile Safari на iOS'), 'session still listed');
    expect(text(element)).to.include('Сеанс завершён');
  });

  it('deletes the cabinet after the password is asked again, and signs out', async () => {
    const fake = settingsFake({ 'DELETE me': () => ({ status: 204 }) });
    const element = await setup(fake);
    expect(text(element)).to.include('отзывает согласие на обработку персональных данных');
    element.shadowRoot!.querySelector<HTMLButtonElement>('[part~="danger"]')!.click();
    await waitUntil(() => form(element, 'delete'), 'no password form');
    await type(form(element, 'delete'), 'password', 'abc12');
    const out = oneEvent(element, 'gaskit-signed-out');
    form(element, 'delete').requestSubmit();
    expect((await out).detail).to.deep.equal({ reason: 'deleted' });
    expect(fake.bodies['DELETE me']).to.deep.equal([{ password: 'abc12' }]);
    expect(fake.client.session.isSignedIn).to.equal(false);
    await element.updateComplete;
    expect(text(element)).to.include('Личный кабинет удалён');
    await expect(element).to.be.accessible();
  });

  it('asks to sign in when there is no session', async () => {
    const fake = authFake(FLOWS.link, {
      routes: { 'GET me': () => ({ status: 401, body: { error: { code: 'unauthenticated', message: '' } } }) },
    });
    const element = await fixture<GaskitSettings>(html`<gaskit-settings .client=${fake.client}></gaskit-settings>`);
    await translated(element);
    await waitUntil(() => text(element).includes('Войдите в Личный кабинет'), 'no sign-in hint');
    await expect(element).to.be.accessible();
  });
});
