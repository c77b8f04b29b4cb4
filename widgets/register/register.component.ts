import { authOf } from '../../sdk/auth.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  LINK_PARAMS,
  loginRules,
  type PersonType,
  type RegistrationConfig,
  type RegistrationPending,
  type TenantConfig,
} from '../../sdk/index.ts';
import { authStyles, codeField } from '../shared/auth-parts.ts';
import { AuthSubmit, consentCheckbox, resendButton } from '../shared/auth-steps.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { GaskitNewPassword } from '../shared/new-password.component.ts';
import { baseStyles, buttonStyles, fieldStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import { GaskitTextField } from '../shared/text-field.component.ts';
import styles from './register.styles.ts';

type Step =
  | { name: 'form' }
  | { name: 'pending'; answer: RegistrationPending }
  | { name: 'temporary-password'; login: string }
  | { name: 'confirming' }
  | { name: 'confirmed'; login: string; signedIn: boolean }
  | { name: 'link-failed'; message: string };

/**
 * Registration in the tenant's flow (seeds 000–004), chosen by the tenant's config:
 *
 * - password + email link: email, password, repeat, show password, protection from robots,
 *   consent to the user agreement; then "check your mail" with the link's deadline and
 *   "send the link again". Opening the emailed link on a page with this widget confirms it.
 * - password + activation code: email or mobile phone; then the code form with "send again".
 * - email code + temporary password: person type (where the tenant enables it) and email; then the
 *   code with consent to the access rules (and a link to download them); the temporary password
 *   comes by email and is replaced at the first sign-in (`gaskit-login`).
 *
 * @tagname gaskit-register
 *
 * @event gaskit-registered - The registration was accepted (`confirmed: false`) or confirmed (`confirmed: true`). `detail: { login, confirmed }`.
 * @event gaskit-signed-in - After an activation code, the person is signed in. `detail: { me }`.
 *
 * @csspart form - Each form.
 * @csspart title - The heading.
 * @csspart intro - The text above the form.
 * @csspart consent - The consent checkbox with its document link.
 * @csspart person-type - The individual / legal entity choice, where the supplier asks for it.
 * @csspart status - Progress and information announced politely (role=status).
 * @csspart link - Links to documents and to the sign-in page.
 * @csspart show-password - The "show password" checkbox.
 * @csspart notice - The result of a step (mail sent, confirmed).
 * @csspart error - Error messages.
 * @csspart button - Every button.
 * @csspart resend - The "send again" button.
 *
 * @cssproperty --gaskit-color-primary - Buttons and links.
 * @cssproperty --gaskit-color-warning - The deadline warning.
 * @cssproperty --gaskit-color-danger - Errors.
 */
export class GaskitRegister extends GaskitElement {
  static override namespaces = ['auth', 'password', 'registration'] as const;
  static override dependencies = { 'gaskit-text-field': GaskitTextField, 'gaskit-new-password': GaskitNewPassword };
  static override styles = [baseStyles, buttonStyles, fieldStyles, authStyles, styles];

  /** The sign-in page, linked as "← sign in". */
  @property({ attribute: 'login-url' }) loginUrl = '';

  @state() private step: Step = { name: 'form' };
  @state() private consent = false;
  @state() private consentError = '';
  @state() private personType: PersonType | '' = '';
  @state() private personTypeError = '';
  /** The password chosen at registration, to sign in with once the code confirms the cabinet. */
  private password = '';

  /** Refusals of the consent and the person type show on them. */
  private readonly submitter = new AuthSubmit(this, {
    onError: (error) => {
      if (error.fields.consent) this.consentError = error.fields.consent;
      if (error.fields.personType) this.personTypeError = error.fields.personType;
      return error.fields.consent !== undefined;
    },
  });
  private readonly config = new ClientTask(this, { task: (client) => client.getConfig() });
  private linkToken = '';

  override connectedCallback(): void {
    super.connectedCallback();
    const params = new URLSearchParams(location.search);
    this.linkToken = params.get(LINK_PARAMS.confirm) ?? '';
    if (this.linkToken) this.step = { name: 'confirming' };
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.linkToken && this.resolvedClient) {
      const token = this.linkToken;
      this.linkToken = '';
      void this.confirmLink(token);
    }
  }

  private goTo(step: Step): void {
    this.step = step;
    this.submitter.clear();
    this.submitter.focusStep();
  }

  /** Removes the link's token from the address so a reload does not use it again. */
  private forgetToken(): void {
    const url = new URL(location.href);
    url.searchParams.delete(LINK_PARAMS.confirm);
    history.replaceState(history.state, '', url);
  }

  private async confirmLink(token: string): Promise<void> {
    this.forgetToken();
    try {
      const answer = await authOf(this.resolvedClient!).confirm({ token });
      this.goTo({ name: 'confirmed', login: answer.login, signedIn: false });
      this.emit('gaskit-registered', { login: answer.login, confirmed: true });
    } catch (error) {
      this.goTo({ name: 'link-failed', message: this.submitter.message(error) });
    }
  }

  private register(event: SubmitEvent, reg: RegistrationConfig): void {
    event.preventDefault();
    this.submitter.clear();
    const withPassword = reg.confirmation !== 'code-temp-password';
    this.consentError = withPassword && !this.consent ? 'consent_required' : '';
    this.personTypeError = reg.personTypes && !this.personType ? 'required' : '';
    if (!this.submitter.validate()) return;
    if (this.personTypeError) {
      this.renderRoot.querySelector<HTMLInputElement>('input[name="personType"]')?.focus();
      return;
    }
    if (this.consentError) {
      this.renderRoot.querySelector<HTMLInputElement>('#consent')?.focus();
      return;
    }
    const values = this.submitter.values();
    void this.submitter.runWithCaptcha(reg.captcha, async (captcha) => {
      this.password = values.password ?? '';
      const answer = await authOf(this.resolvedClient!).register({
        login: values.login ?? '',
        ...(withPassword ? { password: values.password, passwordRepeat: values.passwordRepeat, consent: true } : {}),
        ...(reg.personTypes ? { personType: this.personType as PersonType } : {}),
        ...captcha,
      });
      this.submitter.cooldown.start(answer.resendAfter);
      this.goTo({ name: 'pending', answer });
      this.emit('gaskit-registered', { login: answer.login, confirmed: false });
    });
  }

  private resend(reg: RegistrationConfig, login: string): void {
    void this.submitter.runWithCaptcha(reg.captcha, async (captcha) => {
      const answer = await authOf(this.resolvedClient!).resend({ login, ...captcha });
      this.submitter.cooldown.start(answer.resendAfter);
      this.submitter.say(this.localize.t('auth:pending.resent'));
    });
  }

  private confirmCode(event: SubmitEvent, reg: RegistrationConfig, answer: RegistrationPending): void {
    event.preventDefault();
    this.submitter.clear();
    const temporary = reg.confirmation === 'code-temp-password';
    this.consentError = temporary && !this.consent ? 'consent_required' : '';
    if (!this.submitter.validate()) return;
    if (this.consentError) {
      this.renderRoot.querySelector<HTMLInputElement>('#rules')?.focus();
      return;
    }
    const code = this.submitter.values().code ?? '';
    void this.submitter.run(async () => {
      const client = this.resolvedClient!;
      const confirmed = await authOf(client).confirm({ login: answer.login, code, ...(temporary ? { consent: true } : {}) });
      this.emit('gaskit-registered', { login: confirmed.login, confirmed: true });
      if (confirmed.status === 'temporary_password_sent') {
        this.goTo({ name: 'temporary-password', login: confirmed.login });
        return;
      }
      const signedIn = await authOf(client).signIn({ login: confirmed.login, password: this.password });
      this.password = '';
      this.goTo({ name: 'confirmed', login: confirmed.login, signedIn: true });
      this.emit('gaskit-signed-in', { me: signedIn.me });
    });
  }

  private loginLabel(reg: RegistrationConfig): string {
    return this.localize.t(reg.logins.includes('phone') ? 'auth:fields.emailOrPhone' : 'auth:fields.email');
  }

  private renderCaptcha(reg: RegistrationConfig): TemplateResult | typeof nothing {
    return reg.captcha ? html`<gaskit-captcha></gaskit-captcha>` : nothing;
  }

  private renderForm(config: TenantConfig): TemplateResult {
    const reg = config.registration;
    const l = this.localize;
    const withPassword = reg.confirmation !== 'code-temp-password';
    return html`
      <form part="form" novalidate @submit=${(e: SubmitEvent) => this.register(e, reg)}>
        <h2 part="title" data-focus tabindex="-1">${l.t('registration:title')}</h2>
        <p part="intro">
          ${l.t(reg.logins.includes('phone') ? 'registration:introEmailOrPhone' : 'registration:introEmail')}
          ${withPassword ? l.t('registration:later') : nothing}
        </p>
        ${
          reg.personTypes
            ? html`<fieldset part="person-type" aria-describedby="person-type-error">
                <legend>${l.t('registration:personType')}</legend>
                ${(['individual', 'legal'] as const).map(
                  (type) =>
                    html`<label class="check"
                      ><input
                        type="radio"
                        name="personType"
                        value=${type}
                        .checked=${this.personType === type}
                        @change=${() => {
                          this.personType = type;
                          this.personTypeError = '';
                        }}
                      />${l.t(`registration:personTypes.${type}`)}</label
                    >`,
                )}
                <p part="error" class="error" id="person-type-error" aria-live="polite">
                  ${this.personTypeError ? l.t(`errors:${this.personTypeError}`) : ''}
                </p>
              </fieldset>`
            : nothing
        }
        <gaskit-text-field
          name="login"
          required
          .label=${this.loginLabel(reg)}
          type=${reg.logins.includes('phone') ? 'text' : 'email'}
          autocomplete="username"
          .rules=${loginRules(reg.logins)}
        ></gaskit-text-field>
        ${
          withPassword
            ? html`
                <gaskit-new-password .localize=${l} .policy=${reg.password} label="auth:fields.password"></gaskit-new-password>
              `
            : nothing
        }
        ${this.renderCaptcha(reg)}
        ${
          withPassword
            ? consentCheckbox({
                localize: l,
                id: 'consent',
                checked: this.consent,
                error: this.consentError,
                before: l.t('registration:consent.agreementBefore'),
                linkText: l.t('registration:consent.agreementLink'),
                url: reg.consent.url,
                onChange: (checked) => {
                  this.consent = checked;
                  this.consentError = '';
                },
              })
            : nothing
        }
        ${this.submitter.renderError()}
        <div class="actions">
          <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
            ${l.t(withPassword ? 'registration:submit' : 'registration:submitCode')}
          </button>
          ${this.loginUrl ? html`<a part="link" href=${this.loginUrl}>${l.t('registration:toLogin')}</a>` : nothing}
        </div>
      </form>
    `;
  }

  private renderLinkSent(config: TenantConfig, answer: RegistrationPending): TemplateResult {
    const l = this.localize;
    const deadline = l.formatDate(answer.confirmBy, { dateStyle: 'long', timeStyle: 'short' });
    return html`
      <section part="notice" class="notice">
        <h2 part="title" data-focus tabindex="-1">${l.t('auth:pending.title')}</h2>
        <p>${l.t('auth:pending.linkSent', { login: answer.login })}</p>
        <p>${l.t('auth:pending.linkResendHint')}</p>
        <p class="warning">${l.t('auth:pending.deadline', { date: deadline })}</p>
        ${this.renderCaptcha(config.registration)} ${this.submitter.renderStatus()} ${this.submitter.renderError()}
        <div class="actions">
          ${resendButton(l, l.t('auth:pending.resendLink'), this.submitter.cooldown, this.submitter.busy, () => this.resend(config.registration, answer.login))}
          ${this.loginUrl ? html`<a part="link" href=${this.loginUrl}>${l.t('registration:toLoginPage')}</a>` : nothing}
        </div>
      </section>
    `;
  }

  private renderCodeForm(config: TenantConfig, answer: RegistrationPending): TemplateResult {
    const l = this.localize;
    const reg = config.registration;
    const temporary = reg.confirmation === 'code-temp-password';
    const sentKey = temporary
      ? 'auth:code.sentForTemporary'
      : answer.channel === 'sms'
        ? 'auth:code.sentSms'
        : 'auth:code.sentEmail';
    return html`
      <form part="form" novalidate @submit=${(e: SubmitEvent) => this.confirmCode(e, reg, answer)}>
        <h2 part="title" data-focus tabindex="-1">${l.t('auth:code.title')}</h2>
        <p part="intro">${l.t(sentKey, { login: answer.login })}</p>
        ${answer.channel === 'email' ? html`<p>${l.t('auth:code.spam')}</p>` : nothing} ${codeField(l.t('auth:fields.code'))}
        ${
          temporary
            ? consentCheckbox({
                localize: l,
                id: 'rules',
                checked: this.consent,
                error: this.consentError,
                before: l.t('registration:consent.rulesBefore'),
                linkText: l.t('registration:consent.rulesLink'),
                url: reg.consent.url,
                download: true,
                onChange: (checked) => {
                  this.consent = checked;
                  this.consentError = '';
                },
              })
            : nothing
        }
        ${this.renderCaptcha(reg)} ${this.submitter.renderStatus()} ${this.submitter.renderError()}
        <div class="actions">
          <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
            ${l.t('auth:code.submit')}
          </button>
          ${resendButton(l, l.t('auth:code.resend'), this.submitter.cooldown, this.submitter.busy, () => this.resend(reg, answer.login))}
        </div>
      </form>
    `;
  }

  private renderStep(config: TenantConfig): TemplateResult {
    const l = this.localize;
    const step = this.step;
    switch (step.name) {
      case 'form':
        return this.renderForm(config);
      case 'pending':
        return step.answer.method === 'link'
          ? this.renderLinkSent(config, step.answer)
          : this.renderCodeForm(config, step.answer);
      case 'temporary-password':
        return html`<section part="notice" class="notice">
          <h2 part="title" data-focus tabindex="-1">${l.t('auth:temporary.title')}</h2>
          <p>${l.t('auth:temporary.sent', { login: step.login })}</p>
          <p class="warning">${l.t('auth:temporary.keepSecret')}</p>
          ${this.loginUrl ? html`<a part="link" href=${this.loginUrl}>${l.t('registration:confirmed.signIn')}</a>` : nothing}
        </section>`;
      case 'confirming':
        return html`<p part="status" class="status" role="status">${l.t('registration:confirmed.confirming')}</p>`;
      case 'link-failed':
        return html`<section part="notice" class="notice">
          <h2 part="title" data-focus tabindex="-1">${l.t('registration:linkFailed.title')}</h2>
          <p role="alert">${step.message} ${l.t('registration:linkFailed.text')}</p>
          ${this.loginUrl ? html`<a part="link" href=${this.loginUrl}>${l.t('registration:confirmed.signIn')}</a>` : nothing}
          <button part="button" class="button" type="button" @click=${() => this.goTo({ name: 'form' })}>
            ${l.t('registration:linkFailed.again')}
          </button>
        </section>`;
      case 'confirmed':
        return html`<section part="notice" class="notice">
          <h2 part="title" data-focus tabindex="-1">${l.t('registration:confirmed.title')}</h2>
          <p>${l.t(step.signedIn ? 'registration:confirmed.signedIn' : 'registration:confirmed.text')}</p>
          ${!step.signedIn && this.loginUrl ? html`<a part="link" href=${this.loginUrl}>${l.t('registration:confirmed.signIn')}</a>` : nothing}
        </section>`;
    }
  }

  protected override render(): unknown {
    return this.config.render({ complete: (config) => this.renderStep(config) });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-register': GaskitRegister;
  }
}
