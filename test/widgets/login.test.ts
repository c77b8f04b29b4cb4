import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../widgets/login/define.ts';
import type { GaskitLogin } from '../../widgets/login/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { runFormWidgetSuite } from '../suites/form-widget.suite.ts';
import { translated } from './helpers.ts';
import { authFake, FLOWS, loadAuthTexts, me, type AuthFake } from './register-fixtures.ts';

before(loadAuthTexts);

const TOKEN = 't'.repeat(43);

async function setup(fake: AuthFake): Promise<GaskitLogin> {
  const element = await fixture<GaskitLogin>(html`<gaskit-login .client=${fake.client} register-url="/register"></gaskit-login>`);
  await translated(element);
  await waitUntil(() => element.shadowRoot!.querySelector('form, section'), 'nothing rendered');
  return element;
}

function field(element: HTMLElement, name: string): GaskitTextField {
  return element.shadowRoot!.querySelector<GaskitTextField>(`gaskit-text-field[name="${name}"]`)!;
}

async function type(element: HTMLElement, name: string, value: string): Promise<void> {
  const f = field(element, name);
  const input = f.shadowRoot!.querySelector('input')!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await f.updateComplete;
}

function submit(element: HTMLElement): void {
  element.shadowRoot!.querySelector('form')!.requestSubmit();
}

function text(element: HTMLElement): string {
  return element.shadowRoot!.textContent!.replace(/\s+/g, ' ');
}

function alertText(element: HTMLElement): string {
  return element.shadowRoot!.querySelector('[role="alert"]')?.textContent?.trim() ?? '';
}

function signedIn(overrides: Record<string, unknown> = {}) {
  return () => ({ status: 200, body: { token: TOKEN, expiresAt: '2026-08-01T00:00:00Z', me: me(overrides) } });
}

describe('gaskit-login', () => {
  runFormWidgetSuite('gaskit-login', async () => {
    const fake = authFake(FLOWS.link);
    return { element: await setup(fake), requests: () => fake.requests };
  });

  it('loads the sign-in texts only, not the registration’s nor the captcha’s', async () => {
    const fake = authFake({ ...FLOWS.link, captcha: true });
    await setup(fake);
    expect(fake.requests.filter((r) => r.startsWith('GET i18n/'))).to.deep.equal([
      'GET i18n/ru?ns=common,errors',
      'GET i18n/ru?ns=auth,password',
    ]);
  });

  it('signs in, keeps the session and emits gaskit-signed-in; signs out with gaskit-signed-out', async () => {
    const fake = authFake(FLOWS.link, {
      routes: { 'POST auth/login': signedIn({ fullName: 'Иванов И. И.' }), 'POST auth/logout': () => ({ status: 204 }) },
    });
    const element = await setup(fake);
    await type(element, 'login', 'ivanov@example.ru');
    await type(element, 'password', 'abc12');
    const event = oneEvent(element, 'gaskit-signed-in');
    submit(element);
    expect((await event).detail.me.login).to.equal('ivanov@example.ru');
    expect(fake.client.session.token).to.equal(TOKEN);
    await element.updateComplete;
    expect(text(element)).to.include('Вы вошли как Иванов И. И.');
    await expect(element).to.be.accessible();

    const out = oneEvent(element, 'gaskit-signed-out');
    element.shadowRoot!.querySelector<HTMLButtonElement>('section button')!.click();
    expect((await out).detail).to.deep.equal({ reason: 'sign-out' });
    expect(fake.requests).to.include('POST auth/logout');
    expect(fake.client.session.isSignedIn).to.equal(false);
  });

  it('announces wrong credentials and a lockout without numbers it cannot know', async () => {
    let answer = { status: 401, body: { error: { code: 'invalid_credentials', message: '' } } };
    const fake = authFake(FLOWS.link, { routes: { 'POST auth/login': () => answer } });
    const element = await setup(fake);
    await type(element, 'login', 'ivanov@example.ru');
    await type(element, 'password', 'wrong1');
    submit(element);
    await waitUntil(() => alertText(element), 'no error');
    expect(alertText(element)).to.equal('Неверный логин или пароль.');
    answer = { status: 429, body: { error: { code: 'login_locked', message: 'Повторите через 30 с.' } } };
    submit(element);
    await waitUntil(() => alertText(element).includes('заблокирован'), 'no lockout message');
    await expect(element).to.be.accessible();
  });

  it('makes a person with a temporary password set their own before going on', async () => {
    const fake = authFake(FLOWS.temporary, {
      routes: {
        'POST auth/login': signedIn({ mustChangePassword: true }),
        'POST auth/password/change': () => ({ status: 200, body: me() }),
      },
    });
    const element = await setup(fake);
    await type(element, 'login', 'ivanov@example.ru');
    await type(element, 'password', 'Temp2026xyzA');
    submit(element);
    await waitUntil(() => text(element).includes('Смена временного пароля'), 'no forced change');
    expect(field(element, 'password').help).to.equal(
      'Пароль — от 8 до 64 символов без пробелов, хотя бы одна буква и одна цифра.',
    );
    await type(element, 'password', 'onlyletters');
    await type(element, 'passwordRepeat', 'onlyletters');
    submit(element);
    await field(element, 'password').updateComplete;
    expect(fake.requests).not.to.include('POST auth/password/change');
    await type(element, 'password', 'MyOwn2026');
    await type(element, 'passwordRepeat', 'MyOwn2026');
    const event = oneEvent(element, 'gaskit-signed-in');
    submit(element);
    await event;
    expect(fake.bodies['POST auth/password/change']).to.deep.equal([
      { currentPassword: 'Temp2026xyzA', password: 'MyOwn2026', passwordRepeat: 'MyOwn2026' },
    ]);
    await expect(element).to.be.accessible();
  });

  it('shows an unconfirmed cabinet its deadline and sends the link again', async () => {
    const fake = authFake(FLOWS.link, {
      routes: {
        'POST auth/login': signedIn({ status: 'pending', confirmBy: '2026-07-02T12:00:00.000Z' }),
        'POST auth/resend': () => ({ status: 202, body: { status: 'sent', resendAfter: 60 } }),
      },
    });
    const element = await setup(fake);
    await type(element, 'login', 'ivanov@example.ru');
    await type(element, 'password', 'abc12');
    submit(element);
    await waitUntil(() => text(element).includes('Регистрация не подтверждена'), 'no unconfirmed notice');
    expect(text(element)).to.include('Ссылка действительна до 2 июля 2026');
    element.shadowRoot!.querySelector<HTMLButtonElement>('[part~="resend"]')!.click();
    await waitUntil(() => text(element).includes('Письмо отправлено повторно'), 'no resend confirmation');
    expect(fake.bodies['POST auth/resend']).to.have.length(1);
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector<HTMLButtonElement>('[part~="resend"]')!.disabled).to.equal(true);
  });

  it('recovers a password: the same answer for any login, then the emailed link sets a new one', async () => {
    const fake = authFake(FLOWS.link, {
      routes: {
        'POST auth/password/forgot': () => ({
          status: 202,
          body: { status: 'sent', channel: 'email', method: 'link', resendAfter: 60 },
        }),
      },
    });
    const element = await setup(fake);
    element.shadowRoot!.querySelector<HTMLButtonElement>('.link-button')!.click();
    await waitUntil(() => text(element).includes('Восстановление пароля'), 'no forgot form');
    await type(element, 'login', 'ivanov@example.ru');
    submit(element);
    await waitUntil(() => text(element).includes('на этот адрес отправлена ссылка'), 'no sent notice');
    expect(fake.bodies['POST auth/password/forgot']![0]).to.deep.include({ login: 'ivanov@example.ru' });

    const before = location.href;
    history.replaceState(null, '', `${location.pathname}?gaskit-reset=${'r'.repeat(43)}`);
    try {
      const resetFake = authFake(FLOWS.link, {
        routes: {
          'POST auth/password/reset': () => ({ status: 200, body: { status: 'password_reset', login: 'ivanov@example.ru' } }),
        },
      });
      const reset = await setup(resetFake);
      expect(location.search).to.equal('');
      expect(text(reset)).to.include('Новый пароль');
      await type(reset, 'password', 'new12');
      await type(reset, 'passwordRepeat', 'new12');
      submit(reset);
      await waitUntil(() => text(reset).includes('Пароль изменён'), 'no done');
      expect(resetFake.bodies['POST auth/password/reset']).to.deep.equal([
        { token: 'r'.repeat(43), password: 'new12', passwordRepeat: 'new12' },
      ]);
      await expect(reset).to.be.accessible();
    } finally {
      history.replaceState(null, '', before);
    }
  });

  it('recovers a phone login with the code from the SMS', async () => {
    const fake = authFake(FLOWS.code, {
      routes: {
        'POST auth/password/forgot': () => ({
          status: 202,
          body: { status: 'sent', channel: 'sms', method: 'code', resendAfter: 60 },
        }),
        'POST auth/password/reset': () => ({ status: 200, body: { status: 'password_reset', login: '+79123456789' } }),
      },
    });
    const element = await setup(fake);
    element.shadowRoot!.querySelector<HTMLButtonElement>('.link-button')!.click();
    await waitUntil(() => field(element, 'login') && text(element).includes('Восстановление'), 'no forgot form');
    await type(element, 'login', '+79123456789');
    submit(element);
    await waitUntil(() => field(element, 'code'), 'no code form');
    await type(element, 'code', '654321');
    await type(element, 'password', 'yug99');
    await type(element, 'passwordRepeat', 'yug99');
    submit(element);
    await waitUntil(() => text(element).includes('Пароль изменён'), 'no done');
    expect(fake.bodies['POST auth/password/reset']).to.deep.equal([
      { login: '+79123456789', code: '654321', password: 'yug99', passwordRepeat: 'yug99' },
    ]);
  });

  it('signs in with the keyboard alone', async () => {
    const fake = authFake(FLOWS.link, { routes: { 'POST auth/login': signedIn() } });
    const element = await setup(fake);
    field(element, 'login').focus();
    await sendKeys({ type: 'ivanov@example.ru' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: 'abc12' });
    const event = oneEvent(element, 'gaskit-signed-in');
    await sendKeys({ press: 'Enter' });
    await event;
  });
});
