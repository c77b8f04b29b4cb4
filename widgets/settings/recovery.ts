import { html, nothing, type TemplateResult } from 'lit';
import { authOf } from '../../sdk/auth.ts';
import type { Me, RegistrationConfig, TenantClient } from '../../sdk/index.ts';
import { codeField } from '../shared/auth-parts.ts';
import type { GaskitCaptcha } from '../shared/captcha.component.ts';
import { loadCaptcha } from '../shared/lazy-captcha.ts';
import { SubmitController, type SubmitHost } from '../shared/submit.ts';

/** What "forgot password" needs of `gaskit-settings`. */
export interface RecoveryHost extends SubmitHost {
  readonly resolvedClient: TenantClient | undefined;
}

/**
 * "Forgot password" in `gaskit-settings`, a lazy part: the reset sent to the person's own login
 * (a link by e-mail, or a code by SMS entered here with the new password), with the captcha when
 * the supplier has it on. Renders into the host's password section; `onReset` runs once the
 * password was reset here (every session ended, this one too).
 */
export class PasswordRecovery {
  /** Asking to send, or sent: a link, or a code to enter here. */
  private step: 'ask' | 'link' | 'code' = 'ask';
  private readonly form: SubmitController;

  private constructor(
    private readonly host: RecoveryHost,
    private readonly registration: RegistrationConfig,
    private readonly onReset: () => void,
  ) {
    this.form = new SubmitController(host, { root: () => host.renderRoot.querySelector('form[data-section="recovery"]') });
  }

  /** Opens the part in `host`, the captcha loaded first when the supplier has it on. */
  static async open(host: RecoveryHost, registration: RegistrationConfig, onReset: () => void): Promise<PasswordRecovery> {
    if (registration.captcha) await loadCaptcha(host.localize);
    return new PasswordRecovery(host, registration, onReset);
  }

  private get captcha(): GaskitCaptcha | null {
    return this.host.renderRoot.querySelector('gaskit-captcha');
  }

  /** Sends the reset to the person's own login: a link by e-mail, or a code by SMS. */
  private askReset(event: SubmitEvent, login: string): void {
    event.preventDefault();
    const client = this.host.resolvedClient;
    if (!client) return;
    void this.form.run(async () => {
      const captcha = this.registration.captcha ? await this.captcha?.solveForSubmit() : undefined;
      if (captcha === null) return;
      try {
        const answer = await authOf(client).forgotPassword({ login, ...(captcha ? { captcha } : {}) });
        this.step = answer.method === 'code' ? 'code' : 'link';
      } finally {
        this.captcha?.reset();
      }
      this.form.focusAfterRender('form[data-section="recovery"] [role="status"]');
      this.form.say(
        this.host.localize.t(this.step === 'code' ? 'settings:recovery.sentCode' : 'settings:recovery.sentLink', { login }),
      );
    });
  }

  /** The code from the SMS and a new password: every session ends, this one too. */
  private resetWithCode(event: SubmitEvent, login: string): void {
    const client = this.host.resolvedClient;
    if (!client) return;
    void this.form
      .submit(event, async (values) => {
        await authOf(client).resetPassword({
          login,
          code: values.code ?? '',
          password: values.password ?? '',
          passwordRepeat: values.passwordRepeat ?? '',
        });
      })
      .then((reset) => {
        if (reset) this.onReset();
      });
  }

  render(me: Me): TemplateResult {
    const l = this.host.localize;
    const status = html`${this.form.renderStatus()} ${this.form.renderError()}`;
    if (this.step !== 'code') {
      return html`<form
        part="form recovery"
        data-section="recovery"
        novalidate
        @submit=${(e: SubmitEvent) => this.askReset(e, me.login)}
      >
        <h4>${l.t('auth:forgot.title')}</h4>
        <p>${l.t(me.loginKind === 'phone' ? 'settings:recovery.textCode' : 'settings:recovery.textLink', { login: me.login })}</p>
        ${this.registration.captcha ? html`<gaskit-captcha></gaskit-captcha>` : nothing} ${status}
        <div class="actions">
          <button part="button" class="button" type="submit" ?disabled=${this.form.busy}>
            ${l.t(this.step === 'link' ? 'settings:recovery.again' : 'auth:forgot.submit')}
          </button>
        </div>
      </form>`;
    }
    return html`<form
      part="form recovery"
      data-section="recovery"
      novalidate
      @submit=${(e: SubmitEvent) => this.resetWithCode(e, me.login)}
    >
      <h4>${l.t('auth:forgot.title')}</h4>
      ${status} ${codeField(l.t('auth:fields.code'))}
      <gaskit-new-password .localize=${l} .policy=${this.registration.password} login=${me.login}></gaskit-new-password>
      <div class="actions">
        <button part="button" class="button button--primary" type="submit" ?disabled=${this.form.busy}>
          ${l.t('auth:reset.submit')}
        </button>
      </div>
    </form>`;
  }
}
