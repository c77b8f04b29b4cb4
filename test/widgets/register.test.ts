import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../widgets/register/define.ts';
import type { GaskitRegister } from '../../widgets/register/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { runFormWidgetSuite } from '../suites/form-widget.suite.ts';
import { translated } from './helpers.ts';
import { authFake, FLOWS, loadAuthTexts, me, pendingAnswer, type AuthFake } from './register-fixtures.ts';

before(loadAuthTexts);

async function setup(fake: AuthFake, lang = ''): Promise<GaskitRegister> {
  const element = await fixture<GaskitRegister>(
    html`<gaskit-register .client=${fake.client} lang=${lang} login-url="/login"></gaskit-register>`,
  );
  await translated(element);
  await waitUntil(() => element.shadowRoot!.querySelector('form'), 'the form did not render');
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

function check(element: HTMLElement, selector: string): void {
  const box = element.shadowRoot!.querySelector<HTMLInputElement>(selector)!;
  box.click();
}

function submit(element: HTMLElement): void {
  element.shadowRoot!.querySelector('form')!.requestSubmit();
}

function text(element: HTMLElement): string {
  return element.shadowRoot!.textContent!.replace(/\s+/g, ' ');
}

function errorOf(f: GaskitTextField): string {
  return f.shadowRoot!.querySelector('[part="error"]')!.textContent!.trim();
}

describe('gaskit-register', () => {
  runFormWidgetSuite('gaskit-register', async () => {
    const fake = authFake(FLOWS.link);
    return { element: await setup(fake), requests: () => fake.requests };
  });

  describe('password + email link', () => {
    it('registers, then tells where the link went and until when it is valid', async () => {
      const fake = authFake(FLOWS.link, {
        routes: { 'POST auth/register': () => ({ status: 202, body: pendingAnswer('ivanov@example.ru', 'link') }) },
      });
      const element = await setup(fake);
      expect(text(element)).to.include('Адрес электронной почты будет использоваться в качестве Вашего имени пользователя');
      await type(element, 'login', 'Ivanov@Example.ru');
      await type(element, 'password', 'abc12');
      await type(element, 'passwordRepeat', 'abc12');
      check(element, '#consent');
      const registered = oneEvent(element, 'gaskit-registered');
      submit(element);
      expect((await registered).detail).to.deep.equal({ login: 'ivanov@example.ru', confirmed: false });
      await element.updateComplete;
      expect(fake.bodies['POST auth/register']![0]).to.deep.include({
        login: 'Ivanov@Example.ru',
        password: 'abc12',
        passwordRepeat: 'abc12',
        consent: true,
      });
      expect(text(element)).to.include('перейдите по ссылке, отправленной на Ваш электронный адрес ivanov@example.ru');
      expect(text(element)).to.include('Внимание! Ссылка действительна до 2 июля 2026');
      const resend = element.shadowRoot!.querySelector<HTMLButtonElement>('[part~="resend"]')!;
      expect(resend.disabled).to.equal(true);
      expect(resend.textContent).to.match(/через \d+ с/);
      await expect(element).to.be.accessible();
    });

    it('checks the password against the tenant policy, naming its rule, and sends nothing', async () => {
      const fake = authFake(FLOWS.link);
      const element = await setup(fake);
      expect(field(element, 'password').help).to.equal('Пароль — от 5 до 10 латинских букв и цифр.');
      await type(element, 'login', 'ivanov@example.ru');
      await type(element, 'password', 'пароль');
      await type(element, 'passwordRepeat', 'другой');
      check(element, '#consent');
      submit(element);
      await field(element, 'password').updateComplete;
      expect(errorOf(field(element, 'password'))).to.equal('Пароль — от 5 до 10 латинских букв и цифр.');
      await type(element, 'password', 'abc12');
      submit(element);
      await field(element, 'passwordRepeat').updateComplete;
      expect(errorOf(field(element, 'passwordRepeat'))).to.equal('Пароли не совпадают.');
      expect(fake.requests.filter((r) => r.startsWith('POST'))).to.deep.equal([]);
    });

    it('requires consent to the user agreement, announced next to the box, with the document linked', async () => {
      const fake = authFake(FLOWS.link);
      const element = await setup(fake);
      await type(element, 'login', 'ivanov@example.ru');
      await type(element, 'password', 'abc12');
      await type(element, 'passwordRepeat', 'abc12');
      submit(element);
      await element.updateComplete;
      const box = element.shadowRoot!.querySelector<HTMLInputElement>('#consent')!;
      expect(box.getAttribute('aria-invalid')).to.equal('true');
      expect(element.shadowRoot!.getElementById(box.getAttribute('aria-describedby')!)!.textContent).to.include(
        'отметьте согласие',
      );
      expect(element.shadowRoot!.activeElement).to.equal(box);
      expect(element.shadowRoot!.querySelector<HTMLAnchorElement>('[part="link"][target]')!.getAttribute('href')).to.equal(
        '/docs/agreement.html',
      );
      await expect(element).to.be.accessible();
    });

    it('puts the server’s field errors on their fields', async () => {
      const fake = authFake(FLOWS.link, {
        routes: {
          'POST auth/register': () => ({
            status: 400,
            body: { error: { code: 'validation_failed', message: '', fields: { login: 'invalid_email' } } },
          }),
        },
      });
      const element = await setup(fake);
      await type(element, 'login', 'a@b.cd');
      await type(element, 'password', 'abc12');
      await type(element, 'passwordRepeat', 'abc12');
      check(element, '#consent');
      submit(element);
      await waitUntil(() => errorOf(field(element, 'login')), 'no field error');
      expect(errorOf(field(element, 'login'))).to.equal('Введите адрес электронной почты, например name@example.ru.');
    });

    it('shows passwords on "show password"', async () => {
      const element = await setup(authFake(FLOWS.link));
      expect(field(element, 'password').type).to.equal('password');
      check(element, '[part="show-password"] input');
      await element.updateComplete;
      expect(field(element, 'password').type).to.equal('text');
      expect(field(element, 'passwordRepeat').type).to.equal('text');
    });

    it('confirms the registration when opened from the emailed link, and drops the token from the address', async () => {
      const before = location.href;
      history.replaceState(null, '', `${location.pathname}?gaskit-confirm=tok_${'x'.repeat(40)}`);
      try {
        const fake = authFake(FLOWS.link, {
          routes: { 'POST auth/confirm': () => ({ status: 200, body: { status: 'confirmed', login: 'ivanov@example.ru' } }) },
        });
        const element = await fixture<GaskitRegister>(html`<gaskit-register .client=${fake.client}></gaskit-register>`);
        const registered = await oneEvent(element, 'gaskit-registered');
        expect(registered.detail).to.deep.equal({ login: 'ivanov@example.ru', confirmed: true });
        expect(fake.bodies['POST auth/confirm']).to.deep.equal([{ token: `tok_${'x'.repeat(40)}` }]);
        expect(location.search).to.equal('');
        await translated(element);
        expect(text(element)).to.include('Регистрация подтверждена');
      } finally {
        history.replaceState(null, '', before);
      }
    });

    it('says at the top that a used link’s registration is already confirmed and offers sign-in, not an empty form', async () => {
      const before = location.href;
      history.replaceState(null, '', `${location.pathname}?gaskit-confirm=tok_${'y'.repeat(40)}`);
      try {
        const fake = authFake(FLOWS.link, {
          routes: { 'POST auth/confirm': () => ({ status: 400, body: { error: { code: 'link_invalid', message: '' } } }) },
        });
        const element = await fixture<GaskitRegister>(
          html`<gaskit-register .client=${fake.client} login-url="#/login"></gaskit-register>`,
        );
        await translated(element);
        await waitUntil(() => element.shadowRoot!.querySelector('[part="notice"] h2'), 'no notice for the used link');
        expect(element.shadowRoot!.querySelector('form')).to.equal(null);
        const notice = element.shadowRoot!.querySelector('[part="notice"]')!;
        expect(notice.querySelector('h2')!.textContent!.trim()).to.equal('Ссылка больше не действует');
        expect(notice.textContent).to.include('регистрация уже подтверждена — войдите в личный кабинет');
        expect(notice.querySelector('a[part="link"]')!.getAttribute('href')).to.equal('#/login');
        await waitUntil(() => element.shadowRoot!.activeElement === notice.querySelector('h2'), 'the notice did not get focus');
        await expect(element).to.be.accessible();
        notice.querySelector<HTMLButtonElement>('button')!.click();
        await waitUntil(() => element.shadowRoot!.querySelector('form'), 'no form to register again');
      } finally {
        history.replaceState(null, '', before);
      }
    });

    it('can be used with the keyboard alone', async () => {
      const fake = authFake(FLOWS.link, {
        routes: { 'POST auth/register': () => ({ status: 202, body: pendingAnswer('k@example.ru', 'link') }) },
      });
      const element = await setup(fake);
      field(element, 'login').focus();
      await sendKeys({ type: 'k@example.ru' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ type: 'abc12' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ type: 'abc12' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Space' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Tab' });
      const registered = oneEvent(element, 'gaskit-registered');
      await sendKeys({ press: 'Enter' });
      await registered;
      expect(fake.bodies['POST auth/register']![0]).to.deep.include({ login: 'k@example.ru', consent: true });
    });

    it('speaks English when asked', async () => {
      const element = await setup(authFake(FLOWS.link), 'en');
      expect(text(element)).to.include('Registration').and.include('I accept the');
      expect(field(element, 'password').help).to.equal('The password must be 5 to 10 Latin letters and digits.');
    });
  });

  describe('password + activation code', () => {
    it('takes a phone, asks for the code, then signs the person in', async () => {
      const fake = authFake(FLOWS.code, {
        routes: {
          'POST auth/register': () => ({ status: 202, body: pendingAnswer('+79123456789', 'code', 'sms') }),
          'POST auth/confirm': () => ({ status: 200, body: { status: 'confirmed', login: '+79123456789' } }),
          'POST auth/login': () => ({
            status: 200,
            body: {
              token: 't'.repeat(43),
              expiresAt: '2026-08-01T00:00:00Z',
              me: me({ login: '+79123456789', loginKind: 'phone' }),
            },
          }),
        },
      });
      const element = await setup(fake);
      expect(field(element, 'login').label).to.equal('E-mail или мобильный телефон (логин)');
      await type(element, 'login', '8 912 345-67-89');
      await type(element, 'password', 'yug12');
      await type(element, 'passwordRepeat', 'yug12');
      check(element, '#consent');
      submit(element);
      await waitUntil(() => field(element, 'code'), 'no code form');
      expect(text(element)).to.include('На номер +79123456789 отправлено SMS с кодом активации');
      await type(element, 'code', '12345');
      submit(element);
      await field(element, 'code').updateComplete;
      expect(errorOf(field(element, 'code'))).to.equal('Код — шесть цифр.');
      await type(element, 'code', '123456');
      const signedIn = oneEvent(element, 'gaskit-signed-in');
      submit(element);
      expect((await signedIn).detail.me.login).to.equal('+79123456789');
      expect(fake.bodies['POST auth/confirm']).to.deep.equal([{ login: '+79123456789', code: '123456' }]);
      expect(fake.bodies['POST auth/login']).to.deep.equal([{ login: '+79123456789', password: 'yug12' }]);
      expect(fake.client.session.isSignedIn).to.equal(true);
      await expect(element).to.be.accessible();
    });

    it('shows a wrong code as an error without leaving the form', async () => {
      const fake = authFake(FLOWS.code, {
        routes: {
          'POST auth/register': () => ({ status: 202, body: pendingAnswer('a@example.ru', 'code') }),
          'POST auth/confirm': () => ({ status: 422, body: { error: { code: 'code_invalid', message: '' } } }),
        },
      });
      const element = await setup(fake);
      await type(element, 'login', 'a@example.ru');
      await type(element, 'password', 'yug12');
      await type(element, 'passwordRepeat', 'yug12');
      check(element, '#consent');
      submit(element);
      await waitUntil(() => field(element, 'code'), 'no code form');
      await type(element, 'code', '000000');
      submit(element);
      await waitUntil(
        () => element.shadowRoot!.querySelector('[role="alert"]')!.textContent!.includes('Неверный код'),
        'no error',
      );
    });
  });

  describe('email code + consent → temporary password', () => {
    it('asks for the person type and email, then the code with consent to the downloadable access rules', async () => {
      const fake = authFake(FLOWS.temporary, {
        routes: {
          'POST auth/register': () => ({ status: 202, body: pendingAnswer('v@example.ru', 'code') }),
          'POST auth/confirm': () => ({ status: 200, body: { status: 'temporary_password_sent', login: 'v@example.ru' } }),
        },
      });
      const element = await setup(fake);
      expect(field(element, 'password')).to.equal(null);
      submit(element);
      await element.updateComplete;
      expect(text(element)).to.include('Тип абонента');
      check(element, 'input[value="legal"]');
      await type(element, 'login', 'v@example.ru');
      submit(element);
      await waitUntil(() => field(element, 'code'), 'no code form');
      expect(fake.bodies['POST auth/register']![0]).to.deep.include({ login: 'v@example.ru', personType: 'legal' });
      const rules = element.shadowRoot!.querySelector<HTMLAnchorElement>('[part="link"][download]')!;
      expect(rules.getAttribute('href')).to.equal('/docs/access-rules.pdf');

      element.style.maxInlineSize = '18rem';
      const box = element.shadowRoot!.querySelector<HTMLInputElement>('#rules')!.getBoundingClientRect();
      const label = element.shadowRoot!.querySelector('label[for="rules"]')!.getBoundingClientRect();
      expect(box.right, 'the box sits beside its label').to.be.at.most(label.left);
      expect(box.top, 'the box sits on the label’s first line').to.be.below(label.top + 24);

      await type(element, 'code', '123456');
      submit(element);
      await element.updateComplete;
      expect(element.shadowRoot!.querySelector('#rules')!.getAttribute('aria-invalid')).to.equal('true');
      check(element, '#rules');
      const registered = oneEvent(element, 'gaskit-registered');
      submit(element);
      expect((await registered).detail).to.deep.equal({ login: 'v@example.ru', confirmed: true });
      expect(fake.bodies['POST auth/confirm']).to.deep.equal([{ login: 'v@example.ru', code: '123456', consent: true }]);
      await element.updateComplete;
      expect(text(element)).to.include('ВРЕМЕННЫЙ пароль');
      await expect(element).to.be.accessible();
    });
  });
});
