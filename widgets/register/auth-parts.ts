import { css, html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { isGaskitError, type Me, type PasswordPolicy } from '../../sdk/index.ts';
import { errorText } from '../shared/errors.ts';
import type { LocalizeController } from '../shared/localize.ts';

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

/** Codes answered with 429: their server texts carry a wait the SDK does not pass on, so the widgets say it without a number. */
const WAIT_CODES = new Set(['rate_limited', 'login_locked', 'resend_too_soon']);

/** The text of a form-level error: `errors:<code>`, or the auth wording for a rate limit. */
export function formErrorText(localize: LocalizeController, error: unknown): string {
  const code = isGaskitError(error) ? error.code : 'unknown';
  return WAIT_CODES.has(code) ? localize.t(`auth:wait.${code}`) : errorText(localize, code);
}

/** The password policy's own rule, e.g. "5 to 10 Latin letters and digits", as the field's help. */
export function passwordHelp(localize: LocalizeController, policy: PasswordPolicy): string {
  return errorText(localize, `password_${policy.ruleKey}`, { min: policy.minLength, max: policy.maxLength });
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
  .link-button {
    padding: 0;
    border: 0;
    background: none;
    color: var(--_gk-color-primary);
    font: inherit;
    text-decoration: underline;
    cursor: pointer;
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
