import { meOf } from '../../sdk/me.ts';
import { authOf } from '../../sdk/auth.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import {
  email,
  FULL_NAME_MAX_LENGTH,
  maxLength,
  phone,
  required,
  rule,
  type TenantClient,
  type Me,
  type RegistrationConfig,
  type SessionInfo,
  type TenantConfig,
} from '../../sdk/index.ts';
import { authStyles, codeField } from '../shared/auth-parts.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { lazyPart } from '../shared/lazy.ts';
import { GaskitNewPassword } from '../shared/new-password.component.ts';
import { SubmitController } from '../shared/submit.ts';
import { baseStyles, buttonStyles, fieldStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import { GaskitTextField } from '../shared/text-field.component.ts';
import type * as Recovery from './recovery.ts';
import styles from './settings.styles.ts';

type Section = 'profile' | 'contact' | 'password' | 'sessions' | 'delete';

const SECTIONS: readonly Section[] = ['profile', 'contact', 'password', 'sessions', 'delete'];

/**
 * "Forgot password" is a lazy part with the texts only it shows (`auth`): it loads when a person
 * opens it, which most visits to the settings never do.
 */
const loadRecovery = lazyPart('Password recovery', () => import('./recovery.ts').then(() => undefined), ['auth']);

/**
 * The subscriber's settings ("Настройки абонента"): profile (full name, email, phone; a new email
 * or login phone is applied after the code sent to it), password change (current, new, repeat,
 * show password; the other sessions end) with "forgot password" (a reset link to the login's
 * e-mail, or a code by SMS entered here with the new password; every session ends), active
 * sessions with "end", and personal data: the consent given, and deleting the cabinet (which
 * withdraws it).
 *
 * @tagname gaskit-settings
 *
 * @event gaskit-signed-out - The cabinet was deleted, the current session ended, or the password was reset. `detail: { reason }`.
 * @event gaskit-profile-changed - The person saved their name or confirmed a new login. `detail: { me }`.
 *
 * @csspart section - Each settings section.
 * @csspart title - Section headings.
 * @csspart form - Each form.
 * @csspart sessions - The list of sessions.
 * @csspart session - One session.
 * @csspart status - Status messages.
 * @csspart error - Error messages.
 * @csspart button - Every button.
 * @csspart danger - The delete button.
 * @csspart forgot - "Forgot password?" under the password change.
 * @csspart recovery - The "forgot password" form.
 *
 * @cssproperty --gaskit-color-primary - Buttons.
 * @cssproperty --gaskit-color-danger - Errors and the delete button.
 */
export class GaskitSettings extends GaskitElement {
  static override namespaces = ['password', 'settings'] as const;
  static override dependencies = { 'gaskit-text-field': GaskitTextField, 'gaskit-new-password': GaskitNewPassword };
  static override styles = [baseStyles, buttonStyles, fieldStyles, authStyles, styles];

  @state() private me?: Me;
  @state() private sessions: SessionInfo[] = [];
  @state() private pendingContact: { field: 'email' | 'phone'; value: string } | null = null;
  @state() private confirmingDelete = false;
  /** "Forgot password", once opened. */
  @state() private recovery?: Recovery.PasswordRecovery;

  /** The password was reset here: every session ended, this one too. */
  @state() private passwordReset = false;
  @state() private signedOut = false;

  /** Each section's form: its busy state, status and errors; a refused session (401) signs out. */
  private readonly forms = Object.fromEntries(
    SECTIONS.map((section) => [
      section,
      new SubmitController(this, {
        root: () => this.renderRoot.querySelector(`form[data-section="${section}"]`),
        onError: (error) => {
          if (error.status === 401) this.signedOut = true;
          return false;
        },
      }),
    ]),
  ) as Record<Section, SubmitController>;
  private readonly config = new ClientTask(this, { task: (client) => client.getConfig() });
  private loadedFor?: TenantClient;
  private stopListening?: () => void;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening?.();
    this.stopListening = undefined;
    this.loadedFor = undefined;
  }

  /** Loads the person for the client in effect, and again whenever someone signs in with it. */
  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const client = this.resolvedClient;
    if (client && client !== this.loadedFor) {
      this.stopListening?.();
      this.loadedFor = client;
      this.stopListening = client.events.on('session-changed', ({ signedIn }) => {
        if (signedIn) void this.load(client);
        else this.signedOut = true;
      });
      void this.load(client);
    }
  }

  private async load(client: TenantClient): Promise<void> {
    if (!client.session.isSignedIn) {
      this.signedOut = true;
      return;
    }
    try {
      const me = await meOf(client).get();
      this.sessions = me.status === 'active' && !me.mustChangePassword ? await meOf(client).sessions() : [];
      this.me = me;
      this.signedOut = false;
    } catch {
      this.signedOut = true;
    }
  }

  /** Runs one section's action; its status shows in that section. Resolves whether it succeeded. */
  private act(section: Section, work: (client: TenantClient) => Promise<string>): Promise<boolean> {
    const client = this.resolvedClient;
    const form = this.forms[section];
    if (!client) return Promise.resolve(false);
    return form.run(async () => form.say(await work(client)));
  }

  private submit(
    event: SubmitEvent,
    section: Section,
    work: (client: TenantClient, values: Record<string, string>) => Promise<string>,
  ): Promise<boolean> {
    event.preventDefault();
    const form = this.forms[section];
    form.clear();
    if (!form.validate()) return Promise.resolve(false);
    const values = form.values();
    return this.act(section, (client) => work(client, values));
  }

  private saveProfile(event: SubmitEvent): void {
    void this.submit(event, 'profile', async (client, values) => {
      const me = this.me!;
      const change: Record<string, string> = { fullName: values.fullName ?? '' };
      if ((values.email ?? '') !== (me.email ?? '')) change.email = values.email ?? '';
      if ((values.phone ?? '') !== (me.phone ?? '')) change.phone = values.phone ?? '';
      const saved = await meOf(client).update(change);
      this.me = saved.me;
      this.emit('gaskit-profile-changed', { me: saved.me });
      this.pendingContact = saved.pendingContact;
      if (saved.pendingContact) this.forms.contact.focusAfterRender('form[data-section="contact"] gaskit-text-field');
      return this.localize.t(saved.pendingContact ? 'settings:profile.codeSent' : 'settings:profile.saved', {
        value: saved.pendingContact?.value ?? '',
      });
    });
  }

  private confirmContact(event: SubmitEvent): void {
    void this.submit(event, 'contact', async (client, values) => {
      this.me = await meOf(client).confirmContact(values.code ?? '');
      this.emit('gaskit-profile-changed', { me: this.me });
      this.pendingContact = null;
      this.forms.profile.say(this.localize.t('settings:profile.confirmed'));
      this.forms.profile.focusAfterRender('form[data-section="profile"] [role="status"]');
      return '';
    });
  }

  private changePassword(event: SubmitEvent): void {
    const form = event.target as HTMLFormElement;
    void this.submit(event, 'password', async (client, values) => {
      this.me = await authOf(client).changePassword({
        currentPassword: values.currentPassword ?? '',
        password: values.password ?? '',
        passwordRepeat: values.passwordRepeat ?? '',
      });
      form.reset();
      this.sessions = await meOf(client).sessions();
      return this.localize.t('settings:password.changed');
    });
  }

  /** Opens "forgot password" (loading it first); a failed load shows in the password section. */
  private openRecovery(reg: RegistrationConfig): void {
    void this.forms.password.run(async () => {
      await loadRecovery(this.localize);
      const { PasswordRecovery } = await import('./recovery.ts');
      this.recovery = await PasswordRecovery.open(this, reg, () => this.passwordWasReset());
      this.forms.password.focusAfterRender('form[data-section="recovery"] button[type="submit"]');
    });
  }

  /** The password was reset with a code here: every session ended, this one too, so the person signs in again. */
  private passwordWasReset(): void {
    this.resolvedClient?.session.clear();
    this.passwordReset = true;
    this.signedOut = true;
    this.me = undefined;
    this.emit('gaskit-signed-out', { reason: 'sign-out' });
  }

  private async endSession(session: SessionInfo): Promise<void> {
    const ended = await this.act('sessions', async (client) => {
      await meOf(client).endSession(session.id);
      if (session.current) {
        client.session.clear();
        this.signedOut = true;
        return '';
      }
      this.sessions = this.sessions.filter((s) => s.id !== session.id);
      this.forms.sessions.focusAfterRender('[part~="sessions"] button, h3#sessions-title');
      return this.localize.t('settings:sessions.ended');
    });
    if (ended && session.current) this.emit('gaskit-signed-out', { reason: 'sign-out' });
  }

  private async deleteCabinet(event: SubmitEvent): Promise<void> {
    const deleted = await this.submit(event, 'delete', async (client, values) => {
      await meOf(client).deleteCabinet(values.password ?? '');
      this.signedOut = true;
      this.me = undefined;
      return this.localize.t('settings:privacy.deleted');
    });
    if (deleted) this.emit('gaskit-signed-out', { reason: 'deleted' });
  }

  private status(section: Section): TemplateResult {
    const form = this.forms[section];
    return html`${form.renderStatus()} ${form.renderError()}`;
  }

  private renderProfile(me: Me): TemplateResult {
    const l = this.localize;
    return html`<section part="section" aria-labelledby="profile-title">
      <h3 part="title" id="profile-title">${l.t('settings:profile.title')}</h3>
      <p>${l.t('settings:login', { login: me.login })}</p>
      <form part="form" data-section="profile" novalidate @submit=${this.saveProfile}>
        <gaskit-text-field
          name="fullName"
          .label=${l.t('settings:profile.fullName')}
          autocomplete="name"
          .value=${me.fullName}
          .rules=${[rule(maxLength, { max: FULL_NAME_MAX_LENGTH })]}
        ></gaskit-text-field>
        <gaskit-text-field
          name="email"
          type="email"
          ?required=${me.loginKind === 'email'}
          .label=${l.t('settings:profile.email')}
          autocomplete="email"
          .value=${me.email ?? ''}
          .help=${me.loginKind === 'email' ? l.t('settings:profile.emailHelp') : ''}
          .rules=${[rule(email)]}
        ></gaskit-text-field>
        <gaskit-text-field
          name="phone"
          type="tel"
          ?required=${me.loginKind === 'phone'}
          .label=${l.t('settings:profile.phone')}
          autocomplete="tel"
          .value=${me.phone ?? ''}
          .help=${me.loginKind === 'phone' ? l.t('settings:profile.phoneHelp') : ''}
          .rules=${[rule(phone)]}
        ></gaskit-text-field>
        ${this.status('profile')}
        <div class="actions">
          <button part="button" class="button button--primary" type="submit" ?disabled=${this.forms.profile.busy}>
            ${l.t('settings:profile.save')}
          </button>
        </div>
      </form>
      ${
        this.pendingContact
          ? html`<form part="form" data-section="contact" novalidate @submit=${this.confirmContact}>
              <p>${l.t('settings:profile.codeSent', { value: this.pendingContact.value })}</p>
              ${codeField(l.t('settings:profile.code'))} ${this.status('contact')}
              <div class="actions">
                <button part="button" class="button button--primary" type="submit" ?disabled=${this.forms.contact.busy}>
                  ${l.t('settings:profile.confirm')}
                </button>
              </div>
            </form>`
          : nothing
      }
    </section>`;
  }

  private renderPassword(me: Me, reg: RegistrationConfig): TemplateResult {
    const l = this.localize;
    return html`<section part="section" aria-labelledby="password-title">
      <h3 part="title" id="password-title">${l.t('settings:password.title')}</h3>
      <p>${l.t('settings:password.intro', { login: me.login })}</p>
      <form part="form" data-section="password" novalidate @submit=${this.changePassword}>
        <gaskit-new-password
          .localize=${l}
          .policy=${reg.password}
          login=${me.login}
          current="settings:password.current"
        ></gaskit-new-password>
        ${this.status('password')}
        <div class="actions">
          <button part="button" class="button button--primary" type="submit" ?disabled=${this.forms.password.busy}>
            ${l.t('settings:password.submit')}
          </button>
          ${
            this.recovery
              ? nothing
              : html`<button part="button forgot" class="link-button" type="button" @click=${() => this.openRecovery(reg)}>
                  ${l.t('password:forgot')}
                </button>`
          }
        </div>
      </form>
      ${this.recovery?.render(me) ?? nothing}
    </section>`;
  }

  /** "Chrome на Windows", "Safari на iOS", or "unknown device" when the browser did not say. */
  private deviceName({ device }: SessionInfo): string {
    const l = this.localize;
    const { browser, os } = device ?? { browser: null, os: null };
    if (browser && os) return l.t('settings:device.browserOn', { browser, os });
    return browser || os || l.t('settings:sessions.unknownDevice');
  }

  private renderSessions(): TemplateResult {
    const l = this.localize;
    return html`<section part="section" aria-labelledby="sessions-title">
      <h3 part="title" id="sessions-title" tabindex="-1">${l.t('settings:sessions.title')}</h3>
      <ul part="sessions" class="sessions">
        ${this.sessions.map((s) => {
          const device = this.deviceName(s);
          return html`<li part="session" class="session">
            <div>
              <strong>${device}</strong
              >${s.current ? html` <span class="current">(${l.t('settings:sessions.current')})</span>` : nothing}
              <div class="meta">
                ${l.t('settings:sessions.lastSeen', { date: l.formatDate(s.lastSeenAt, { dateStyle: 'medium', timeStyle: 'short' }) })}
                · ${l.t('settings:sessions.ip', { ip: s.ip })}
              </div>
            </div>
            <button
              part="button"
              class="button"
              type="button"
              aria-label=${l.t('settings:sessions.endLabel', { name: device })}
              ?disabled=${this.forms.sessions.busy}
              @click=${() => void this.endSession(s)}
            >
              ${l.t('settings:sessions.end')}
            </button>
          </li>`;
        })}
      </ul>
      ${this.status('sessions')}
    </section>`;
  }

  private renderPrivacy(me: Me): TemplateResult {
    const l = this.localize;
    return html`<section part="section" aria-labelledby="privacy-title">
      <h3 part="title" id="privacy-title">${l.t('settings:privacy.title')}</h3>
      ${
        me.consent
          ? html`<p>
              ${l.t('settings:privacy.consent', { date: l.formatDate(me.consent.acceptedAt, { dateStyle: 'long', timeStyle: 'short' }), version: me.consent.version })}
              ${me.consent.url ? html`<a href=${me.consent.url} target="_blank" rel="noopener">${l.t('settings:privacy.document')}</a>` : nothing}
            </p>`
          : nothing
      }
      <p>${l.t('settings:privacy.deleteText')}</p>
      ${
        this.confirmingDelete
          ? html`<form part="form" data-section="delete" novalidate @submit=${this.deleteCabinet}>
              <gaskit-text-field
                name="password"
                required
                type="password"
                .label=${l.t('settings:privacy.password')}
                autocomplete="current-password"
                .rules=${[rule(required)]}
              ></gaskit-text-field>
              ${this.status('delete')}
              <div class="actions">
                <button part="button danger" class="button danger" type="submit" ?disabled=${this.forms.delete.busy}>
                  ${l.t('settings:privacy.confirmDelete')}
                </button>
                <button part="button" class="button" type="button" @click=${() => (this.confirmingDelete = false)}>
                  ${l.t('common:cancel')}
                </button>
              </div>
            </form>`
          : html`<div class="actions">
              <button
                part="button danger"
                class="button danger"
                type="button"
                @click=${() => {
                  this.confirmingDelete = true;
                  this.forms.delete.focusAfterRender('form[data-section="delete"] gaskit-text-field');
                }}
              >
                ${l.t('settings:privacy.delete')}
              </button>
            </div>`
      }
    </section>`;
  }

  private renderSettings(config: TenantConfig): TemplateResult {
    const l = this.localize;
    if (this.signedOut || !this.me) {
      const ended = this.forms.delete.status || (this.passwordReset ? l.t('auth:reset.done') : '');
      return html`<p part="status" class="status" role="status">
        ${ended || (this.signedOut ? l.t('settings:signedOut') : l.t('common:loading'))}
      </p>`;
    }
    if (this.me.mustChangePassword || this.me.status !== 'active') {
      const code = this.me.mustChangePassword ? 'password_change_required' : 'confirmation_required';
      return html`<p part="status" class="status" role="status">${l.t(`errors:${code}`)}</p>`;
    }
    return html`
      <h2 part="title" class="title">${l.t('settings:title')}</h2>
      ${this.renderProfile(this.me)} ${this.renderPassword(this.me, config.registration)} ${this.renderSessions()}
      ${this.renderPrivacy(this.me)}
    `;
  }

  protected override render(): unknown {
    return this.config.render({ complete: (config) => this.renderSettings(config) });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-settings': GaskitSettings;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-profile-changed': CustomEvent<{ me: Me }>;
  }
}
