import { feedbackOf } from '../../sdk/feedback.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import {
  ATTACHMENT_TYPES,
  attachmentsError,
  contactEmailRules,
  contactNameRules,
  contactPhoneRules,
  FEEDBACK_LIMITS,
  messageRules,
  pattern,
  rule,
  SNIFF_BYTES,
  sniffAttachmentType,
  validate,
  type AttachmentType,
  type FaqEntry,
  type FeedbackInput,
  type FeedbackRequest,
  type TenantConfig,
  type ValidationFailure,
} from '../../sdk/index.ts';
import { GaskitHint } from '../hint/hint.component.ts';
import type { GaskitCaptcha } from '../shared/captcha.component.ts';
import { LazyCaptcha } from '../shared/lazy-captcha.ts';
import { SessionController } from '../shared/session.ts';
import { errorText } from '../shared/errors.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { SubmitController } from '../shared/submit.ts';
import { baseStyles, buttonStyles, fieldStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import { GaskitTextField } from '../shared/text-field.component.ts';
import styles from './feedback.styles.ts';

/** Pause in typing before the questions and answers are searched. */
const SEARCH_DELAY_MS = 300;
/** Answers suggested under the message. */
const SUGGESTIONS = 3;
/** The form's own controls, in the order of the form. */
const NATIVE_FIELDS = ['topic', 'message', 'files'] as const;
const LIMIT_PARAMS = { max: FEEDBACK_LIMITS.files, mb: FEEDBACK_LIMITS.fileBytes / 1024 / 1024 };

interface Attachment {
  file: File;
  type: AttachmentType;
  key: number;
}

/**
 * Feedback and "questions and answers" of a supplier: a searchable list of questions and
 * answers; a form that sends a request to the department of the chosen topic (message, contact,
 * optional account, images or PDF attached), suggesting answers while the person types; and,
 * signed in, the person's requests with their statuses and answers. Without a session the form
 * asks for an email for the answer and a solved captcha (`gaskit-captcha`).
 *
 * @event gaskit-feedback-sent - A request was sent. `detail: { id, number, topic, status }`.
 *
 * @csspart faq - The questions-and-answers section.
 * @csspart faq-item - One question with its answer.
 * @csspart form - The request form.
 * @csspart field - A native field's block (topic, message, files).
 * @csspart suggestions - Answers suggested while typing the message.
 * @csspart error - An error message.
 * @csspart success - The confirmation after sending.
 * @csspart requests - The list of the person's requests.
 * @csspart request - One request.
 * @csspart status - A request's status.
 * @csspart answer - An answer to a request.
 * @csspart button - Every button.
 * @csspart support-email - The technical support address, for a question by e-mail.
 *
 * @cssproperty --gaskit-color-primary - Buttons and the suggestions' mark.
 * @cssproperty --gaskit-color-success - Answers and the confirmation.
 * @cssproperty --gaskit-color-danger - Errors.
 * @cssproperty --gaskit-color-border - Borders of questions and requests.
 */
export class GaskitFeedback extends GaskitElement {
  static override namespaces = ['feedback'] as const;
  static override dependencies = {
    'gaskit-text-field': GaskitTextField,
    'gaskit-hint': GaskitHint,
  };
  static override styles = [baseStyles, buttonStyles, fieldStyles, styles];

  @state() private query = '';
  @state() private suggestFor = '';
  @state() private topic = '';
  @state() private message = '';
  @state() private attachments: Attachment[] = [];
  @state() private errors: Record<string, ValidationFailure | null> = {};
  @state() private sent?: FeedbackRequest;

  @query('gaskit-captcha') private captcha?: GaskitCaptcha;

  /** A refusal of the captcha shows on it, one of a native control (topic, message, files) on that control. */
  private readonly submitter = new SubmitController(this, {
    onError: ({ fields }) => {
      if (fields.captcha) this.captcha?.fail(fields.captcha);
      const native = NATIVE_FIELDS.filter((name) => fields[name]);
      this.setErrors(Object.fromEntries(native.map((name) => [name, { code: fields[name]!, params: LIMIT_PARAMS }])));
      if (native.length) this.focusFirstInvalid();
      return native.length > 0 || fields.captcha !== undefined;
    },
  });
  private readonly session = new SessionController(this);
  private searchTimer?: ReturnType<typeof setTimeout>;
  private suggestTimer?: ReturnType<typeof setTimeout>;
  private focusSuccess = false;
  private nextKey = 0;

  private readonly config = new ClientTask(this, { task: (client) => client.getConfig() });
  /** The captcha a person who is not signed in solves. */
  private readonly lazyCaptcha = new LazyCaptcha(this, (error) => this.submitter.fail(error));

  private readonly faq = new ClientTask(this, {
    task: (client, [q], signal) => feedbackOf(client).faq({ q, limit: 20, signal }),
    args: () => [this.query] as const,
  });

  private readonly suggestions = new ClientTask(this, {
    task: (client, [q], signal) =>
      q.trim() ? feedbackOf(client).faq({ q, limit: SUGGESTIONS, signal }) : Promise.resolve({ items: [] as FaqEntry[] }),
    args: () => [this.suggestFor] as const,
  });

  /** Signed in: the person's requests and their contact details from the cabinet. */
  private readonly cabinet = new ClientTask(this, {
    task: (client, _args, signal) =>
      client.session.isSignedIn
        ? Promise.all([feedbackOf(client).list({ signal }), feedbackOf(client).contact({ signal })])
        : Promise.resolve(null),
    session: true,
  });

  private readonly sendTask = new ClientTask(this, {
    task: (client, [input]: readonly [FeedbackInput], signal) => feedbackOf(client).send(input, { signal }),
    autoRun: false,
  });

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.searchTimer);
    clearTimeout(this.suggestTimer);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.focusSuccess) {
      this.focusSuccess = false;
      this.focusOn('[part="success"]');
    }
  }

  private t(key: string, options?: Record<string, unknown>): string {
    return this.localize.t(`feedback:${key}`, options);
  }

  private focusOn(selector: string): void {
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  private setErrors(errors: Record<string, ValidationFailure | null>): void {
    this.errors = { ...this.errors, ...errors };
  }

  private onSearch(event: Event): void {
    const value = (event.target as HTMLInputElement).value.trim();
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => (this.query = value), SEARCH_DELAY_MS);
  }

  private onMessage(event: Event): void {
    this.message = (event.target as HTMLTextAreaElement).value;
    this.setErrors({ message: null });
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(() => (this.suggestFor = this.message), SEARCH_DELAY_MS);
  }

  /** Adds the picked files if they pass the shared checks (type read from the content); else shows the first problem. */
  private async onFiles(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const picked = [...(input.files ?? [])];
    input.value = '';
    const sniffed = await Promise.all(
      picked.map(async (file) => ({
        file,
        size: file.size,
        type: sniffAttachmentType(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer())),
        key: this.nextKey++,
      })),
    );
    const code = attachmentsError([...this.attachments.map((a) => ({ size: a.file.size, type: a.type })), ...sniffed]);
    // Without an error every file has its type.
    if (!code) this.attachments = [...this.attachments, ...(sniffed as Attachment[])];
    this.setErrors({ files: code ? { code, params: LIMIT_PARAMS } : null });
  }

  private removeFile(key: number): void {
    this.attachments = this.attachments.filter((a) => a.key !== key);
    this.setErrors({ files: null });
    this.focusOn('#files');
  }

  private focusFirstInvalid(): void {
    const first = NATIVE_FIELDS.find((name) => this.errors[name]);
    if (first) this.focusOn(`#${first}`);
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    this.submitter.clear();
    // The contact fields come first on the form: the form controller focuses the first invalid one.
    const contactValid = this.submitter.validate();
    this.setErrors({
      topic: this.topic ? null : { code: 'required', params: {} },
      message: validate(this.message, messageRules),
    });
    if (!contactValid) return;
    if (this.errors.topic || this.errors.message) return this.focusFirstInvalid();
    void this.send();
  }

  /** Sends the checked form (with the captcha's payload when the person is not signed in). */
  private async send(): Promise<void> {
    const captcha = await this.captchaPayload();
    if (captcha === null) return;
    const values = Object.fromEntries(Object.entries(this.submitter.values()).filter(([, value]) => value));
    const input: FeedbackInput = {
      ...values,
      topic: this.topic,
      message: this.message.trim(),
      files: this.attachments.map((a) => a.file),
      ...(captcha ? { captcha } : {}),
    };
    await this.submitter.run(async () => {
      let sent: FeedbackRequest;
      try {
        sent = await this.sendTask.run(input);
      } finally {
        this.captcha?.reset();
      }
      this.sent = sent;
      this.focusSuccess = true;
      const { id, number, topic, status } = sent;
      this.emit('gaskit-feedback-sent', { id, number, topic, status });
      if (this.session.signedIn) void this.cabinet.run();
    });
  }

  /** Someone not signed in proves to be a person; null (with the error shown) when the captcha is not solved. */
  private async captchaPayload(): Promise<string | undefined | null> {
    if (this.session.signedIn) return undefined;
    return this.lazyCaptcha.solveForSubmit();
  }

  private again(): void {
    this.sent = undefined;
    this.topic = this.message = this.suggestFor = '';
    this.attachments = [];
    this.errors = {};
  }

  /** A native control's block: label (with an optional "?" hint), the control, help and the announced error. */
  private field(
    id: string,
    label: string,
    control: TemplateResult,
    extra: { hint?: string; help?: string; required?: boolean } = {},
  ): TemplateResult {
    const failure = this.errors[id];
    const error = failure ? errorText(this.localize, failure.code, failure.params) : '';
    const mark = extra.required ? html`<span class="required" aria-hidden="true"> *</span>` : nothing;
    return html`
      <div part="field" class="field">
        <div class="label-row">
          <label class="label" for=${id}>${label}${mark}</label>
          ${extra.hint ? html`<gaskit-hint text=${extra.hint}></gaskit-hint>` : nothing}
        </div>
        ${control} ${extra.help ? html`<p class="help" id="${id}-help">${extra.help}</p>` : nothing}
        <p part="error" class="error" id="${id}-error" aria-live="polite">${error}</p>
      </div>
    `;
  }

  private invalid(id: string): string {
    return this.errors[id] ? 'true' : 'false';
  }

  private renderFaqList(items: FaqEntry[]): TemplateResult {
    return html`<ul class="list">
      ${items.map(
        (e) =>
          html`<li>
            <details part="faq-item">
              <summary>${e.question}</summary>
              <p class="text">${e.answer}</p>
            </details>
          </li>`,
      )}
    </ul>`;
  }

  private renderFaq(): TemplateResult {
    return html`
      <section part="faq" aria-labelledby="faq-title">
        <h2 id="faq-title">${this.t('faq.title')}</h2>
        <div class="field">
          <label class="label" for="faq-search">${this.t('faq.search')}</label>
          <input class="input" id="faq-search" type="search" aria-describedby="faq-help faq-count" @input=${this.onSearch} />
          <p class="help" id="faq-help">${this.t('faq.searchHelp')}</p>
        </div>
        ${this.faq.render({
          complete: ({ items }) => html`
            <p class="help" id="faq-count" role="status">
              ${this.query ? this.t(items.length ? 'faq.found' : 'faq.empty', { count: items.length }) : ''}
            </p>
            ${this.renderFaqList(items)}
          `,
        })}
      </section>
    `;
  }

  private renderForm(config: TenantConfig): TemplateResult {
    if (this.sent) {
      return html`
        <div part="success" class="mark success" role="status" tabindex="-1">
          <p>${this.t('form.sent', { number: this.sent.number })}</p>
          <p>
            ${this.session.signedIn ? this.t('form.sentCabinet') : this.t('form.sentEmail', { email: this.sent.contact.email })}
          </p>
          <button part="button" class="button" type="button" @click=${this.again}>${this.t('form.title')}</button>
        </div>
      `;
    }
    const contact = this.cabinet.value?.[1];
    return html`
      <form part="form" class="form" novalidate @submit=${this.submit}>
        <gaskit-text-field
          name="name"
          label=${this.t('form.name')}
          autocomplete="name"
          .value=${contact?.name ?? ''}
          .rules=${contactNameRules}
        ></gaskit-text-field>
        <gaskit-text-field
          name="email"
          type="email"
          label=${this.t('form.email')}
          autocomplete="email"
          ?required=${!this.session.signedIn}
          .value=${contact?.email ?? ''}
          .rules=${contactEmailRules(this.session.signedIn)}
        ></gaskit-text-field>
        <gaskit-text-field
          name="phone"
          type="tel"
          label=${this.t('form.phone')}
          autocomplete="tel"
          .value=${contact?.phone ?? ''}
          .rules=${contactPhoneRules}
        ></gaskit-text-field>
        ${this.field(
          'topic',
          this.t('form.topic'),
          html`<select
            class="input"
            id="topic"
            required
            aria-invalid=${this.invalid('topic')}
            aria-describedby="topic-error"
            .value=${live(this.topic)}
            @input=${(e: Event) => {
              this.topic = (e.target as HTMLSelectElement).value;
              this.setErrors({ topic: null });
            }}
          >
            <option value="">${this.t('form.chooseTopic')}</option>
            ${config.support.topics.map(
              (topic) =>
                html`<option value=${topic.id} ?selected=${topic.id === this.topic}>${this.localize.t(topic.labelKey)}</option>`,
            )}
          </select>`,
          { hint: this.t('hints.topic'), required: true },
        )}
        ${this.field(
          'message',
          this.t('form.message'),
          html`<textarea
            class="input textarea"
            id="message"
            required
            maxlength=${FEEDBACK_LIMITS.messageMaxLength}
            aria-invalid=${this.invalid('message')}
            aria-describedby="message-help message-error"
            .value=${live(this.message)}
            @input=${this.onMessage}
          ></textarea>`,
          { help: this.t('form.messageHelp', { max: FEEDBACK_LIMITS.messageMaxLength }), required: true },
        )}
        ${this.suggestions.render({
          pending: () => nothing,
          error: () => nothing,
          complete: ({ items }) =>
            items.length && this.message.trim()
              ? html`<div part="suggestions" class="mark" role="region" aria-labelledby="suggestions-title">
                  <p id="suggestions-title">${this.t('faq.suggestions')}</p>
                  ${this.renderFaqList(items)}
                </div>`
              : nothing,
        })}
        <gaskit-text-field
          name="accountNumber"
          label=${this.t('form.account')}
          inputmode="numeric"
          autocomplete="off"
          .rules=${[rule(pattern, { pattern: config.accounts.numberPattern })]}
        >
          <gaskit-hint slot="hint" text=${this.t('hints.account')}></gaskit-hint>
        </gaskit-text-field>
        ${this.field(
          'files',
          this.t('form.chooseFiles'),
          html`<div class="file-picker">
              <input
                id="files"
                class="file-input"
                type="file"
                multiple
                accept=${ATTACHMENT_TYPES.join(',')}
                ?disabled=${this.attachments.length >= FEEDBACK_LIMITS.files}
                aria-invalid=${this.invalid('files')}
                aria-describedby="files-help files-error"
                @change=${this.onFiles}
              />
              <span part="button" class="button file-button" aria-hidden="true" @click=${this.pickFiles}
                >${this.t('pickFiles')}</span
              >
            </div>
            ${
              this.attachments.length
                ? html`<ul class="list" aria-label=${this.t('form.files')}>
                    ${this.attachments.map(
                      (a) =>
                        html`<li class="file">
                          <span>${a.file.name}</span>
                          <button part="button" class="button" type="button" @click=${() => this.removeFile(a.key)}>
                            ${this.t('form.removeFile', { name: a.file.name })}
                          </button>
                        </li>`,
                    )}
                  </ul>`
                : nothing
            }`,
          { hint: this.t('hints.files'), help: this.t('form.filesHelp', LIMIT_PARAMS) },
        )}
        ${this.session.signedIn ? nothing : html`<gaskit-captcha></gaskit-captcha>`} ${this.submitter.renderError()}
        <div>
          <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
            ${this.t(this.submitter.busy ? 'form.sending' : 'form.submit')}
          </button>
        </div>
      </form>
    `;
  }

  private renderRequest(r: FeedbackRequest): TemplateResult {
    const date = (iso: string) => this.localize.formatDate(iso);
    return html`
      <li part="request" class="box">
        <div class="head">
          <h3>${this.t('requests.number', { number: r.number, date: date(r.createdAt) })}</h3>
          <span part="status" class="status status--${r.status}">${this.t(`requests.status.${r.status}`)}</span>
        </div>
        <p class="meta">${this.t(`topics.${r.topic}`)}</p>
        <p class="text">${r.message}</p>
        ${
          r.attachments.length
            ? html`<p class="meta">${this.t('requests.attachments', { names: r.attachments.map((a) => a.name).join(', ') })}</p>`
            : nothing
        }
        ${r.answers.map(
          (a) => html`
            <div part="answer" class="mark success">
              <p class="meta">${this.t('requests.answer', { date: date(a.at) })}</p>
              <p class="text">${a.text}</p>
            </div>
          `,
        )}
      </li>
    `;
  }

  /** The browser's own file button speaks the browser's language: ours opens the same picker. */
  private pickFiles(): void {
    this.renderRoot.querySelector<HTMLInputElement>('#files')?.click();
  }

  /** The cabinet's technical support address, for a question by e-mail (seed 000). */
  private renderSupportEmail(): unknown {
    const email = this.config.value?.support.email;
    if (!email) return nothing;
    return html`<p part="support-email" class="support-email">
      ${this.t('supportEmail')} <a href=${`mailto:${email}`}>${email}</a>
    </p>`;
  }

  protected override render(): unknown {
    return html`
      ${this.renderFaq()}
      <section aria-labelledby="form-title">
        <h2 id="form-title">${this.t('title')}</h2>
        <p>${this.t('intro')}</p>
        ${this.renderSupportEmail()} ${this.config.render({ complete: (config) => this.renderForm(config) })}
      </section>
      ${
        this.session.signedIn
          ? html`<section aria-labelledby="requests-title">
              <h2 id="requests-title">${this.t('requests.title')}</h2>
              ${this.cabinet.render({
                complete: (cabinet) =>
                  cabinet?.[0].items.length
                    ? html`<ul part="requests" class="list requests">
                        ${cabinet[0].items.map((r) => this.renderRequest(r))}
                      </ul>`
                    : html`<p>${this.t('requests.empty')}</p>`,
              })}
            </section>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-feedback': GaskitFeedback;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-feedback-sent': CustomEvent<{ id: string; number: number; topic: string; status: FeedbackRequest['status'] }>;
  }
}
