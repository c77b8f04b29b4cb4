import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
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
