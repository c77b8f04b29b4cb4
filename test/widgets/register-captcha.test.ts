import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../widgets/register/define.ts';
import type { GaskitRegister } from '../../widgets/register/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { translated } from './helpers.ts';
import { authFake, easyChallenge, FLOWS, loadAuthTexts, pendingAnswer } from './register-fixtures.ts';

before(loadAuthTexts);

async function type(element: HTMLElement, name: string, value: string): Promise<void> {
  const field = element.shadowRoot!.querySelector<GaskitTextField>(`gaskit-text-field[name="${name}"]`)!;
  const input = field.shadowRoot!.querySelector('input')!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await field.updateComplete;
}

describe('gaskit-register: protection from robots (ALTCHA proof of work)', () => {
  it('loads the captcha field only once the person starts filling a form with a captcha, solves it on submit and sends the payload', async () => {
    const fake = authFake(
      { ...FLOWS.link, captcha: true },
      {
        routes: {
          'GET auth/captcha': () => ({ status: 200, body: easyChallenge() }),
          'POST auth/register': () => ({ status: 202, body: pendingAnswer('ivanov@example.ru', 'link') }),
        },
      },
    );
    const element = await fixture<GaskitRegister>(html`<gaskit-register .client=${fake.client}></gaskit-register>`);
    await translated(element);
    await waitUntil(() => element.shadowRoot!.querySelector('gaskit-captcha'), 'the form has no captcha field');
    expect(customElements.get('gaskit-captcha'), 'the field waits until the person starts filling the form').to.equal(undefined);
    const texts = () => fake.requests.filter((r) => r.startsWith('GET i18n/'));
    expect(texts()).to.deep.equal(['GET i18n/ru?ns=common,errors', 'GET i18n/ru?ns=auth,password,registration']);
    await type(element, 'login', 'ivanov@example.ru');
    const captcha = element.shadowRoot!.querySelector('gaskit-captcha')!;
    await waitUntil(() => captcha.shadowRoot?.textContent?.includes('Я не робот'), 'no captcha', { timeout: 4000 });
    expect(texts(), 'the captcha’s texts come with the field').to.deep.equal([
      'GET i18n/ru?ns=common,errors',
      'GET i18n/ru?ns=auth,password,registration',
      'GET i18n/ru?ns=captcha',
    ]);
    expect(captcha.shadowRoot!.textContent).to.include('Защита от роботов');
    expect(captcha.shadowRoot!.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked).to.equal(false);
    await expect(element).to.be.accessible();

    await type(element, 'password', 'abc12');
    await type(element, 'passwordRepeat', 'abc12');
    element.shadowRoot!.querySelector<HTMLInputElement>('#consent')!.click();
    const registered = oneEvent(element, 'gaskit-registered');
    element.shadowRoot!.querySelector('form')!.requestSubmit();
    await registered;
    const { captcha: payload } = fake.bodies['POST auth/register']![0] as { captcha: string };
    const decoded = JSON.parse(atob(payload));
    expect(decoded.challenge.parameters.algorithm).to.equal('SHA-256');
    expect(decoded.solution.derivedKey).to.match(/^0/);
  });

  it('solves when the person ticks "I am not a robot", says so, and keeps the payload for the form', async () => {
    const fake = authFake(
      { ...FLOWS.link, captcha: true },
      { routes: { 'GET auth/captcha': () => ({ status: 200, body: easyChallenge() }) } },
    );
    const element = await fixture<GaskitRegister>(html`<gaskit-register .client=${fake.client}></gaskit-register>`);
    await translated(element);
    await type(element, 'login', 'ivanov@example.ru');
    const captcha = element.shadowRoot!.querySelector('gaskit-captcha')!;
    await waitUntil(() => captcha.shadowRoot?.querySelector('input[type="checkbox"]'), 'no captcha', { timeout: 4000 });
    captcha.shadowRoot!.querySelector<HTMLInputElement>('input[type="checkbox"]')!.click();
    await waitUntil(() => captcha.value, 'the captcha was not solved', { timeout: 4000 });
    await captcha.updateComplete;
    expect(captcha.shadowRoot!.querySelector('[part="status"]')!.textContent).to.equal('Проверка пройдена');
    expect(captcha.shadowRoot!.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked).to.equal(true);
    expect(await captcha.solve()).to.equal(captcha.value);
  });
});
