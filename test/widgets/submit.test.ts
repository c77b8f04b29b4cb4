import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../widgets/login/define.ts';
import '../../widgets/register/define.ts';
import type { GaskitLogin } from '../../widgets/login/index.ts';
import type { GaskitRegister } from '../../widgets/register/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { translated } from './helpers.ts';
import { authFake, FLOWS, loadAuthTexts, me, type AuthFake } from './register-fixtures.ts';

before(loadAuthTexts);

const TOKEN = 't'.repeat(43);

async function render<T extends HTMLElement & { localize: { ready: boolean } }>(template: ReturnType<typeof html>): Promise<T> {
  const element = await fixture<T>(template);
  await translated(element as never);
  await waitUntil(() => element.shadowRoot!.querySelector('form'), 'no form rendered');
  return element;
}

function field(element: HTMLElement, name: string): GaskitTextField {
  return element.shadowRoot!.querySelector<GaskitTextField>(`gaskit-text-field[name="${name}"]`)!;
}

function input(element: HTMLElement, name: string): HTMLInputElement {
  return field(element, name).shadowRoot!.querySelector('input')!;
}

async function type(element: HTMLElement, name: string, value: string): Promise<void> {
  const target = input(element, name);
  target.value = value;
  target.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await field(element, name).updateComplete;
}

function fieldError(element: HTMLElement, name: string): string {
  return field(element, name).shadowRoot!.querySelector('[part="error"]')?.textContent?.trim() ?? '';
}

function alertText(element: HTMLElement): string {
  return element.shadowRoot!.querySelector('[role="alert"]')?.textContent?.trim() ?? '';
}

function submitButton(element: HTMLElement): HTMLButtonElement {
  return element.shadowRoot!.querySelector('button[type="submit"]')!;
}

async function signInForm(fake: AuthFake): Promise<GaskitLogin> {
  const element = await render<GaskitLogin>(html`<gaskit-login .client=${fake.client}></gaskit-login>`);
  await type(element, 'login', 'ivanov@example.ru');
  await type(element, 'password', 'abc12');
  return element;
}

describe('the submit controller (in gaskit-login)', () => {
  it('disables the button while the request is on its way, sends it once, and says the refusal under the form', async () => {
    let answer!: (value: { status: number; body: unknown }) => void;
    const fake = authFake(FLOWS.link, {
      routes: { 'POST auth/login': () => new Promise((resolve) => (answer = resolve)) },
    });
    const element = await signInForm(fake);
    submitButton(element).click();
    await waitUntil(() => submitButton(element).disabled, 'the button stays enabled while signing in');
    element.shadowRoot!.querySelector('form')!.requestSubmit();
    await element.updateComplete;
    expect(fake.requests.filter((r) => r === 'POST auth/login')).to.have.length(1);
    answer({ status: 401, body: { error: { code: 'invalid_credentials', message: 'bad password' } } });
    await waitUntil(() => alertText(element) !== '', 'no error shown');
    expect(alertText(element)).to.equal('Неверный логин или пароль.');
    expect(submitButton(element).disabled).to.equal(false);
    await expect(element).to.be.accessible();
  });

  it('says a rate limit without a number when the server gave none, and with the seconds when it did', async () => {
    const answer: { params?: Record<string, unknown> } = {};
    const fake = authFake(FLOWS.link, {
      routes: {
        'POST auth/login': () => ({ status: 429, body: { error: { code: 'rate_limited', message: '', params: answer.params } } }),
      },
    });
    const element = await signInForm(fake);
    submitButton(element).click();
    await waitUntil(() => alertText(element) !== '', 'no error shown');
    expect(alertText(element)).to.equal('Слишком много попыток. Повторите позже.');
    answer.params = { seconds: 30 };
    submitButton(element).click();
    await waitUntil(() => alertText(element).includes('30'), 'the seconds are not said');
    expect(alertText(element)).to.equal('Слишком много попыток. Повторите через 30 с.');
  });

  it('puts a refused field on that field and nothing under the form', async () => {
    const fake = authFake(FLOWS.link, {
      routes: {
        'POST auth/login': () => ({
          status: 422,
          body: { error: { code: 'validation_failed', message: '', fields: { login: { code: 'invalid_email' } } } },
        }),
      },
    });
    const element = await signInForm(fake);
    submitButton(element).click();
    await waitUntil(() => fieldError(element, 'login') !== '', 'no field error shown');
    expect(fieldError(element, 'login')).to.equal('Введите адрес электронной почты, например name@example.ru.');
    expect(alertText(element)).to.equal('');
  });

  it('says an error on a field the form does not show in that field’s words under the form', async () => {
    const fake = authFake(FLOWS.link, {
      routes: {
        'POST auth/register': () => ({
          status: 422,
          body: { error: { code: 'validation_failed', message: '', fields: { returnUrl: { code: 'return_url_not_allowed' } } } },
        }),
      },
    });
    const element = await render<GaskitRegister>(html`<gaskit-register .client=${fake.client}></gaskit-register>`);
    await type(element, 'login', 'ivanov@example.ru');
    await type(element, 'password', 'abc12');
    await type(element, 'passwordRepeat', 'abc12');
    element.shadowRoot!.querySelector<HTMLInputElement>('#consent')!.click();
    submitButton(element).click();
    await waitUntil(() => alertText(element) !== '', 'no error shown');
    expect(alertText(element)).to.equal('Ссылки в письмах не могут вести на этот сайт.');
    expect(['login', 'password', 'passwordRepeat'].map((name) => fieldError(element, name))).to.deep.equal(['', '', '']);
  });
});

describe('gaskit-new-password', () => {
  async function changeTemporary(): Promise<{ element: GaskitLogin; fake: AuthFake }> {
    const fake = authFake(FLOWS.link, {
      routes: {
        'POST auth/login': () => ({
          status: 200,
          body: { token: TOKEN, expiresAt: '2026-08-01T00:00:00Z', me: me({ mustChangePassword: true }) },
        }),
        'POST auth/password/change': () => ({ status: 200, body: me() }),
      },
    });
    const element = await signInForm(fake);
    submitButton(element).click();
    await waitUntil(() => element.shadowRoot!.querySelector('gaskit-new-password gaskit-text-field'), 'no new password asked');
    await element.updateComplete;
    return { element, fake };
  }

  function label(element: HTMLElement, name: string): string {
    return input(element, name).labels?.[0]?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  }

  it('asks for the new password with the policy as its help, and its repeat', async () => {
    const { element } = await changeTemporary();
    expect(label(element, 'password')).to.equal('Новый пароль *');
    expect(label(element, 'passwordRepeat')).to.equal('Повторите пароль *');
    expect(field(element, 'password').shadowRoot!.querySelector('[part="help"]')!.textContent!.trim()).to.equal(
      'Пароль — от 5 до 10 латинских букв и цифр.',
    );
    await expect(element).to.be.accessible();
  });

  it('shows both passwords when "show password" is ticked, and hides them again', async () => {
    const { element } = await changeTemporary();
    await type(element, 'password', 'abc12');
    const toggle = element.shadowRoot!.querySelector<HTMLInputElement>('gaskit-new-password [part="show-password"] input')!;
    expect(toggle.parentElement!.textContent!.trim()).to.equal('Показать пароль');
    toggle.click();
    await waitUntil(() => input(element, 'password').type === 'text', 'the password stays hidden');
    expect(input(element, 'passwordRepeat').type).to.equal('text');
    toggle.click();
    await waitUntil(() => input(element, 'password').type === 'password', 'the password stays shown');
    expect(input(element, 'passwordRepeat').type).to.equal('password');
  });

  it('refuses a password against the policy or a different repeat, and sends a good one', async () => {
    const { element, fake } = await changeTemporary();
    await type(element, 'password', 'abc');
    await type(element, 'passwordRepeat', 'abd');
    submitButton(element).click();
    await field(element, 'passwordRepeat').updateComplete;
    expect(fieldError(element, 'password')).to.equal('Пароль — от 5 до 10 латинских букв и цифр.');
    expect(fieldError(element, 'passwordRepeat')).to.equal('Пароли не совпадают.');
    expect(fake.requests).not.to.include('POST auth/password/change');
    await type(element, 'password', 'MyOwn2026');
    await type(element, 'passwordRepeat', 'MyOwn2026');
    submitButton(element).click();
    await waitUntil(() => fake.requests.includes('POST auth/password/change'), 'the new password was not sent');
    expect(fake.bodies['POST auth/password/change']![0]).to.deep.include({ password: 'MyOwn2026', passwordRepeat: 'MyOwn2026' });
  });

  it('takes the label it is given (registration asks for "a password")', async () => {
    const fake = authFake(FLOWS.link);
    const element = await render<GaskitRegister>(html`<gaskit-register .client=${fake.client}></gaskit-register>`);
    await waitUntil(() => field(element, 'password'), 'no password field');
    expect(label(element, 'password')).to.equal('Укажите пароль *');
    expect(label(element, 'passwordRepeat')).to.equal('Повторите пароль *');
  });
});
