import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { createChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/web/pbkdf2';
import type { FaqEntry, FeedbackInput, FeedbackRequest, GaskitClient, RequestOptions, SupportTopic } from '../../sdk/index.ts';
import '../../widgets/feedback/define.ts';
import type { GaskitFeedback } from '../../widgets/feedback/index.ts';
import type { GaskitTextField } from '../../widgets/shared/text-field.component.ts';
import { runFormWidgetSuite } from '../suites/form-widget.suite.ts';
import { fakeApi, translations, type FakeApiOptions } from './fake-api.ts';
import { shadowText, translated } from './helpers.ts';

// The widget's real texts, as the server serves them.
before(async () => {
  for (const lng of ['ru', 'en']) {
    const [feedback, captcha, errors] = await Promise.all(
      ['feedback', 'captcha', 'errors'].map(
        async (ns) => (await fetch(`/locales/${lng}/${ns}.json`)).json() as Promise<Record<string, unknown>>,
      ),
    );
    translations[lng]!.feedback = feedback!;
    translations[lng]!.captcha = captcha!;
    translations[lng]!.errors = { ...translations[lng]!.errors, ...errors };
  }
});

/** A real ALTCHA challenge with little work, as the server makes them for tests. */
function lightChallenge() {
  return createChallenge({ algorithm: 'PBKDF2/SHA-256', cost: 1, counter: 5, deriveKey, hmacSignatureSecret: 'test' });
}

const TOPICS: SupportTopic[] = ['cabinet', 'charges', 'meters', 'other'].map((id) => ({ id, labelKey: `feedback:topics.${id}` }));
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

const FAQ: FaqEntry[] = [
  { key: 'readings', question: 'Как передать показания?', answer: 'В разделе «Показания» с 15 по 25 число.', topic: 'meters' },
  { key: 'password', question: 'Как сменить пароль?', answer: 'В разделе «Настройки».', topic: 'cabinet' },
];

function sentRequest(input: Partial<FeedbackRequest> = {}): FeedbackRequest {
  return {
    id: 'r1',
    number: 42,
    topic: 'meters',
    status: 'new',
    message: 'Счётчик не крутится',
    contact: { name: '', email: 'guest@example.test', phone: '' },
    accountNumber: '',
    attachments: [],
    answers: [],
    createdAt: '2026-03-03T10:00:00.000Z',
    updatedAt: '2026-03-03T10:00:00.000Z',
    ...input,
  };
}

interface Setup {
  element: GaskitFeedback;
  client: GaskitClient;
  requests: string[];
  sent: FeedbackInput[];
}

async function setup({
  signedIn = false,
  routes = {},
}: { signedIn?: boolean; routes?: FakeApiOptions['routes'] } = {}): Promise<Setup> {
  const { client, requests } = fakeApi({
    routes: {
      'GET faq': () => ({ status: 200, body: { items: FAQ } }),
      'GET auth/captcha': async () => ({ status: 200, body: await lightChallenge() }),
      'GET feedback': () => ({ status: 200, body: { items: [] } }),
      'GET feedback/contact': () => ({ status: 200, body: { name: 'Анна Петрова', email: 'anna@example.test', phone: '' } }),
      'POST feedback': (body) => ({ status: 201, body: sentRequest(body as Partial<FeedbackRequest>) }),
      ...routes,
    },
  });
  const getConfig = client.getConfig.bind(client);
  client.getConfig = async () => ({ ...(await getConfig()), support: { topics: TOPICS, email: 'support@sever-gaz.example' } });
  const sent: FeedbackInput[] = [];
  const send = client.feedback.send.bind(client.feedback);
  client.feedback.send = (input, options) => {
    sent.push(input);
    return send(input, options);
  };
  if (signedIn) client.session.setToken('test-session-token-0123456789');
  const element = await fixture<GaskitFeedback>(html`<gaskit-feedback .client=${client}></gaskit-feedback>`);
  await translated(element, 'ru');
  await waitUntil(() => element.shadowRoot!.querySelector('form'), 'the feedback form did not render');
  await Promise.all(textFields(element).map((f) => translated(f, 'ru')));
  if (!signedIn) {
    const captcha = element.shadowRoot!.querySelector('gaskit-captcha')!;
    // The captcha field loads once the person starts filling the form.
    element.shadowRoot!.querySelector('form')!.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
    await waitUntil(
      () => captcha.shadowRoot?.querySelector('[part="checkbox"]')?.textContent?.trim(),
      'the captcha did not render',
      { timeout: 4000 },
    );
  }
  return { element, client, requests, sent };
}

function textFields(element: GaskitFeedback): GaskitTextField[] {
  return [...element.shadowRoot!.querySelectorAll('gaskit-text-field')];
}

function $<T extends Element>(element: GaskitFeedback, selector: string): T {
  const found = element.shadowRoot!.querySelector<T>(selector);
  if (!found) throw new Error(`no ${selector}`);
  return found;
}

async function fill(
  element: GaskitFeedback,
  { topic, message, email }: { topic?: string; message?: string; email?: string },
): Promise<void> {
  if (topic) {
    const select = $<HTMLSelectElement>(element, '#topic');
    select.value = topic;
    select.dispatchEvent(new Event('input', { bubbles: true }));
  }
  if (message) {
    $<HTMLTextAreaElement>(element, '#message').focus();
    await sendKeys({ type: message });
  }
  if (email) {
    const field = element.shadowRoot!.querySelector<GaskitTextField>('gaskit-text-field[name="email"]')!;
    field.shadowRoot!.querySelector('input')!.focus();
    await sendKeys({ type: email });
  }
  await element.updateComplete;
}

function pick(element: GaskitFeedback, files: File[]): void {
  const input = $<HTMLInputElement>(element, '#files');
  const transfer = new DataTransfer();
  for (const f of files) transfer.items.add(f);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

runFormWidgetSuite('gaskit-feedback', async () => {
  const { element, requests } = await setup();
  return { element, requests: () => requests };
});

describe('gaskit-feedback', () => {
  it('gives the cabinet’s technical support address beside the form, as a mail link', async () => {
    const { element } = await setup();
    const line = $<HTMLElement>(element, '[part="support-email"]');
    expect(line.textContent!.replace(/\s+/g, ' ').trim()).to.equal(
      'Вопрос о работе личного кабинета можно также отправить письмом в службу технической поддержки: support@sever-gaz.example',
    );
    expect(line.querySelector('a')!.getAttribute('href')).to.equal('mailto:support@sever-gaz.example');
    await expect(element).to.be.accessible();
  });

  it('picks files with its own button in the page’s language, the browser’s own one out of sight', async () => {
    const { element } = await setup();
    const input = $<HTMLInputElement>(element, '#files');
    const own = $<HTMLElement>(element, '.file-button');
    expect(own.textContent!.trim()).to.equal('Выбрать файлы');
    expect(getComputedStyle(input).opacity).to.equal('0');
    expect(input.getBoundingClientRect().width).to.be.at.most(1);
    let opened = false;
    input.addEventListener('click', (e) => {
      e.preventDefault();
      opened = true;
    });
    own.click();
    expect(opened).to.equal(true);
    expect(input.labels![0]!.textContent!.trim()).to.equal('Прикрепить файлы');
    await expect(element).to.be.accessible();
  });

  it('offers the supplier’s topics, each with its name, and a "?" hint explaining the routing', async () => {
    const { element } = await setup();
    const options = [...$<HTMLSelectElement>(element, '#topic').options].map((o) => o.textContent?.trim());
    expect(options).to.deep.equal([
      'Выберите тему',
      'Работа личного кабинета (техническая поддержка)',
      'Начисления и квитанции',
      'Приборы учёта и показания',
      'Другой вопрос',
    ]);
    const hint = element.shadowRoot!.querySelector('#topic')!.closest('.field')!.querySelector('gaskit-hint')!;
    expect(hint.text).to.include('отдел');
    await expect(element).to.be.accessible();
  });

  it('sends the request with the solved captcha and tells the page with gaskit-feedback-sent, then confirms with the number', async () => {
    const { element, sent } = await setup();
    await fill(element, { topic: 'meters', message: 'Счётчик не крутится', email: 'guest@example.test' });
    setTimeout(() => $<HTMLButtonElement>(element, 'button[type="submit"]').click());
    const event = await oneEvent(element, 'gaskit-feedback-sent');
    expect(event.detail).to.deep.equal({ id: 'r1', number: 42, topic: 'meters', status: 'new' });
    expect(event.bubbles && event.composed).to.equal(true);
    expect(sent[0]).to.deep.include({ topic: 'meters', message: 'Счётчик не крутится', email: 'guest@example.test', files: [] });
    expect(sent[0]!.captcha, 'the solved captcha goes with the request').to.be.a('string').and.not.empty;
    await element.updateComplete;
    expect(shadowText(element, '[part="success"]')).to.include('Обращение № 42 отправлено.');
    expect(shadowText(element, '[part="success"]')).to.include('Ответ придёт на guest@example.test.');
    await waitUntil(
      () => element.shadowRoot!.activeElement === $(element, '[part="success"]'),
      'focus did not move to the confirmation',
    );
    await expect(element).to.be.accessible();
  });

  it('marks an empty topic and message with linked, announced errors and sends nothing', async () => {
    const { element, requests } = await setup({ signedIn: true });
    const before = requests.length;
    $<HTMLFormElement>(element, 'form').requestSubmit();
    await element.updateComplete;
    for (const id of ['topic', 'message']) {
      const control = $<HTMLElement>(element, `#${id}`);
      expect(control.getAttribute('aria-invalid'), id).to.equal('true');
      expect(control.getAttribute('aria-describedby')).to.include(`${id}-error`);
      expect($(element, `#${id}-error`).textContent?.trim()).to.equal('Заполните это поле.');
    }
    expect(element.shadowRoot!.activeElement).to.equal($(element, '#topic'));
    expect(requests.slice(before).filter((r) => r.startsWith('POST'))).to.deep.equal([]);
    await expect(element).to.be.accessible();
  });

  it('puts the server’s field error on the field it names', async () => {
    const { element } = await setup({
      routes: {
        'POST feedback': () => ({
          status: 400,
          body: { error: { code: 'validation_failed', message: '', fields: { topic: { code: 'unknown_topic', message: '' } } } },
        }),
      },
    });
    await fill(element, { topic: 'other', message: 'Вопрос', email: 'guest@example.test' });
    $<HTMLButtonElement>(element, 'button[type="submit"]').click();
    await waitUntil(() => $(element, '#topic-error').textContent?.trim(), 'no error on the topic');
    expect($(element, '#topic-error').textContent?.trim()).to.equal('Выберите тему из списка.');
    expect($(element, '#topic').getAttribute('aria-invalid')).to.equal('true');
  });

  it('takes images, refuses a file whose content is not an image or PDF whatever its name, and lets a file be removed', async () => {
    const { element } = await setup();
    pick(element, [new File([PNG], 'счётчик.png')]);
    await waitUntil(() => element.shadowRoot!.querySelectorAll('.file').length === 1, 'the image was not taken');
    pick(element, [new File(['<html><script>alert(1)</script>'], 'photo.png', { type: 'image/png' })]);
    await waitUntil(() => $(element, '#files-error').textContent?.trim(), 'the disguised file was not refused');
    expect($(element, '#files-error').textContent?.trim()).to.equal(
      'Можно прикладывать только изображения (PNG, JPEG, WebP, GIF) и PDF.',
    );
    expect($(element, '#files').getAttribute('aria-invalid')).to.equal('true');
    expect(element.shadowRoot!.querySelectorAll('.file')).to.have.length(1);
    await expect(element).to.be.accessible();
    [...element.shadowRoot!.querySelectorAll<HTMLButtonElement>('.file button')][0]!.click();
    await element.updateComplete;
    expect(element.shadowRoot!.querySelectorAll('.file')).to.have.length(0);
    expect(element.shadowRoot!.activeElement).to.equal($(element, '#files'));
  });

  it('uploads the picked files with the request through the SDK as multipart form data', async () => {
    const { element, client } = await setup({ signedIn: true });
    const uploads: FormData[] = [];
    const request = client.request.bind(client);
    client.request = <T>(path: string, options?: RequestOptions): Promise<T> => {
      if (!(options?.body instanceof FormData)) return request<T>(path, options);
      uploads.push(options.body);
      const attachments = [{ id: 'f1', name: 'счётчик.png', type: 'image/png' as const, size: PNG.length }];
      return Promise.resolve(sentRequest({ attachments }) as T);
    };
    pick(element, [new File([PNG], 'счётчик.png')]);
    await waitUntil(() => element.shadowRoot!.querySelectorAll('.file').length === 1, 'the image was not taken');
    await fill(element, { topic: 'meters', message: 'Фото счётчика' });
    setTimeout(() => $<HTMLButtonElement>(element, 'button[type="submit"]').click());
    await oneEvent(element, 'gaskit-feedback-sent');
    expect(uploads).to.have.length(1);
    const [form] = uploads as [FormData];
    expect([form.get('topic'), form.get('message')]).to.deep.equal(['meters', 'Фото счётчика']);
    const files = form.getAll('files') as File[];
    expect(files.map((f) => [f.name, f.size])).to.deep.equal([['счётчик.png', PNG.length]]);
  });

  it('refuses more than five files', async () => {
    const { element } = await setup();
    pick(
      element,
      Array.from({ length: 6 }, (_, i) => new File([PNG], `${i}.png`)),
    );
    await waitUntil(() => $(element, '#files-error').textContent?.trim(), 'too many files were not refused');
    expect($(element, '#files-error').textContent?.trim()).to.equal('Можно приложить не более 5 файлов.');
  });

  it('suggests answers from the questions and answers while the person types the message', async () => {
    const { element, requests } = await setup({
      routes: { 'GET faq': () => ({ status: 200, body: { items: FAQ.slice(0, 1) } }) },
    });
    await fill(element, { message: 'Как передать показания счётчика' });
    await waitUntil(() => element.shadowRoot!.querySelector('[part="suggestions"]'), 'no suggestions shown');
    expect(shadowText(element, '[part="suggestions"] summary')).to.equal('Как передать показания?');
    expect(requests.filter((r) => r === 'GET faq').length).to.be.greaterThan(1);
    await expect(element).to.be.accessible();
  });

  it('searches the questions and answers and reads out how many were found', async () => {
    const { element } = await setup();
    $<HTMLInputElement>(element, '#faq-search').focus();
    await sendKeys({ type: 'пароль' });
    await waitUntil(() => shadowText(element, '#faq-count'), 'no search result announced');
    expect(shadowText(element, '#faq-count')).to.equal('Найдено 2 ответа');
    expect($(element, '#faq-count').getAttribute('role')).to.equal('status');
    const first = $<HTMLElement>(element, '[part="faq-item"] summary');
    first.click();
    await element.updateComplete;
    expect($<HTMLDetailsElement>(element, '[part="faq-item"]').open).to.equal(true);
  });

  it('signed in: fills in the contact from the cabinet and shows the person’s requests with their statuses and answers', async () => {
    const answered = sentRequest({
      id: 'r2',
      number: 7,
      status: 'answered',
      answers: [{ text: 'Долг пересчитан.', at: '2026-03-04T12:00:00.000Z' }],
    });
    const { element } = await setup({
      signedIn: true,
      routes: { 'GET feedback': () => ({ status: 200, body: { items: [answered, sentRequest()] } }) },
    });
    await waitUntil(() => element.shadowRoot!.querySelectorAll('[part="request"]').length === 2, 'the requests were not listed');
    expect(shadowText(element, '[part="request"] h3')).to.equal('Обращение № 7 от 3 марта 2026 г.');
    expect([...element.shadowRoot!.querySelectorAll('[part="status"]')].map((s) => s.textContent?.trim())).to.deep.equal([
      'Есть ответ',
      'Новое',
    ]);
    expect(shadowText(element, '[part="answer"]')).to.include('Долг пересчитан.');
    const email = element.shadowRoot!.querySelector<GaskitTextField>('gaskit-text-field[name="email"]')!;
    expect(email.required).to.equal(false);
    await waitUntil(() => email.value === 'anna@example.test', 'the contact was not filled in from the cabinet');
    expect(element.shadowRoot!.querySelector<GaskitTextField>('gaskit-text-field[name="name"]')!.value).to.equal('Анна Петрова');
    await expect(element).to.be.accessible();
  });
});
