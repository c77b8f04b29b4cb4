import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { nothing } from 'lit';
import { email, minLength, rule } from '../../sdk/index.ts';
import { GaskitElement } from '../../widgets/shared/gaskit-element.ts';
import { SubmitController } from '../../widgets/shared/submit.ts';
import { ClientTask } from '../../widgets/shared/task.ts';
import { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { runFormWidgetSuite } from '../suites/form-widget.suite.ts';
import { fakeApi, type FakeApiOptions } from './fake-api.ts';
import { shadowText, translated } from './helpers.ts';

/** A minimal form widget built the way domain widgets are: text fields, SubmitController, ClientTask. */
class TestSignIn extends GaskitElement {
  static override dependencies = { 'gaskit-text-field': GaskitTextField };
  readonly submitter = new SubmitController(this);
  readonly signIn = new ClientTask(this, {
    autoRun: false,
    task: (client, [values]: [Record<string, string>], signal) =>
      client.request<{ token: string }>('auth/login', { method: 'POST', body: values, signal }),
  });

  private onSubmit(event: SubmitEvent): void {
    void this.submitter.submit(event, async (values) => {
      await this.signIn.run(values);
    });
  }

  protected override render(): unknown {
    return html`
      <form novalidate @submit=${this.onSubmit}>
        <gaskit-text-field
          name="email"
          type="email"
          autocomplete="email"
          label="Эл. почта"
          required
          .rules=${[rule(email)]}
        ></gaskit-text-field>
        <gaskit-text-field
          name="password"
          type="password"
          autocomplete="current-password"
          label="Пароль"
          help="От 5 символов"
          required
          .rules=${[rule(minLength, { min: 5 })]}
        ></gaskit-text-field>
        ${this.signIn.render({ initial: () => nothing, complete: () => html`<p class="status" role="status">Вход выполнен</p>` })}
        <button class="button">Войти</button>
      </form>
    `;
  }
}
TestSignIn.define('test-sign-in');

async function signInFixture(options: FakeApiOptions = {}): Promise<{ element: TestSignIn; requests: string[] }> {
  const { client, requests } = fakeApi(options);
  const element = await fixture<TestSignIn>(html`<test-sign-in .client=${client}></test-sign-in>`);
  await translated(element, 'ru');
  const fields = [...element.shadowRoot!.querySelectorAll('gaskit-text-field')];
  await Promise.all(fields.map((field) => translated(field, 'ru')));
  return { element, requests };
}

function field(element: TestSignIn, name: string): GaskitTextField {
  return element.shadowRoot!.querySelector<GaskitTextField>(`gaskit-text-field[name="${name}"]`)!;
}

function input(textField: GaskitTextField): HTMLInputElement {
  return textField.shadowRoot!.querySelector('input')!;
}

runFormWidgetSuite('test-sign-in', async () => {
  const { element, requests } = await signInFixture();
  return { element, requests: () => requests };
});

describe('gaskit-text-field', () => {
  it('labels its input with a real label', async () => {
    const { element } = await signInFixture();
    const [label] = input(field(element, 'email')).labels ?? [];
    expect(label?.textContent?.trim()).to.equal('Эл. почта *');
  });

  it('shows no error while the user tabs through untouched fields', async () => {
    const { element } = await signInFixture();
    input(field(element, 'email')).focus();
    await sendKeys({ press: 'Tab' });
    await field(element, 'email').updateComplete;
    expect(input(field(element, 'email')).getAttribute('aria-invalid')).to.equal('false');
    expect(shadowText(field(element, 'email'), '[part="error"]')).to.equal('');
  });

  it('shows the translated rule once the user typed and left the field, and clears it when fixed', async () => {
    const { element } = await signInFixture();
    const password = field(element, 'password');
    input(password).focus();
    await sendKeys({ type: 'abc' });
    await sendKeys({ press: 'Tab' });
    await password.updateComplete;
    expect(shadowText(password, '[part="error"]')).to.equal('Не короче 5 символов.');
    expect(input(password).getAttribute('aria-invalid')).to.equal('true');
    expect(input(password).getAttribute('aria-describedby')).to.equal('help error');
    input(password).focus();
    await sendKeys({ type: 'de' });
    await password.updateComplete;
    expect(shadowText(password, '[part="error"]')).to.equal('');
    expect(input(password).getAttribute('aria-invalid')).to.equal('false');
  });

  it('submits the form on Enter with the field values', async () => {
    const { element, requests } = await signInFixture({
      routes: { 'POST auth/login': () => ({ status: 200, body: { token: 't' } }) },
    });
    input(field(element, 'email')).focus();
    await sendKeys({ type: 'ivanov@mail.ru' });
    input(field(element, 'password')).focus();
    await sendKeys({ type: 'secret1' });
    expect(Object.fromEntries(new FormData(element.shadowRoot!.querySelector('form')!))).to.deep.equal({
      email: 'ivanov@mail.ru',
      password: 'secret1',
    });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => shadowText(element, '[role="status"]') === 'Вход выполнен', 'the sign-in did not complete');
    expect(requests).to.include('POST auth/login');
  });

  it('shows the server error of a field on that field and focuses it until the user edits', async () => {
    const { element } = await signInFixture({
      routes: {
        'POST auth/login': () => ({
          status: 409,
          body: { error: { code: 'email_taken', message: 'dup key', fields: { email: 'email_taken' } } },
        }),
      },
    });
    const emailField = field(element, 'email');
    input(emailField).focus();
    await sendKeys({ type: 'ivanov@mail.ru' });
    input(field(element, 'password')).focus();
    await sendKeys({ type: 'secret1' });
    element.shadowRoot!.querySelector('form')!.requestSubmit();
    await waitUntil(() => shadowText(emailField, '[part="error"]') !== '', 'no field error shown');
    expect(shadowText(emailField, '[part="error"]')).to.equal('Этот адрес уже зарегистрирован.');
    expect(emailField.shadowRoot!.activeElement).to.equal(input(emailField));
    input(emailField).select();
    await sendKeys({ type: 'petrov@mail.ru' });
    await emailField.updateComplete;
    expect(shadowText(emailField, '[part="error"]')).to.equal('');
  });

  it('is reset with its form', async () => {
    const { element } = await signInFixture();
    const emailField = field(element, 'email');
    input(emailField).focus();
    await sendKeys({ type: 'a' });
    emailField.reportValidity();
    element.shadowRoot!.querySelector('form')!.reset();
    await emailField.updateComplete;
    expect(input(emailField).value).to.equal('');
    expect(shadowText(emailField, '[part="error"]')).to.equal('');
  });
});
