import { authOf, type CaptchaChallenge } from '../../sdk/auth.ts';
import { css, html, type PropertyValues } from 'lit';
import { state } from 'lit/decorators.js';
import { toGaskitError } from '../../sdk/index.ts';
import { errorText } from './errors.ts';
import { GaskitElement } from './gaskit-element.ts';
import { baseStyles, fieldStyles } from './styles.ts';
import type { solve } from './captcha-solver.ts';

interface Solver {
  solve: typeof solve;
}

/** altcha-lib's solver, imported once for every captcha field on the page. */
let solver: Promise<Solver> | undefined;

function loadSolver(): Promise<Solver> {
  solver ??= import('./captcha-solver.ts').catch((error: unknown) => {
    solver = undefined;
    throw error;
  });
  return solver;
}

/**
 * "Protection from robots": the self-hosted ALTCHA proof of work. The challenge comes through the
 * SDK; altcha-lib's solver (loaded lazily when the person ticks "I am not a robot" or the form
 * asks with `solve()` on submit) finds its answer with WebCrypto. The payload is single use: the
 * form calls `reset()` after each request.
 *
 * @tagname gaskit-captcha
 *
 * @csspart label - The field's label.
 * @csspart checkbox - The "I am not a robot" checkbox with its text.
 * @csspart status - "Verifying…" or "Verified".
 * @csspart error - The error message.
 */
export class GaskitCaptcha extends GaskitElement {
  static override namespaces = ['captcha'] as const;
  static override styles = [
    baseStyles,
    fieldStyles,
    css`
      :host {
        display: block;
      }
      .check {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.75rem;
        border: 1px solid var(--_gk-color-border);
        border-radius: var(--_gk-radius);
      }
      .check input {
        inline-size: 1.25rem;
        block-size: 1.25rem;
        margin: 0;
        accent-color: var(--_gk-color-primary);
      }
      .status {
        margin-inline-start: auto;
      }
    `,
  ];

  @state() private challenge?: CaptchaChallenge;
  @state() private error = '';
  @state() private verifying = false;
  @state() private payload = '';
  private solving?: Promise<string>;
  private controller?: AbortController;

  /** The payload once solved, else an empty string. */
  get value(): string {
    return this.payload;
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (!this.challenge && this.resolvedClient && !this.fetching) void this.fetchChallenge();
  }

  private fetching?: Promise<void>;

  private fetchChallenge(): Promise<void> {
    const client = this.resolvedClient;
    if (!client) return Promise.resolve();
    this.fetching ??= authOf(client)
      .captchaChallenge()
      .then(
        (challenge) => {
          this.challenge = challenge;
          this.error = '';
        },
        (err: unknown) => {
          this.error = toGaskitError(err).code;
        },
      )
      .finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  /** The payload, solving the challenge first if the box was not ticked yet; rejects with the error's code. */
  solve(): Promise<string> {
    if (this.payload) return Promise.resolve(this.payload);
    this.solving ??= this.run().finally(() => (this.solving = undefined));
    return this.solving;
  }

  private async run(): Promise<string> {
    this.verifying = true;
    this.error = '';
    const controller = (this.controller = new AbortController());
    try {
      const [{ solve }] = await Promise.all([loadSolver(), this.challenge ? undefined : this.fetchChallenge()]);
      if (!this.challenge) throw new Error(this.error || 'captcha_required');
      const payload = await solve(this.challenge, controller);
      if (controller.signal.aborted) throw new Error('captcha_required');
      this.payload = payload;
      return payload;
    } catch (err) {
      // The challenge's own failure (its code) stays; the solver's reads as expired or invalid.
      const code = err instanceof Error && err.message.startsWith('captcha_') ? err.message : 'captcha_invalid';
      if (!controller.signal.aborted) this.error ||= code;
      throw err;
    } finally {
      if (this.controller === controller) this.verifying = false;
    }
  }

  /**
   * The payload for a form's request; when it cannot be had, the field says why (or
   * `captcha_required`), takes the focus, and the answer is null.
   */
  async solveForSubmit(): Promise<string | null> {
    try {
      return await this.solve();
    } catch {
      this.error ||= 'captcha_required';
      this.focus();
      return null;
    }
  }

  /** Forgets the used payload (and any solving under way) and fetches a fresh challenge. */
  reset(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.solving = undefined;
    this.verifying = false;
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
    this.renderRoot.querySelector('input')?.focus();
  }

  private onCheck(event: Event): void {
    const box = event.target as HTMLInputElement;
    // A solved check stays ticked: the payload is kept until the form uses it.
    box.checked = Boolean(this.payload) || box.checked;
    if (box.checked) this.solve().catch(() => undefined);
  }

  protected override render(): unknown {
    const t = (key: string) => this.localize.t(`captcha:${key}`);
    const status = this.verifying ? t('verifying') : this.payload ? t('verified') : '';
    return html`
      <div class="field" role="group" aria-labelledby="label" aria-describedby="error">
        <span part="label" class="label" id="label">${t('title')}</span>
        <label part="checkbox" class="check">
          <input
            type="checkbox"
            .checked=${this.verifying || Boolean(this.payload)}
            ?disabled=${this.verifying}
            aria-invalid=${this.error ? 'true' : 'false'}
            @change=${this.onCheck}
          />
          ${t('label')}
          <span part="status" class="status" role="status">${status}</span>
        </label>
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
