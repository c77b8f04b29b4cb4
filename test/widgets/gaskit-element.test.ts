import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { property } from 'lit/decorators.js';
import { GaskitElement } from '../../widgets/shared/gaskit-element.ts';
import { GaskitHint } from '../../widgets/hint/index.ts';
import { ClientTask } from '../../widgets/shared/task.ts';
import { fakeApi, translations } from './fake-api.ts';
import { shadowText, translated } from './helpers.ts';

declare global {
  interface GlobalEventHandlersEventMap {
    'gaskit-test-ping': CustomEvent<{ count: number }>;
  }
}

class TestGreeting extends GaskitElement {
  @property() name = 'Ирина';

  protected override render(): unknown {
    return html`
      <p class="greeting">${this.localize.t('common:greeting', { name: this.name })}</p>
      <p class="money">${this.localize.formatMoney(-195685)}</p>
      <p class="period">${this.localize.formatDate('2015-06', { month: 'long', year: 'numeric' })}</p>
    `;
  }
}
TestGreeting.define('test-greeting');

declare global {
  interface HTMLElementTagNameMap {
    'test-ping': TestPing;
  }
}

class TestPing extends GaskitElement {
  ping(): CustomEvent<{ count: number }> {
    return this.emit('gaskit-test-ping', { count: 1 });
  }
}
TestPing.define('test-ping');

/** Hosts a test-ping inside its own shadow root, as a host page might. */
class TestShell extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = '<test-ping></test-ping>';
  }
}
customElements.define('test-shell', TestShell);

class TestAccountName extends GaskitElement {
  @property() account = '';
  readonly lookup = new ClientTask(this, {
    args: () => [this.account] as const,
    task: (client, [account], signal) => client.request<{ holder: string }>(`accounts/${account}`, { signal }),
  });

  protected override render(): unknown {
    return this.lookup.render({ complete: ({ holder }) => html`<p class="holder">${holder}</p>` });
  }
}
TestAccountName.define('test-account-name');

/** Two widgets with namespaces of their own, each showing one of its texts and one of `common`. */
class TestFaqTitle extends GaskitElement {
  static override namespaces = ['feedback'] as const;

  protected override render(): unknown {
    return html`<p class="own">${this.localize.t('feedback:title')}</p>
      <p class="common">${this.localize.t('common:hint')}</p>`;
  }
}
TestFaqTitle.define('test-faq-title');

class TestSignInTitle extends GaskitElement {
  static override namespaces = ['auth', 'accounts'] as const;

  protected override render(): unknown {
    return html`<p class="own">${this.localize.t('auth:title')}</p>
      <p class="common">${this.localize.t('common:hint')}</p>`;
  }
}
TestSignInTitle.define('test-sign-in-title');

class TestParent extends GaskitElement {
  static override dependencies = { 'test-greeting': TestGreeting };

  protected override render(): unknown {
    return html`<test-greeting></test-greeting>`;
  }
}

describe('GaskitElement', () => {
  it('keeps the first definition when a tag is defined again, without throwing', () => {
    class OtherHint extends GaskitElement {}
    GaskitHint.define('gaskit-hint');
    GaskitHint.define('gaskit-hint');
    OtherHint.define('gaskit-hint');
    expect(customElements.get('gaskit-hint')).to.equal(GaskitHint);
  });

  it('defines the elements it depends on', () => {
    TestParent.define('test-parent');
    expect(customElements.get('test-greeting')).to.equal(TestGreeting);
    expect(customElements.get('test-parent')).to.equal(TestParent);
  });

  it('emits gaskit-* events that bubble out of enclosing shadow roots with their detail', async () => {
    const shell = await fixture<TestShell>(html`<test-shell></test-shell>`);
    const received: CustomEvent<{ count: number }>[] = [];
    const listener = (event: CustomEvent<{ count: number }>): number => received.push(event);
    document.addEventListener('gaskit-test-ping', listener);
    shell.shadowRoot!.querySelector('test-ping')!.ping();
    document.removeEventListener('gaskit-test-ping', listener);
    expect(received.map((event) => [event.detail, event.bubbles, event.composed])).to.deep.equal([[{ count: 1 }, true, true]]);
  });

  it('renders texts in the client language and re-renders when the language changes', async () => {
    const { client } = fakeApi();
    const el = await fixture<TestGreeting>(html`<test-greeting .client=${client}></test-greeting>`);
    await translated(el, 'ru');
    expect(shadowText(el, '.greeting')).to.equal('Здравствуйте, Ирина!');
    client.setLocale('en');
    await translated(el, 'en');
    expect(shadowText(el, '.greeting')).to.equal('Hello, Ирина!');
  });

  it('uses its own lang attribute over the client language', async () => {
    const { client } = fakeApi();
    const el = await fixture<TestGreeting>(html`<test-greeting lang="en-GB" .client=${client}></test-greeting>`);
    await translated(el, 'en');
    expect(shadowText(el, '.greeting')).to.equal('Hello, Ирина!');
  });

  it('shows no raw keys while texts are loading', async () => {
    let release = (): void => undefined;
    const { client } = fakeApi({ translationsGate: new Promise((resolve) => (release = resolve)) });
    const el = await fixture<TestGreeting>(html`<test-greeting .client=${client}></test-greeting>`);
    expect(shadowText(el, '.greeting')).to.equal('');
    release();
    await translated(el, 'ru');
    expect(shadowText(el, '.greeting')).to.equal('Здравствуйте, Ирина!');
  });

  describe('texts by namespace', () => {
    before(() => {
      translations.ru!.feedback = { title: 'Обратная связь' };
      translations.ru!.auth = { title: 'Вход' };
      translations.ru!.accounts = { title: 'Лицевые счета' };
    });
    after(() => {
      for (const ns of ['feedback', 'auth', 'accounts']) delete translations.ru![ns];
    });

    const texts = (requests: string[]) => requests.filter((r) => r.startsWith('GET i18n/'));

    it('loads the namespaces of the widgets that start together in one request, their union sorted, the base ones in their own', async () => {
      let release = (): void => undefined;
      const { client, requests } = fakeApi({ translationsGate: new Promise((resolve) => (release = resolve)) });
      const wrapper = await fixture<HTMLDivElement>(
        html`<div>
          <test-faq-title .client=${client}></test-faq-title><test-sign-in-title .client=${client}></test-sign-in-title>
        </div>`,
      );
      const faq = wrapper.querySelector<TestFaqTitle>('test-faq-title')!;
      const signIn = wrapper.querySelector<TestSignInTitle>('test-sign-in-title')!;
      await waitUntil(() => texts(requests).length > 0, 'no texts were asked for');
      for (const el of [faq, signIn]) expect([shadowText(el, '.own'), shadowText(el, '.common')]).to.deep.equal(['', '']);
      release();
      await Promise.all([translated(faq, 'ru'), translated(signIn, 'ru')]);
      expect(shadowText(faq, '.own')).to.equal('Обратная связь');
      expect(shadowText(signIn, '.own')).to.equal('Вход');
      expect(shadowText(signIn, '.common')).to.equal('Подсказка');
      expect(texts(requests)).to.deep.equal(['GET i18n/ru?ns=common,errors', 'GET i18n/ru?ns=accounts,auth,feedback']);
    });

    it('asks a widget added later only for the namespaces not yet loaded, and nothing for one whose are', async () => {
      const { client, requests } = fakeApi();
      const faq = await fixture<TestFaqTitle>(html`<test-faq-title .client=${client}></test-faq-title>`);
      await translated(faq, 'ru');
      expect(texts(requests)).to.deep.equal(['GET i18n/ru?ns=common,errors', 'GET i18n/ru?ns=feedback']);

      const signIn = document.createElement('test-sign-in-title') as TestSignInTitle;
      signIn.client = client;
      faq.after(signIn);
      await signIn.updateComplete;
      expect([shadowText(signIn, '.own'), shadowText(signIn, '.common')]).to.deep.equal(['', '']);
      await translated(signIn, 'ru');
      expect(shadowText(signIn, '.own')).to.equal('Вход');
      expect(texts(requests)).to.deep.equal([
        'GET i18n/ru?ns=common,errors',
        'GET i18n/ru?ns=feedback',
        'GET i18n/ru?ns=accounts,auth',
      ]);

      const another = document.createElement('test-faq-title') as TestFaqTitle;
      another.client = client;
      signIn.after(another);
      await translated(another, 'ru');
      expect(shadowText(another, '.own')).to.equal('Обратная связь');
      expect(texts(requests)).to.have.length(3);
    });
  });

  it('formats kopecks as roubles and calendar months in the element language', async () => {
    const { client } = fakeApi();
    const el = await fixture<TestGreeting>(html`<test-greeting .client=${client}></test-greeting>`);
    await translated(el, 'ru');
    expect(shadowText(el, '.money')).to.match(/^-1\s956,85\s₽$/u);
    expect(shadowText(el, '.period')).to.match(/^июнь 2015/u);
  });

  it('applies the tenant theme tokens on the element, not on the page root', async () => {
    const { client } = fakeApi({ tokens: { 'color-primary': 'rgb(10, 20, 30)', '--gaskit-radius': '2px', 'bad name': 'x' } });
    const el = await fixture<TestGreeting>(html`<test-greeting .client=${client}></test-greeting>`);
    await waitUntil(() => getComputedStyle(el).getPropertyValue('--gaskit-color-primary') !== '', 'theme was not applied');
    expect(getComputedStyle(el).getPropertyValue('--gaskit-color-primary').trim()).to.equal('rgb(10, 20, 30)');
    expect(getComputedStyle(el).getPropertyValue('--gaskit-radius').trim()).to.equal('2px');
    expect(getComputedStyle(document.documentElement).getPropertyValue('--gaskit-color-primary')).to.equal('');
    expect(document.documentElement.getAttribute('style')).to.equal(null);
  });

  it('lets the host page override a theme token on the element', async () => {
    const style = document.createElement('style');
    style.textContent = 'test-greeting.branded { --gaskit-color-primary: rgb(1, 2, 3); }';
    document.head.append(style);
    try {
      const { client } = fakeApi({ tokens: { 'color-primary': 'rgb(10, 20, 30)' } });
      const el = await fixture<TestGreeting>(html`<test-greeting class="branded" .client=${client}></test-greeting>`);
      const themed = (): boolean =>
        el.shadowRoot!.adoptedStyleSheets.some((sheet) => [...sheet.cssRules].some((r) => r.cssText.includes('rgb(10, 20, 30)')));
      await waitUntil(themed, 'theme was not applied');
      expect(getComputedStyle(el).getPropertyValue('--gaskit-color-primary').trim()).to.equal('rgb(1, 2, 3)');
    } finally {
      style.remove();
    }
  });

  it('shares one page-level client between elements with the same tenant, served from the script origin', () => {
    const [a1, a2, b] = ['demo-a', 'demo-a', 'demo-b'].map((tenant) =>
      Object.assign(document.createElement('test-ping'), { tenant }),
    );
    expect(a1!.resolvedClient).to.equal(a2!.resolvedClient);
    expect(a1!.resolvedClient).not.to.equal(b!.resolvedClient);
    expect(a1!.resolvedClient!.apiBase).to.equal(location.origin);
    expect(a1!.resolvedClient!.session.storage).to.equal('session');
  });

  it('passes its client to the elements it renders', async () => {
    TestParent.define('test-parent');
    const { client } = fakeApi();
    const parent = await fixture<TestParent>(html`<test-parent .client=${client}></test-parent>`);
    const child = parent.shadowRoot!.querySelector<TestGreeting>('test-greeting')!;
    expect(child.resolvedClient).to.equal(client);
    await translated(child, 'ru');
    expect(shadowText(child, '.greeting')).to.equal('Здравствуйте, Ирина!');
  });

  it('shows the result of an SDK call once it arrives', async () => {
    const { client } = fakeApi({
      routes: { 'GET accounts/1234567890': () => ({ status: 200, body: { holder: 'Иванова И. И.' } }) },
    });
    const el = await fixture<TestAccountName>(
      html`<test-account-name account="1234567890" .client=${client}></test-account-name>`,
    );
    await translated(el, 'ru');
    await el.lookup.run('1234567890');
    await el.updateComplete;
    expect(shadowText(el, '.holder')).to.equal('Иванова И. И.');
  });

  it('shows the translated error of a failed call, never the server message', async () => {
    const { client } = fakeApi({
      routes: {
        'GET accounts/1': () => ({
          status: 404,
          body: { error: { code: 'account_not_found', message: 'Internal: row 1 missing' } },
        }),
      },
    });
    const el = await fixture<TestAccountName>(html`<test-account-name account="1" .client=${client}></test-account-name>`);
    await translated(el, 'ru');
    await waitUntil(() => el.lookup.error, 'the call did not fail');
    await el.updateComplete;
    const alert = el.shadowRoot!.querySelector('[role="alert"]');
    expect(alert?.textContent).to.equal('Лицевой счёт не найден.');
    await expect(el).to.be.accessible();
  });

  it('shows the generic error for an error code without a text', async () => {
    const { client } = fakeApi({
      routes: { 'GET accounts/2': () => ({ status: 500, body: { error: { code: 'db_exploded', message: 'stack…' } } }) },
    });
    const el = await fixture<TestAccountName>(html`<test-account-name account="2" .client=${client}></test-account-name>`);
    await translated(el, 'ru');
    await waitUntil(() => el.lookup.error, 'the call did not fail');
    await el.updateComplete;
    expect(shadowText(el, '[role="alert"]')).to.equal('Что-то пошло не так.');
  });

  it('still explains a network failure when the texts could not be loaded', async () => {
    const { client } = fakeApi({ offline: true });
    const el = await fixture<TestAccountName>(html`<test-account-name account="3" .client=${client}></test-account-name>`);
    await translated(el);
    await waitUntil(() => el.lookup.error, 'the call did not fail');
    await el.updateComplete;
    expect(el.lookup.error?.code).to.equal('network_error');
    expect(shadowText(el, '[role="alert"]')).to.equal(
      'Нет связи с сервером. Проверьте подключение к интернету и повторите попытку.',
    );
  });
});
