import { authOf } from '../../sdk/auth.ts';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { toGaskitError, type CaptchaChallenge } from '../../sdk/index.ts';
import type { AltchaWidgetElement } from 'altcha/types/generic';
import { errorText } from '../shared/errors.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { baseStyles, fieldStyles } from '../shared/styles.ts';

type AltchaState = 'unverified' | 'verifying' | 'verified' | 'error' | 'expired' | 'code';

const STRING_KEYS = [
  'label',
  'verified',
  'verifying',
  'verificationRequired',
  'error',
  'expired',
  'loading',
  'reload',
  'verify',
  'waitAlert',
] as const;

/** altcha's stylesheet, which it puts in the document head; adopted into our shadow roots. */
let altchaSheet: CSSStyleSheet | undefined;

async function loadAltcha(): Promise<CSSStyleSheet> {
  await import('./altcha-loader.ts');
  if (!altchaSheet) {
    altchaSheet = new CSSStyleSheet();
    altchaSheet.replaceSync(document.getElementById('altcha-css')?.textContent ?? '');
  }
  return altchaSheet;
}

/**
 * "Protection from robots": the self-hosted ALTCHA proof of work. The challenge comes through the
 * SDK; the `altcha` widget (loaded lazily, so it stays out of the widget bundles) solves it in web
 * workers when the person ticks the box, or when the form asks with `solve()` on submit. The
 * payload is single use: the form calls `reset()` after each request.
 *
 * @tagname gaskit-captcha
 *
 * @csspart label - The field's label.
 * @csspart error - The error message.
 */
export class GaskitCaptcha extends GaskitElement {
  static override styles = [
    baseStyles,
    fieldStyles,
    css`
      :host {
        display: block;
      }
      altcha-widget {
        --altcha-color-primary: var(--_gk-color-primary);
        --altcha-border-radius: var(--_gk-radius);
        --altcha-border-color: var(--_gk-color-border);
        --altcha-max-width: 100%;
      }
    `,
  ];

  @state() private challenge?: CaptchaChallenge;
  @state() private error = '';
  @state() private altchaReady = false;
  private payload = '';
  private waiting?: { resolve: (payload: string) => void; reject: (error: Error) => void };
  private loaded?: Promise<void>;

  /** The payload once solved, else an empty string. */
  get value(): string {
    return this.payload;
  }

  /**
   * Loads altcha once the person starts filling the form this field protects (focus or input in
   * the form's tree), or when the form asks for a payload; a page that only shows the form never
   * downloads it.
   */
  private readonly load = (): Promise<void> => {
    this.watchForm(false);
    return (this.loaded ??= loadAltcha().then((sheet) => {
      if (this.shadowRoot && !this.shadowRoot.adoptedStyleSheets.includes(sheet)) {
        this.shadowRoot.adoptedStyleSheets = [...this.shadowRoot.adoptedStyleSheets, sheet];
      }
      this.altchaReady = true;
    }));
  };

  private formRoot?: Node;

  private watchForm(on: boolean): void {
    for (const type of ['focusin', 'input']) this.formRoot?.removeEventListener(type, this.load);
    this.formRoot = on && !this.loaded ? this.getRootNode() : undefined;
    for (const type of ['focusin', 'input']) this.formRoot?.addEventListener(type, this.load);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.watchForm(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.watchForm(false);
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (!this.challenge && this.resolvedClient && !this.fetching) void this.fetchChallenge();
  }

  private fetching = false;

  private async fetchChallenge(): Promise<void> {
    const client = this.resolvedClient;
    if (!client) return;
    this.fetching = true;
    try {
      this.challenge = await authOf(client).captchaChallenge();
      this.error = '';
    } catch (err) {
      this.error = toGaskitError(err).code;
    } finally {
      this.fetching = false;
    }
  }

  /** The payload, solving the challenge first if the box was not ticked yet. */
  async solve(): Promise<string> {
    if (this.payload) return this.payload;
    await this.load();
    await this.updateComplete;
    const widget = this.widget;
    if (!widget) throw new Error(this.error || 'captcha_required');
    const done = new Promise<string>((resolve, reject) => (this.waiting = { resolve, reject }));
    const result = await widget.verify();
    if (result?.payload) this.accept(result.payload);
    return done;
  }

  /**
   * The payload for a form's request; when it cannot be had, the field says `captcha_required`,
   * takes the focus, and the answer is null.
   */
  async solveForSubmit(): Promise<string | null> {
    try {
      return await this.solve();
    } catch {
      this.fail('captcha_required');
      this.focus();
      return null;
    }
  }

  /** Forgets the used payload and fetches a fresh challenge. */
  reset(): void {
    this.payload = '';
    this.challenge = undefined;
    this.error = '';
  }

  /** Shows an error code (e.g. the server's `captcha_invalid`) and starts over. */
  fail(code: string): void {
    this.reset();
    this.error = code;
  }

  override focus(): void {
    this.widget?.querySelector('input')?.focus();
  }

  private get widget(): AltchaWidgetElement | null {
    return this.renderRoot.querySelector('altcha-widget');
  }

  private accept(payload: string): void {
    this.payload = payload;
    this.error = '';
    this.waiting?.resolve(payload);
    this.waiting = undefined;
  }

  private onStateChange(event: CustomEvent<{ state: AltchaState; payload?: string }>): void {
    const { state: altchaState, payload } = event.detail;
    if (altchaState === 'verified' && payload) this.accept(payload);
    else if (altchaState === 'error' || altchaState === 'expired') {
      this.payload = '';
      this.waiting?.reject(new Error(`captcha_${altchaState === 'expired' ? 'expired' : 'invalid'}`));
      this.waiting = undefined;
    }
  }

  /** The altcha widget, configured by attributes (its methods only exist once it has mounted), in our words. */
  private renderAltcha(challenge: CaptchaChallenge): TemplateResult {
    const language = `gaskit-${this.localize.locale}`;
    globalThis.$altcha.i18n.set(
      language,
      Object.fromEntries(STRING_KEYS.map((key) => [key, this.localize.t(`auth:captcha.${key}`)])),
    );
    return html`<altcha-widget
      type="checkbox"
      language=${language}
      configuration=${JSON.stringify({ challenge, hideLogo: true, hideFooter: true })}
      @statechange=${this.onStateChange}
    ></altcha-widget>`;
  }

  protected override render(): unknown {
    return html`
      <div class="field" role="group" aria-labelledby="label" aria-describedby="error">
        <span part="label" class="label" id="label">${this.localize.t('auth:captcha.title')}</span>
        ${this.challenge && this.altchaReady && this.localize.ready ? this.renderAltcha(this.challenge) : nothing}
        <p part="error" class="error" id="error" aria-live="polite">${this.error ? errorText(this.localize, this.error) : ''}</p>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-captcha': GaskitCaptcha;
  }
}
