import { css, html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { codeRules } from '../../contracts/rules/auth.ts';
import type { Me } from '../../sdk/index.ts';
import type { GaskitCaptcha } from './captcha.component.ts';
import { errorText } from './errors.ts';
import { LazyCaptcha } from './lazy-captcha.ts';
import type { LocalizeController } from './localize.ts';
import { SubmitController, type SubmitHost, type SubmitOptions } from './submit.ts';

/** Counts down the seconds before "send again" is accepted; the host re-renders each second. */
export class Cooldown implements ReactiveController {
  private until = 0;
  private timer?: ReturnType<typeof setInterval>;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  get seconds(): number {
    return Math.max(0, Math.ceil((this.until - Date.now()) / 1000));
  }

  start(seconds: number): void {
    this.until = Date.now() + seconds * 1000;
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (this.seconds === 0) clearInterval(this.timer);
      this.host.requestUpdate();
    }, 1000);
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
  }
}

/** The field of a one-time code sent by e-mail or SMS (`name="code"`), labelled `label`. */
export function codeField(label: string): TemplateResult {
  return html`<gaskit-text-field
    name="code"
    required
    .label=${label}
    inputmode="numeric"
    autocomplete="one-time-code"
    .rules=${codeRules()}
  ></gaskit-text-field>`;
}

/** The "show password" checkbox of the seeds. */
export function showPasswordToggle(
  localize: LocalizeController,
  checked: boolean,
  onChange: (checked: boolean) => void,
): TemplateResult {
  return html`<label part="show-password" class="check">
    <input type="checkbox" .checked=${checked} @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked)} />
    ${localize.t('auth:fields.showPassword')}
  </label>`;
}

/** A required consent checkbox with its document link and an announced error. */
export function consentCheckbox(options: {
  localize: LocalizeController;
  id: string;
  checked: boolean;
  error: string;
  before: string;
  linkText: string;
  after?: string;
  url: string;
  download?: boolean;
  onChange: (checked: boolean) => void;
}): TemplateResult {
  const { localize, id, checked, error, before, linkText, after = '', url, download = false, onChange } = options;
  return html`<div part="consent" class="consent">
    <input
      type="checkbox"
      id=${id}
      .checked=${checked}
      aria-invalid=${error ? 'true' : 'false'}
      aria-describedby="${id}-error"
      @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked)}
    />
    <label for=${id}
      >${before}
      ${url ? html`<a part="link" href=${url} target="_blank" rel="noopener" ?download=${download}>${linkText}</a>` : linkText}${after}</label
    >
    <p part="error" class="error" id="${id}-error" aria-live="polite">${error ? errorText(localize, error) : ''}</p>
  </div>`;
}

/** The "send again" button, disabled with the seconds left while the cooldown runs. */
export function resendButton(
  localize: LocalizeController,
  label: string,
  cooldown: Cooldown,
  busy: boolean,
  onClick: () => void,
): TemplateResult {
  const wait = cooldown.seconds;
  return html`<button part="button resend" class="button" type="button" ?disabled=${wait > 0 || busy} @click=${onClick}>
    ${label}${wait > 0 ? html` <span class="wait">${localize.t('auth:resendIn', { seconds: wait })}</span>` : nothing}
  </button>`;
}

/**
 * The submission of a sign-in or registration step: a submit controller whose captcha refusal
 * goes on the form's `gaskit-captcha`, the "send again" cooldown, and the captcha loaded once the
 * person starts filling the form.
 */
export class AuthSubmit extends SubmitController {
  readonly cooldown: Cooldown;
  private readonly captcha: LazyCaptcha;

  constructor(
    private readonly authHost: SubmitHost,
    options: SubmitOptions = {},
  ) {
    super(authHost, {
      ...options,
      onError: (error) => {
        const captcha = error.fields.captcha;
        if (captcha) this.captchaField()?.fail(captcha);
        return (options.onError?.(error) ?? false) || captcha !== undefined;
      },
    });
    this.cooldown = new Cooldown(authHost);
    this.captcha = new LazyCaptcha(authHost, (error) => this.fail(error));
  }

  /** Focuses the step's `[data-focus]` element after the next render. */
  focusStep(): void {
    this.focusAfterRender('[data-focus]');
  }

  private captchaField(): GaskitCaptcha | null {
    return this.authHost.renderRoot.querySelector('gaskit-captcha');
  }

  /**
   * Runs `work` with the captcha's payload when the supplier has the captcha on (`captcha`), once
   * it is solved (unsolved, the field says why and nothing is sent); the captcha is reset after.
   */
  async runWithCaptcha(captcha: boolean, work: (payload: { captcha?: string }) => Promise<void>): Promise<boolean> {
    this.clear();
    const payload = captcha ? await this.captcha.solveForSubmit() : undefined;
    if (payload === null) return false;
    try {
      return await this.run(() => work(payload ? { captcha: payload } : {}));
    } finally {
      this.captchaField()?.reset();
    }
  }
}

export interface SignedInDetail {
  me: Me;
}

export const authStyles = css`
  form,
  section {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gk-space) * 2);
  }
  h2 {
    margin: 0;
    font-size: 1.25rem;
  }
  p {
    margin: 0;
  }
  .check {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: calc(var(--_gk-space) / 2);
  }
  .consent {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr);
    align-items: start;
    gap: 0 calc(var(--_gk-space) / 2);
  }
  .consent input {
    margin-block-start: 0.2em;
  }
  .consent .error {
    grid-column: 1 / -1;
  }
  input[type='checkbox'],
  input[type='radio'] {
    inline-size: 1.125rem;
    block-size: 1.125rem;
    accent-color: var(--_gk-color-primary);
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_gk-space) * 2);
  }
  legend {
    font-weight: 600;
    margin-block-end: calc(var(--_gk-space) / 2);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: calc(var(--_gk-space) * 2);
  }
  a {
    color: var(--_gk-color-primary);
  }
  .notice {
    padding: calc(var(--_gk-space) * 1.5);
    border-inline-start: 4px solid var(--_gk-color-primary);
    background: var(--_gk-color-surface-alt);
  }
  .warning {
    color: var(--_gk-color-warning);
    font-weight: 600;
  }
  .wait {
    font-variant-numeric: tabular-nums;
  }
`;

declare global {
  interface GlobalEventHandlersEventMap {
    'gaskit-registered': CustomEvent<{ login: string; confirmed: boolean }>;
    'gaskit-signed-in': CustomEvent<SignedInDetail>;
    'gaskit-signed-out': CustomEvent<{ reason: 'sign-out' | 'deleted' }>;
  }
}
