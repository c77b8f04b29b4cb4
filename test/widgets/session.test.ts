import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { PaymentHistory, PaymentOptions } from '../../sdk/index.ts';
import '../../widgets/login/define.ts';
import '../../widgets/pay/define.ts';
import '../../widgets/payment-history/define.ts';
import type { GaskitLogin } from '../../widgets/login/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { translated } from './helpers.ts';
import { authFake, FLOWS, loadAuthTexts, me } from './register-fixtures.ts';

before(loadAuthTexts);

const unauthenticated = { status: 401, body: { error: { code: 'unauthenticated', message: '' } } };

const options: PaymentOptions = {
  provider: 'demo',
  currency: 'RUB',
  minAmount: 100,
  maxAmount: 15_000_000,
  accounts: [
    {
      accountId: 'a1',
      accountNumber: 'ул. Ленина, 1',
      address: 'ул. Ленина, 1',
      supplierName: 'Северогаз',
      debt: 50_000,
      penalties: 0,
      pendingPaid: 0,
      due: { balance: 50_000, total: 50_000, amount: 50_000, penalties: 0 },
      hasMeters: false,
    },
  ],
};

const history: PaymentHistory = { payments: [], elsewhere: [], range: { from: '2025-04', to: '2026-03' }, hasEarlier: false };

async function type(login: GaskitLogin, name: string, value: string): Promise<void> {
  const field = login.shadowRoot!.querySelector<GaskitTextField>(`gaskit-text-field[name="${name}"]`)!;
  const input = field.shadowRoot!.querySelector('input')!;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await field.updateComplete;
}

const text = (element: Element) => element.shadowRoot!.textContent!.replace(/\s+/g, ' ');

describe('widgets beside gaskit-login', () => {
  it('show their signed-in content once the login beside them signs in, and the sign-in prompt after sign-out', async () => {
    // The fake server answers the cabinet's calls only with a session, as the real one does.
    const fake = authFake(FLOWS.link, {
      routes: {
        'POST auth/login': () => ({ status: 200, body: { token: 't'.repeat(43), expiresAt: '2026-08-01T00:00:00Z', me: me() } }),
        'POST auth/logout': () => ({ status: 204 }),
        'GET payments/options': () => (fake.client.session.isSignedIn ? { status: 200, body: options } : unauthenticated),
        'GET payments': () => (fake.client.session.isSignedIn ? { status: 200, body: history } : unauthenticated),
      },
    });
    const page = await fixture<HTMLElement>(
      html`<div>
        <gaskit-login .client=${fake.client}></gaskit-login>
        <gaskit-pay .client=${fake.client}></gaskit-pay>
        <gaskit-payment-history .client=${fake.client}></gaskit-payment-history>
      </div>`,
    );
    const login = page.querySelector<GaskitLogin>('gaskit-login')!;
    const widgets = [page.querySelector('gaskit-pay')!, page.querySelector('gaskit-payment-history')!];
    await Promise.all([login, ...widgets].map((w) => translated(w as GaskitLogin, 'ru')));
    const prompt = 'Войдите в личный кабинет.';
    for (const widget of widgets)
      await waitUntil(() => text(widget).includes(prompt), `${widget.localName} shows no sign-in prompt`);

    await waitUntil(() => login.shadowRoot!.querySelector('form'), 'the login form did not render');
    await type(login, 'login', 'ivanov@example.ru');
    await type(login, 'password', 'abc12');
    const signedIn = oneEvent(login, 'gaskit-signed-in');
    login.shadowRoot!.querySelector('form')!.requestSubmit();
    await signedIn;
    const pay = widgets[0]!;
    await waitUntil(
      () => text(pay).includes('ул. Ленина, 1') && !text(pay).includes(prompt),
      'gaskit-pay did not load the accounts',
    );
    const historyWidget = widgets[1]!;
    await waitUntil(() => !text(historyWidget).includes(prompt), 'gaskit-payment-history did not load the payments');
    expect(fake.requests.filter((r) => r === 'GET payments')).to.have.length(2);

    const signedOut = oneEvent(login, 'gaskit-signed-out');
    login.shadowRoot!.querySelector<HTMLButtonElement>('section button')!.click();
    await signedOut;
    for (const widget of widgets)
      await waitUntil(() => text(widget).includes(prompt), `${widget.localName} kept the signed-in content`);
    expect(text(pay)).not.to.include('ул. Ленина, 1');
  });
});
