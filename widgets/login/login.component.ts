import { meOf } from '../../sdk/me.ts';
import { authOf } from '../../sdk/auth.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { LINK_PARAMS, loginRules, required, rule, type Me, type RegistrationConfig, type TenantConfig } from '../../sdk/index.ts';
import { authStyles, showPasswordToggle, codeField } from '../shared/auth-parts.ts';
import { AuthSubmit, resendButton } from '../shared/auth-steps.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { GaskitNewPassword } from '../shared/new-password.component.ts';
import { baseStyles, buttonStyles, fieldStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import { GaskitTextField } from '../shared/text-field.component.ts';
import styles from './login.styles.ts';

type Step =
  | { name: 'sign-in' }
  | { name: 'change-temporary'; me: Me; current: string }
  | { name: 'unconfirmed'; me: Me }
  | { name: 'signed-in'; me: Me }
  | { name: 'forgot' }
  | { name: 'forgot-sent'; login: string; method: 'link' | 'code' }
  | { name: 'reset'; token: string }
  | { name: 'reset-done' };

/**
 * Sign-in with "forgot password". After a temporary password (the email-code flow) it asks for a
 * new one before anything else; a cabinet still awaiting confirmation is shown its deadline with
 * "send the link again". Opening an emailed reset link on a page with this widget asks for the new
 * password. Signed in, it shows who and a sign-out button.
 *
 * @tagname gaskit-login
 *
 * @event gaskit-signed-in - Signed in (with a password of one's own). `detail: { me }`.
 * @event gaskit-signed-out - Signed out. `detail: { reason }`.
 *
 * @csspart form - Each form.
 * @csspart title - The heading.
 * @csspart intro - The text above a form.
 * @csspart show-password - The "show password" checkbox.
 * @csspart notice - The result of a step.
 * @csspart status - Progress and information announced politely (role=status).
 * @csspart error - Error messages.
 * @csspart button - Every button.
 * @csspart resend - The "send again" button.
 * @csspart link - The link to the registration page.
 *
 * @cssproperty --gaskit-color-primary - Buttons and links.
 * @cssproperty --gaskit-color-danger - Errors.
 */
export class GaskitLogin extends GaskitElement {
  static override namespaces = ['auth', 'password'] as const;
  static override dependencies = { 'gaskit-text-field': GaskitTextField, 'gaskit-new-password': GaskitNewPassword };
  static override styles = [baseStyles, buttonStyles, fieldStyles, authStyles, styles];

  /** The registration page, linked under the form. */
  @property({ attribute: 'register-url' }) registerUrl = '';

  @state() private step: Step = { name: 'sign-in' };
  @state() private showPassword = false;

  private readonly submitter = new AuthSubmit(this);
  private readonly config = new ClientTask(this, { task: (client) => client.getConfig() });
  private checkedSession = false;

  override connectedCallback(): void {
    super.connectedCallback();
    const token = new URLSearchParams(location.search).get(LINK_PARAMS.reset);
    if (token) {
      const url = new URL(location.href);
      url.searchParams.delete(LINK_PARAMS.reset);
      history.replaceState(history.state, '', url);
      this.step = { name: 'reset', token };
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const client = this.resolvedClient;
    if (!this.checkedSession && client) {
      this.checkedSession = true;
      if (client.session.isSignedIn && this.step.name === 'sign-in') void this.resume();
    }
  }

  /** A session kept from before (sessionStorage): show who is signed in. */
  private async resume(): Promise<void> {
    try {
      const me = await meOf(this.resolvedClient!).get();
      this.step = me.mustChangePassword
        ? { name: 'sign-in' }
        : me.status === 'pending'
          ? { name: 'unconfirmed', me }
          : { name: 'signed-in', me };
    } catch {
      this.step = { name: 'sign-in' };
    }
  }

  private goTo(step: Step): void {
    this.step = step;
    this.submitter.clear();
    this.submitter.focusStep();
  }

  private signedIn(me: Me): void {
    this.goTo(me.status === 'pending' ? { name: 'unconfirmed', me } : { name: 'signed-in', me });
    this.emit('gaskit-signed-in', { me });
  }

  private signIn(event: SubmitEvent): void {
    void this.submitter.submit(event, async ({ login = '', password = '' }) => {
      const { me } = await authOf(this.resolvedClient!).signIn({ login, password });
      if (me.mustChangePassword) this.goTo({ name: 'change-temporary', me, current: password });
      else this.signedIn(me);
    });
  }

  private changeTemporary(event: SubmitEvent, current: string): void {
    void this.submitter.submit(event, async ({ password = '', passwordRepeat = '' }) =>
      this.signedIn(await authOf(this.resolvedClient!).changePassword({ currentPassword: current, password, passwordRepeat })),
    );
  }

  private signOut(): void {
    void this.submitter.run(async () => {
      await authOf(this.resolvedClient!).signOut();
      this.goTo({ name: 'sign-in' });
      this.emit('gaskit-signed-out', { reason: 'sign-out' });
    });
  }

  private resendLink(reg: RegistrationConfig): void {
    void this.submitter.runWithCaptcha(reg.captcha, async (captcha) => {
      const answer = await authOf(this.resolvedClient!).resend(captcha);
      this.submitter.cooldown.start(answer.resendAfter);
      this.submitter.say(this.localize.t('auth:pending.resent'));
    });
  }

  private forgot(event: SubmitEvent, reg: RegistrationConfig): void {
    event.preventDefault();
    if (!this.submitter.validate()) return;
    const login = this.submitter.values().login ?? '';
    void this.submitter.runWithCaptcha(reg.captcha, async (captcha) => {
      const answer = await authOf(this.resolvedClient!).forgotPassword({ login, ...captcha });
      this.submitter.cooldown.start(answer.resendAfter);
      this.goTo({ name: 'forgot-sent', login, method: answer.method ?? 'link' });
    });
  }

  /** A signed-in cabinet awaiting its activation code enters it here. */
  private confirmCode(event: SubmitEvent, me: Me): void {
    void this.submitter.submit(event, async ({ code = '' }) => {
      const client = this.resolvedClient!;
      await authOf(client).confirm({ login: me.login, code });
      this.signedIn(await meOf(client).get());
    });
  }

  private reset(event: SubmitEvent, input: { token: string } | { login: string }): void {
    void this.submitter.submit(event, async ({ password = '', passwordRepeat = '', code = '' }) => {
      await authOf(this.resolvedClient!).resetPassword(
        'token' in input
          ? { token: input.token, password, passwordRepeat }
          : { login: input.login, code, password, passwordRepeat },
      );
      this.goTo({ name: 'reset-done' });
    });
  }

  private heading(key: string): TemplateResult {
    return html`<h2 part="title" data-focus tabindex="-1">${this.localize.t(key)}</h2>`;
  }

  private newPasswordFields(reg: RegistrationConfig, login = ''): TemplateResult {
    return html`<gaskit-new-password .localize=${this.localize} .policy=${reg.password} login=${login}></gaskit-new-password>`;
  }

  private renderSignIn(reg: RegistrationConfig): TemplateResult {
    const l = this.localize;
    return html`
      <form part="form" novalidate @submit=${this.signIn}>
        ${this.heading('auth:login.title')}
        <gaskit-text-field
          name="login"
          required
          .label=${l.t(reg.logins.includes('phone') ? 'auth:fields.emailOrPhone' : 'auth:fields.email')}
          type=${reg.logins.includes('phone') ? 'text' : 'email'}
          autocomplete="username"
          .rules=${loginRules(reg.logins)}
        ></gaskit-text-field>
        <gaskit-text-field
          name="password"
          required
          .label=${l.t('auth:fields.passwordLogin')}
          .type=${this.showPassword ? 'text' : 'password'}
          autocomplete="current-password"
          .rules=${[rule(required)]}
        ></gaskit-text-field>
        ${showPasswordToggle(l, this.showPassword, (checked) => (this.showPassword = checked))} ${this.submitter.renderError()}
        <div class="actions">
          <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
            ${l.t('auth:login.submit')}
          </button>
          <button part="button" class="link-button" type="button" @click=${() => this.goTo({ name: 'forgot' })}>
            ${l.t('password:forgot')}
          </button>
          ${this.registerUrl ? html`<a part="link" href=${this.registerUrl}>${l.t('auth:login.register')}</a>` : nothing}
        </div>
      </form>
    `;
  }

  private renderStep(config: TenantConfig): TemplateResult {
    const l = this.localize;
    const reg = config.registration;
    const step = this.step;
    switch (step.name) {
      case 'sign-in':
        return this.renderSignIn(reg);
      case 'change-temporary':
        return html`<form part="form" novalidate @submit=${(e: SubmitEvent) => this.changeTemporary(e, step.current)}>
          ${this.heading('auth:temporary.changeTitle')}
          <p part="intro">${l.t('auth:temporary.changeText')}</p>
          ${this.newPasswordFields(reg, step.me.login)} ${this.submitter.renderError()}
          <div class="actions">
            <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
              ${l.t('auth:temporary.changeSubmit')}
            </button>
          </div>
        </form>`;
      case 'unconfirmed': {
        const byCode = reg.confirmation !== 'link' || step.me.loginKind === 'phone';
        return html`<section part="notice" class="notice">
          ${this.heading('auth:unconfirmed.title')}
          <p>${l.t(byCode ? 'auth:unconfirmed.textCode' : 'auth:unconfirmed.text', { login: step.me.login })}</p>
          ${
            step.me.confirmBy
              ? html`<p class="warning">
                  ${l.t('auth:pending.deadline', { date: l.formatDate(step.me.confirmBy, { dateStyle: 'long', timeStyle: 'short' }) })}
                </p>`
              : nothing
          }
          ${
            byCode
              ? html`<form part="form" novalidate @submit=${(e: SubmitEvent) => this.confirmCode(e, step.me)}>
                  ${codeField(l.t('auth:fields.code'))}
                  <div class="actions">
                    <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
                      ${l.t('auth:code.submit')}
                    </button>
                  </div>
                </form>`
              : nothing
          }
          ${reg.captcha ? html`<gaskit-captcha></gaskit-captcha>` : nothing} ${this.submitter.renderStatus()}
          ${this.submitter.renderError()}
          <div class="actions">
            ${resendButton(l, l.t(byCode ? 'auth:code.resend' : 'auth:pending.resendLink'), this.submitter.cooldown, this.submitter.busy, () => this.resendLink(reg))}
            <button part="button" class="button" type="button" @click=${this.signOut}>${l.t('auth:login.signOut')}</button>
          </div>
        </section>`;
      }
      case 'signed-in':
        return html`<section part="notice" class="notice">
          <p data-focus tabindex="-1">${l.t('auth:login.signedInAs', { login: step.me.fullName || step.me.login })}</p>
          ${this.submitter.renderError()}
          <div class="actions">
            <button part="button" class="button" type="button" ?disabled=${this.submitter.busy} @click=${this.signOut}>
              ${l.t('auth:login.signOut')}
            </button>
          </div>
        </section>`;
      case 'forgot':
        return html`<form part="form" novalidate @submit=${(e: SubmitEvent) => this.forgot(e, reg)}>
          ${this.heading('auth:forgot.title')}
          <p part="intro">${l.t('auth:forgot.text')}</p>
          <gaskit-text-field
            name="login"
            required
            .label=${l.t(reg.logins.includes('phone') ? 'auth:fields.emailOrPhone' : 'auth:fields.email')}
            type=${reg.logins.includes('phone') ? 'text' : 'email'}
            autocomplete="username"
            .rules=${loginRules(reg.logins)}
          ></gaskit-text-field>
          ${reg.captcha ? html`<gaskit-captcha></gaskit-captcha>` : nothing} ${this.submitter.renderError()}
          <div class="actions">
            <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
              ${l.t('auth:forgot.submit')}
            </button>
            <button part="button" class="link-button" type="button" @click=${() => this.goTo({ name: 'sign-in' })}>
              ${l.t('auth:forgot.back')}
            </button>
          </div>
        </form>`;
      case 'forgot-sent':
        return step.method === 'code'
          ? html`<form part="form" novalidate @submit=${(e: SubmitEvent) => this.reset(e, { login: step.login })}>
              ${this.heading('auth:reset.title')}
              <p part="intro">${l.t('auth:forgot.sentCode', { login: step.login })}</p>
              ${codeField(l.t('auth:fields.code'))} ${this.newPasswordFields(reg, step.login)} ${this.submitter.renderError()}
              <div class="actions">
                <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
                  ${l.t('auth:reset.submit')}
                </button>
              </div>
            </form>`
          : html`<section part="notice" class="notice">
              ${this.heading('auth:forgot.title')}
              <p>${l.t('auth:forgot.sentLink', { login: step.login })}</p>
              <button part="button" class="link-button" type="button" @click=${() => this.goTo({ name: 'sign-in' })}>
                ${l.t('auth:forgot.back')}
              </button>
            </section>`;
      case 'reset':
        return html`<form part="form" novalidate @submit=${(e: SubmitEvent) => this.reset(e, { token: step.token })}>
          ${this.heading('auth:reset.title')} ${this.newPasswordFields(reg)} ${this.submitter.renderError()}
          <div class="actions">
            <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
              ${l.t('auth:reset.submit')}
            </button>
          </div>
        </form>`;
      case 'reset-done':
        return html`<section part="notice" class="notice">
          ${this.heading('auth:reset.done')}
          <button part="button" class="button button--primary" type="button" @click=${() => this.goTo({ name: 'sign-in' })}>
            ${l.t('auth:login.submit')}
          </button>
        </section>`;
    }
  }

  protected override render(): unknown {
    return this.config.render({ complete: (config) => this.renderStep(config) });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-login': GaskitLogin;
  }
}
