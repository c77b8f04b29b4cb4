import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { isGaskitError, toGaskitError, type GaskitError } from '../../sdk/errors.ts';
import { errorText } from './errors.ts';
import { FormController } from './form.ts';
import type { LocalizeController } from './localize.ts';
import type { GaskitTextField } from './text-field.component.ts';

export interface SubmitHost extends ReactiveControllerHost, HTMLElement {
  readonly localize: LocalizeController;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

export interface SubmitOptions {
  /** Where the form's `gaskit-text-field`s are; the host's render root unless given. */
  root?: () => ParentNode | null;
  /**
   * Puts a refusal's fields that are not text fields (the captcha, a consent box, a select) where
   * they belong; returns whether the error is shown that way, so no form error is needed.
   */
  onError?: (error: GaskitError) => boolean;
  /** The key of the widget's own text for an error code, if it has one (e.g. a card's refusal). */
  texts?: (code: string) => string | undefined;
  /** Values every error text may interpolate besides the server's, e.g. a limit from the config. */
  params?: () => Record<string, unknown>;
}

/** Codes answered with 429 whose wait the server may not pass on: said without a number then. */
const WAIT_CODES = new Set(['rate_limited', 'login_locked', 'resend_too_soon']);

/**
 * One form's submission state, shared by every form widget: whether a request is on its way
 * (`busy`, one at a time), the error under the form, a polite status line, the refusal's
 * field errors put on their fields, and the focus moved to what a new step shows first. The text
 * of an error is chosen here, once: the widget's own
 * text for the code, else the wait wording for a rate limit without its seconds, else
 * `errors:<code>` with the values the server sent (`errors:unknown` for a code without a text).
 * Texts are chosen when rendered, so they follow a change of language.
 */
export class SubmitController implements ReactiveController {
  /** A request of this form is on its way. */
  busy = false;
  /** The status line's text (e.g. "sent"), announced politely. */
  status = '';
  private failure: { code: string; params: Record<string, unknown> } | null = null;
  private readonly form: FormController;
  private focusTarget = '';

  constructor(
    private readonly host: SubmitHost,
    private readonly options: SubmitOptions = {},
  ) {
    host.addController(this);
    this.form = new FormController(() => options.root?.() ?? host.renderRoot);
  }

  hostUpdated(): void {
    if (!this.focusTarget) return;
    const target = this.host.renderRoot.querySelector<HTMLElement>(this.focusTarget);
    this.focusTarget = '';
    // A Gaskit element (a text field) renders its input after its host: focus it once it has.
    if (target && 'updateComplete' in target) void (target.updateComplete as Promise<unknown>).then(() => target.focus());
    else target?.focus();
  }

  /** Moves the focus, after the next render, to the first element matching `selector` (what a new step shows first). */
  focusAfterRender(selector: string): void {
    this.focusTarget = selector;
    this.host.requestUpdate();
  }

  /** The form's text fields. */
  get fields(): GaskitTextField[] {
    return this.form.fields;
  }

  /** Shows every field's error and focuses the first invalid field; returns whether all are valid. */
  validate(): boolean {
    return this.form.validate();
  }

  /** The values of the named fields. */
  values(): Record<string, string> {
    return this.form.values();
  }

  /** Whether a form error is shown. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** The shown form error's code, or '' when none is. */
  get errorCode(): string {
    return this.failure?.code ?? '';
  }

  /** Clears the form error and the status line. */
  clear(): void {
    this.failure = null;
    this.status = '';
    this.host.requestUpdate();
  }

  /** Shows an error under the form: a code found before any request (`readings_empty`) or anything thrown. */
  fail(error: unknown, params: Record<string, unknown> = {}): void {
    this.failure = typeof error === 'string' ? { code: error, params } : toGaskitError(error);
    this.host.requestUpdate();
  }

  /** Shows a status line (clearing the error). */
  say(status: string): void {
    this.failure = null;
    this.status = status;
    this.host.requestUpdate();
  }

  /**
   * Runs `work` with `busy` on, unless a request is already on its way; anything it throws is
   * shown on its fields (the text fields, then the `onError` option's), else under the form.
   * Resolves whether `work` succeeded; never rejects.
   */
  async run(work: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.clear();
    this.busy = true;
    try {
      await work();
      return true;
    } catch (error) {
      this.show(error);
      return false;
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  /** The submit handler's part: checks the fields, then runs `work` with their values. */
  submit(event: Event, work: (values: Record<string, string>) => Promise<void>): Promise<boolean> {
    event.preventDefault();
    this.clear();
    if (!this.form.validate()) return Promise.resolve(false);
    const values = this.form.values();
    return this.run(() => work(values));
  }

  /**
   * Puts a refusal on its fields, else under the form. A field error on a field the form does not
   * show (a `returnUrl` the widget sends itself) is said under the form in that field's words, not
   * as a bare "check the fields" with nothing marked.
   */
  show(error: unknown): void {
    if (isGaskitError(error)) {
      const onFields = this.form.showServerErrors(error);
      const own = this.options.onError?.(error) ?? false;
      const unseen = own ? undefined : Object.keys(error.fields).find((name) => !onFields.includes(name));
      if (unseen !== undefined) {
        this.fail(error.fields[unseen], error.fieldParams[unseen]);
        return;
      }
      if (own || onFields.length > 0) return;
    }
    this.fail(error);
  }

  /** The text for anything a request threw. */
  message(error: unknown): string {
    const { code, params } = toGaskitError(error);
    return this.text(code, params);
  }

  /** The form error's text, or '' when none is shown. */
  get error(): string {
    return this.failure ? this.text(this.failure.code, this.failure.params) : '';
  }

  private text(code: string, params: Record<string, unknown>): string {
    const l = this.host.localize;
    const own = this.options.texts?.(code);
    if (own) return l.t(own);
    if (WAIT_CODES.has(code) && params.seconds === undefined && l.exists(`common:wait.${code}`))
      return l.t(`common:wait.${code}`);
    return errorText(l, code, { ...this.options.params?.(), ...params });
  }

  /** The announced error under the form (empty while there is none, so it is announced when it comes). */
  renderError(): TemplateResult {
    return html`<p part="error" class="error" role="alert">${this.error}</p>`;
  }

  /** The polite status line. */
  renderStatus(): TemplateResult {
    return html`<p part="status" class="status" role="status" tabindex="-1">${this.status}</p>`;
  }
}
