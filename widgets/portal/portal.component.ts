import { authOf } from '../../sdk/auth.ts';
import { preferencesOf } from '../../sdk/preferences.ts';
import { meOf } from '../../sdk/me.ts';
import { accountsOf } from '../../sdk/accounts.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import {
  createClient,
  type TenantClient,
  type LinkedAccount,
  type Me,
  type TenantConfig,
  type VisionMode,
} from '../../sdk/index.ts';
import { GaskitLogin } from '../login/login.component.ts';
import { GaskitOverview } from './overview.component.ts';
import { renderError } from '../shared/errors.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { lazyPart } from '../shared/lazy.ts';
import { baseStyles, buttonStyles, fieldStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import styles from './portal.styles.ts';
import { PortalRouter, routePath, type Route, type View } from './router.ts';

type Session = 'unknown' | 'signed-in' | 'signed-out';

/** Views a person sees without signing in; every other one asks to sign in first and then opens. */
const PUBLIC_VIEWS: ReadonlySet<View> = new Set(['login', 'register', 'feedback', 'not-found']);
const ACCOUNT_VIEWS: ReadonlySet<View> = new Set(['summary', 'charges', 'readings']);

/** A section's widget, defined when the section is first shown: it loads its own chunk then. */
const section = (what: string, load: () => Promise<{ define(): void }>) =>
  lazyPart(what, () => load().then((part) => part.define()));

/**
 * The sections' widgets beyond sign-in and the home (which the portal's first screen needs and
 * carries itself), by view; the home's welcome shows the linking form.
 */
const SECTIONS: Partial<Record<View | 'welcome', () => Promise<void>>> = {
  register: section('The registration', () =>
    import('../register/register.component.ts').then(({ GaskitRegister }) => ({
      define: () => GaskitRegister.define('gaskit-register'),
    })),
  ),
  summary: section('The account', () =>
    import('../account/account.component.ts').then(({ GaskitAccount }) => ({
      define: () => GaskitAccount.define('gaskit-account'),
    })),
  ),
  charges: section('The charges', () =>
    import('../charges/charges.component.ts').then(({ GaskitCharges }) => ({
      define: () => GaskitCharges.define('gaskit-charges'),
    })),
  ),
  readings: section('The readings', () =>
    import('../readings/readings.component.ts').then(({ GaskitReadings }) => ({
      define: () => GaskitReadings.define('gaskit-readings'),
    })),
  ),
  pay: section('The payment', () =>
    import('../pay/pay.component.ts').then(({ GaskitPay }) => ({ define: () => GaskitPay.define('gaskit-pay') })),
  ),
  payments: section('The payment history', () =>
    import('../payment-history/payment-history.component.ts').then(({ GaskitPaymentHistory }) => ({
      define: () => GaskitPaymentHistory.define('gaskit-payment-history'),
    })),
  ),
  settings: section('The settings', () =>
    import('../settings/settings.component.ts').then(({ GaskitSettings }) => ({
      define: () => GaskitSettings.define('gaskit-settings'),
    })),
  ),
  feedback: section('The feedback form', () =>
    import('../feedback/feedback.component.ts').then(({ GaskitFeedback }) => ({
      define: () => GaskitFeedback.define('gaskit-feedback'),
    })),
  ),
};
SECTIONS.accounts = SECTIONS.welcome = section('The account linking', () =>
  import('../link-account/link-account.component.ts').then(({ GaskitLinkAccount }) => ({
    define: () => GaskitLinkAccount.define('gaskit-link-account'),
  })),
);

interface NavItem {
  view: View;
  path: string;
}

/**
 * The whole cabinet on one element, composed from the other widgets: sign-in and registration,
 * then the chosen account's summary, charges and readings, online payment, payment history,
 * linking accounts, settings and feedback. Each section has an address — real paths under
 * `base-path` (the hosted portal, `/t/<tenant>/accounts/<id>/readings`), otherwise the page's hash
 * (`#/accounts/<id>/readings`) — so sections can be bookmarked, linked and reached with Back.
 * The chosen account is in the address and remembered in `preferencesOf(client)` for the next visit.
 * The header carries the supplier's logo and name, the low-vision switch, the language and
 * sign-out. It fits phones from 320 px (a menu button) to desktops (a side menu), measured on the
 * element's own width, so it also fits a column of the supplier's page. Signed in, the home shows
 * every account at a glance (`gaskit-overview`), or, before the first account is linked, a welcome
 * with the linking form. Hovering or focusing a section in the menu shows what it is for.
 *
 * @tagname gaskit-portal
 *
 * @event gaskit-route-changed - Another section is shown. `detail: { path, view, accountId }`.
 * @event gaskit-vision-changed - The person switched the low-vision mode. `detail: { vision }`.
 * @event gaskit-signed-out - The person signed out with the header button. `detail: { reason }`.
 *
 * The header shows the name saved in the settings at once (`gaskit-profile-changed`).
 *
 * @csspart base - The portal's frame.
 * @csspart skip-link - "Skip to content", shown when focused.
 * @csspart header - The header with the brand and the tools.
 * @csspart brand - The link home with the logo and names.
 * @csspart logo - The supplier's logo.
 * @csspart tenant-name - The supplier's name.
 * @csspart tools - The header's controls.
 * @csspart vision-toggle - The low-vision switch.
 * @csspart language - The language select.
 * @csspart user - Who is signed in.
 * @csspart sign-out - The sign-out button.
 * @csspart nav - The section menu.
 * @csspart menu-button - The button that opens the menu on narrow screens.
 * @csspart nav-list - The list of sections.
 * @csspart nav-link - A section link; the current one has `aria-current="page"`.
 * @csspart nav-hint - What a section is for, shown while its link is hovered or focused from the keyboard.
 * @csspart main - The section's content.
 * @csspart account-bar - The chosen account's select.
 * @csspart account-select - The account select itself.
 * @csspart view-title - The section's heading.
 * @csspart actions - Shortcuts under the account summary.
 * @csspart link - Links to other sections inside a section.
 * @csspart status - Loading status.
 * @csspart error - An error message.
 * @csspart retry - "Retry" under a section that could not be loaded.
 * @csspart notice - The text of "not found" and "account not linked".
 * @csspart welcome - The greeting and first steps on the home of a cabinet with no account linked yet.
 *
 * @cssproperty --gaskit-portal-nav-width - Width of the side menu on wide screens; default `15rem`.
 * @cssproperty --gaskit-portal-max-width - Widest the portal grows; default `80rem`.
 * @cssproperty --gaskit-color-primary - Links, the current section, buttons.
 * @cssproperty --gaskit-color-surface - Background of the header and content.
 * @cssproperty --gaskit-color-surface-alt - Background of the menu.
 * @cssproperty --gaskit-color-border - Dividers.
 */
export class GaskitPortal extends GaskitElement {
  static override namespaces = ['accounts', 'feedback', 'linking', 'payments', 'portal', 'readings', 'settings'] as const;
  static override dependencies = {
    'gaskit-login': GaskitLogin,
    'gaskit-overview': GaskitOverview,
  };
  static override styles = [baseStyles, buttonStyles, fieldStyles, styles];

  /** Path routing under this prefix (e.g. `/t/sever-gaz`); unset, the page's hash (`#/…`) holds the section. */
  @property({ attribute: 'base-path' }) basePath = '';

  @state() private session: Session = 'unknown';
  @state() private me?: Me;
  @state() private accounts?: LinkedAccount[];
  @state() private accountsError?: unknown;
  @state() private menuOpen = false;
  /** The home was first shown with no account linked: it welcomes the person and offers linking until they leave it. */
  @state() private welcome = false;
  /** The account unlinked last on this page: its sections then say so instead of "not linked". */
  @state() private unlinked?: { accountId: string; number: string };
  /** A section whose widget could not be loaded (the network), with why, until another section is shown. */
  @state() private sectionFailed?: { part: () => Promise<void>; error: unknown };
  /** Escape hid the section hints until the pointer or focus moves on. */
  @state() private hintsHidden = false;

  private readonly router = new PortalRouter(this, { onUserNavigation: () => (this.focusView = true) });
  private readonly config = new ClientTask(this, { task: (client) => client.getConfig() });
  private boundClient?: TenantClient;

  private get prefs() {
    return this.boundClient && preferencesOf(this.boundClient);
  }
  /** Clients for the realm's other suppliers whose accounts are linked, sharing this session. */
  private readonly supplierClients = new Map<string, TenantClient>();
  private stopSession?: () => void;
  private shownPath?: string;
  private focusView = false;

  constructor() {
    super();
    this.addEventListener('gaskit-signed-in', (event) => {
      const { me } = event.detail;
      if (me.status !== 'active' || me.mustChangePassword) return;
      this.enter(me);
      this.focusView = true;
      if (this.router.route.view === 'login' || this.router.route.view === 'register')
        this.router.navigate('/', { replace: true });
    });
    this.addEventListener('gaskit-signed-out', (event) => {
      if (event.composedPath()[0] === this) return;
      this.leave();
      this.router.navigate('/');
    });
    this.addEventListener('gaskit-profile-changed', (event) => {
      if (this.session === 'signed-in') this.me = event.detail.me;
    });
    this.addEventListener('gaskit-account-unlinked', (event) => (this.unlinked = event.detail));
    // What each account owes changes with these; the home shows it from the list.
    for (const name of [
      'gaskit-account-linked',
      'gaskit-account-unlinked',
      'gaskit-account-extended',
      'gaskit-payment-succeeded',
    ] as const) {
      this.addEventListener(name, () => void this.loadAccounts());
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.boundClient = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopSession?.();
    this.stopSession = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const client = this.resolvedClient;
    if (client !== this.boundClient) this.bind(client);
    this.redirect();
    if (this.router.path !== this.shownPath) {
      this.menuOpen = false;
      if (this.router.route.view !== 'home') this.welcome = false;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.focusView) {
      this.focusView = false;
      this.renderRoot.querySelector<HTMLElement>('[part="view-title"]')?.focus();
    }
    const { path } = this.router;
    if (path === this.shownPath) return;
    const first = this.shownPath === undefined;
    this.shownPath = path;
    this.sectionFailed = undefined;
    const { view, accountId = null } = this.router.route;
    if (!first) this.emit('gaskit-route-changed', { path, view, accountId });
  }

  private bind(client: TenantClient | undefined): void {
    this.stopSession?.();
    this.boundClient = client;
    this.supplierClients.clear();
    this.me = undefined;
    this.accounts = undefined;
    this.accountsError = undefined;
    this.stopSession = client?.events.on('session-changed', ({ signedIn }) => {
      if (!signedIn) this.leave();
    });
    this.session = client?.session.isSignedIn ? 'unknown' : 'signed-out';
    if (client?.session.isSignedIn) void this.resume(client);
  }

  /** A session kept from an earlier page: enter when it is still valid and complete. */
  private async resume(client: TenantClient): Promise<void> {
    try {
      const me = await meOf(client).get();
      if (client !== this.boundClient) return;
      if (me.status === 'active' && !me.mustChangePassword) this.enter(me);
      else this.session = 'signed-out';
    } catch {
      if (client === this.boundClient) this.session = 'signed-out';
    }
  }

  private enter(me: Me): void {
    this.me = me;
    this.session = 'signed-in';
    void this.loadAccounts();
  }

  private leave(): void {
    this.me = undefined;
    this.accounts = undefined;
    this.welcome = false;
    this.session = 'signed-out';
    this.supplierClients.clear();
  }

  private async loadAccounts(): Promise<void> {
    const client = this.boundClient;
    if (!client || this.session !== 'signed-in') return;
    this.accountsError = undefined;
    try {
      const accounts = await accountsOf(client).list();
      if (client === this.boundClient) this.accounts = accounts;
    } catch (error) {
      if (client === this.boundClient) this.accountsError = error;
    }
  }

  /** The account sections open with: the one in the address, else the remembered one, else the first. */
  private chosenAccount(): LinkedAccount | undefined {
    const accounts = this.accounts ?? [];
    const { accountId } = this.router.route;
    const remembered = this.prefs?.accountId;
    return (
      accounts.find((a) => a.id === accountId) ??
      accounts.find((a) => a.id === remembered) ??
      (accountId ? undefined : accounts[0])
    );
  }

  /** Addresses that only lead elsewhere: home once signed in, sign-in and registration when already in. */
  private redirect(): void {
    const { view, accountId } = this.router.route;
    if (this.session !== 'signed-in') return;
    if (view === 'login' || view === 'register') {
      this.router.navigate('/', { replace: true });
      return;
    }
    if (!this.accounts) return;
    if (view === 'home' && this.accounts.length === 0) this.welcome = true;
    if (accountId && this.accounts.some((a) => a.id === accountId)) this.prefs?.setAccountId(accountId);
  }

  /**
   * An account of another supplier of the realm is served by that supplier: its sections get a
   * client for it with this session (sessions hold across a realm). `undefined`: the portal's own.
   */
  private clientFor(account: LinkedAccount | undefined): TenantClient | undefined {
    const client = this.boundClient;
    if (!client || !account || account.supplier.slug === client.tenant) return undefined;
    let other = this.supplierClients.get(account.supplier.slug);
    if (!other) {
      other = createClient({ apiBase: client.apiBase, tenant: account.supplier.slug, locale: client.locale });
      this.supplierClients.set(account.supplier.slug, other);
    }
    if (other.locale !== client.locale) other.setLocale(client.locale);
    const token = client.session.token;
    if (token && other.session.token !== token) other.session.setToken(token);
    return other;
  }

  private go(route: Route): void {
    this.focusView = true;
    this.router.navigate(routePath(route));
  }

  private async signOut(): Promise<void> {
    // The SDK forgets the token even when the server cannot be told; the person is signed out here either way.
    await (this.boundClient && authOf(this.boundClient))?.signOut().catch(() => undefined);
    this.leave();
    this.emit('gaskit-signed-out', { reason: 'sign-out' });
    this.go({ view: 'home' });
  }

  private toggleVision(): void {
    const vision: VisionMode = this.lowVision ? 'standard' : 'low';
    this.prefs?.setVision(vision);
    if (this.vision) this.vision = vision;
    this.emit('gaskit-vision-changed', { vision });
  }

  /**
   * Shows the same section for the account picked. Focus stays on the select, so a keyboard user
   * stepping through the accounts with the arrow keys is not moved away.
   */
  private chooseAccount(event: Event): void {
    const accountId = (event.target as HTMLSelectElement).value;
    this.prefs?.setAccountId(accountId);
    const { view } = this.router.route;
    const keep = ACCOUNT_VIEWS.has(view) || (view === 'payments' && this.router.route.accountId);
    if (keep) this.router.navigate(routePath({ view, accountId }));
    else this.requestUpdate();
  }

  private focusMain(): void {
    this.renderRoot.querySelector<HTMLElement>('[part="view-title"]')?.focus();
  }

  private navItems(): NavItem[] {
    if (this.session !== 'signed-in') {
      return (['login', 'register', 'feedback'] as const).map((view) => ({ view, path: routePath({ view }) }));
    }
    const accountId = this.chosenAccount()?.id;
    const views: View[] = ['home', 'summary', 'charges', 'readings', 'pay', 'payments', 'accounts', 'settings', 'feedback'];
    return views.map((view) => ({ view, path: routePath({ view, accountId: ACCOUNT_VIEWS.has(view) ? accountId : undefined }) }));
  }

  /** What is on screen: sign-in in place of a section that needs it. */
  private shownView(): View {
    const { view } = this.router.route;
    if (this.session === 'signed-out' && !PUBLIC_VIEWS.has(view)) return 'login';
    return view;
  }

  /** The heading of a view; the home's is the welcome until an account is linked. */
  private viewTitle(view: View): string {
    if (view !== 'home') return this.localize.t(`portal:views.${view}`);
    return this.localize.t(this.welcome ? 'portal:welcome.title' : 'portal:home.title');
  }

  /** A menu item's name; the home's, "Главная", came after the other sections' names. */
  private navName(view: View): string {
    return this.localize.t(view === 'home' ? 'portal:home.nav' : `portal:nav.${view}`);
  }

  /**
   * Whether the section shows a widget with its own visible heading: the portal's heading then
   * stays for screen readers and focus only, so the page does not show the same title twice.
   */
  private widgetTitled(route: Route, chosen: LinkedAccount | undefined): boolean {
    const view = this.shownView();
    return !(view === 'not-found' || view === 'home' || (route.accountId && !chosen && this.accounts));
  }

  private logoUrl(config: TenantConfig): string | undefined {
    const { logoUrl } = config.tenant;
    if (!logoUrl || !this.boundClient) return undefined;
    try {
      return new URL(logoUrl, `${this.boundClient.apiBase}/`).href;
    } catch {
      return undefined;
    }
  }

  private renderHeader(config: TenantConfig): TemplateResult {
    const l = this.localize;
    const logo = this.logoUrl(config);
    const locales = config.locales;
    return html`<header part="header" class="header">
      <a part="brand" class="brand" href=${this.router.href('/')}>
        ${logo ? html`<img part="logo" class="logo" src=${logo} alt="" />` : nothing}
        <span class="names">
          <span part="tenant-name" class="tenant-name">${config.tenant.name}</span>
          <span class="app-name">${l.t('portal:title')}</span>
        </span>
      </a>
      <div part="tools" class="tools">
        <button part="vision-toggle" class="button vision-toggle" type="button" @click=${this.toggleVision}>
          ${l.t(this.lowVision ? 'portal:vision.standard' : 'portal:vision.low')}
        </button>
        ${
          locales.length > 1
            ? html`<label class="language">
                <span class="language-label">${l.t('common:language')}</span>
                <select
                  part="language"
                  class="input"
                  @input=${(e: Event) => this.boundClient?.setLocale((e.target as HTMLSelectElement).value)}
                >
                  ${locales.map((lng) => html`<option value=${lng} ?selected=${lng === l.locale}>${lng.toUpperCase()}</option>`)}
                </select>
              </label>`
            : nothing
        }
        ${
          this.session === 'signed-in' && this.me
            ? html`<span part="user" class="user">${l.t('portal:signedInAs', { login: this.me.fullName || this.me.login })}</span>
                <button part="sign-out" class="button" type="button" @click=${this.signOut}>${l.t('portal:signOut')}</button>`
            : nothing
        }
      </div>
    </header>`;
  }

  // A section's hint is a tooltip named by its text, which the lint rule cannot see.
  /* eslint-disable lit-a11y/accessible-name */
  private renderNav(): TemplateResult {
    const l = this.localize;
    const current = this.shownView();
    return html`<nav
      part="nav"
      class=${classMap({ nav: true, 'nav--quiet': this.hintsHidden })}
      aria-label=${l.t('portal:navLabel')}
      @keydown=${(e: KeyboardEvent) => (this.hintsHidden ||= e.key === 'Escape')}
      @focusin=${() => (this.hintsHidden &&= false)}
      @pointerover=${() => (this.hintsHidden &&= false)}
    >
      <button
        part="menu-button"
        class="button menu-button"
        type="button"
        aria-expanded=${this.menuOpen ? 'true' : 'false'}
        aria-controls="nav-list"
        @click=${() => (this.menuOpen = !this.menuOpen)}
      >
        ${l.t('portal:menu')}
      </button>
      <ul part="nav-list" class=${classMap({ 'nav-list': true, open: this.menuOpen })} id="nav-list">
        ${this.navItems().map((item) => {
          const hint = l.exists(`portal:hints.${item.view}`) ? l.t(`portal:hints.${item.view}`) : '';
          return html`<li class="nav-item">
            <a
              part="nav-link"
              class="nav-link"
              href=${this.router.href(item.path)}
              aria-current=${ifDefined(item.view === current ? 'page' : undefined)}
              aria-describedby=${ifDefined(hint ? `hint-${item.view}` : undefined)}
              >${this.navName(item.view)}</a
            >
            ${hint ? html`<span part="nav-hint" class="nav-hint" id=${`hint-${item.view}`} role="tooltip">${hint}</span>` : nothing}
          </li>`;
        })}
      </ul>
    </nav>`;
  }
  /* eslint-enable lit-a11y/accessible-name */

  private renderAccountBar(chosen: LinkedAccount | undefined): TemplateResult | typeof nothing {
    const accounts = this.accounts ?? [];
    if (this.session !== 'signed-in' || accounts.length === 0 || this.shownView() === 'home') return nothing;
    const l = this.localize;
    return html`<div part="account-bar" class="account-bar">
      <label for="account">${l.t('portal:account.label')}</label>
      <select part="account-select" class="input" id="account" @input=${this.chooseAccount}>
        ${accounts.map(
          (a) =>
            html`<option value=${a.id} ?selected=${a.id === chosen?.id}>
              ${l.t(a.address ? 'portal:account.optionWithAddress' : 'portal:account.option', { number: a.number, address: a.address })}
            </option>`,
        )}
      </select>
    </div>`;
  }

  private link(route: Route, key: string, primary = false): TemplateResult {
    return html`<a
      part="link"
      class=${classMap({ button: true, 'button--primary': primary })}
      href=${this.router.href(routePath(route))}
      >${this.localize.t(key)}</a
    >`;
  }

  /**
   * The first home of a new cabinet (seed 003): a greeting, what the cabinet is for, and the
   * linking form right here; once an account is linked, the way on to the home.
   */
  private renderWelcome(config: TenantConfig): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`portal:welcome.${key}`, params);
    const linked = (this.accounts ?? []).length > 0;
    return html`<section part="welcome" class="welcome">
        <p class="welcome-lead">${t('greeting', { supplier: config.tenant.name })}</p>
        <p>${t('about')}</p>
        <ol class="steps">
          <li>${t('stepLink')}</li>
          <li>${t('stepUse')}</li>
          <li>${t('stepMore', { count: config.accounts.maxAccounts })}</li>
        </ol>
        ${
          linked
            ? html`<button part="link" class="button button--primary" type="button" @click=${this.finishWelcome}>
                ${t('done')}
              </button>`
            : nothing
        }
      </section>
      <gaskit-link-account></gaskit-link-account>`;
  }

  private finishWelcome(): void {
    this.welcome = false;
    this.focusView = true;
  }

  private renderContent(route: Route, chosen: LinkedAccount | undefined, config: TenantConfig): unknown {
    const l = this.localize;
    const { view } = route;
    if (!PUBLIC_VIEWS.has(view) && this.session !== 'signed-in') {
      if (this.session === 'unknown') return html`<p part="status" class="status" role="status">${l.t('common:loading')}</p>`;
      return html`<gaskit-login register-url=${this.router.href('/register')}></gaskit-login>`;
    }
    if (!PUBLIC_VIEWS.has(view) && !this.accounts) {
      if (this.accountsError) return renderError(l, this.accountsError);
      return html`<p part="status" class="status" role="status">${l.t('common:loading')}</p>`;
    }
    if (route.accountId && !chosen) {
      const unlinked = this.unlinked?.accountId === route.accountId ? this.unlinked.number : '';
      return html`${
        unlinked
          ? html`<p part="notice" class="notice" role="status">${l.t('accounts:account.unlinked', { number: unlinked })}</p>`
          : html`<p part="notice" class="notice">${l.t('portal:account.missing')}</p>`
      }
      ${this.link({ view: 'accounts' }, 'portal:account.toAccounts')}`;
    }
    const part = SECTIONS[view === 'home' && this.welcome ? 'welcome' : view];
    if (part) {
      if (this.sectionFailed?.part === part) {
        // "Retry" renders the section again, which loads its chunk again.
        return html`${renderError(l, this.sectionFailed.error)}
          <button part="retry" class="button" type="button" @click=${() => (this.sectionFailed = undefined)}>
            ${l.t('common:retry')}
          </button>`;
      }
      part().catch((error: unknown) => (this.sectionFailed = { part, error }));
    }
    const id = chosen?.id ?? '';
    const client = this.clientFor(chosen);
    switch (view) {
      case 'home':
        return this.welcome
          ? this.renderWelcome(config)
          : html`<gaskit-overview
              .accounts=${this.accounts ?? []}
              .href=${(to: Route) => this.router.href(routePath(to))}
              .clientFor=${(account: LinkedAccount) => this.clientFor(account)}
            ></gaskit-overview>`;
      case 'login':
        return html`<gaskit-login register-url=${this.router.href('/register')}></gaskit-login>`;
      case 'register':
        return html`<gaskit-register login-url=${this.router.href('/login')}></gaskit-register>`;
      case 'accounts':
        return html`<gaskit-link-account></gaskit-link-account>`;
      case 'summary':
        return html`<gaskit-account account-id=${id} .client=${client}></gaskit-account>
          <div part="actions" class="actions">
            ${this.link({ view: 'pay' }, 'portal:account.payOnline', true)}
            ${this.link({ view: 'readings', accountId: id }, 'portal:account.sendReadings')}
            ${this.link({ view: 'charges', accountId: id }, 'portal:account.showCharges')}
            ${this.link({ view: 'payments', accountId: id }, 'portal:account.showPayments')}
          </div>`;
      case 'charges':
        return html`<gaskit-charges account-id=${id} .client=${client}></gaskit-charges>`;
      case 'readings':
        return html`<gaskit-readings account-id=${id} .client=${client}></gaskit-readings>`;
      case 'pay':
        return html`<gaskit-pay></gaskit-pay>`;
      case 'payments':
        return html`<gaskit-payment-history
          account-id=${ifDefined(route.accountId)}
          .client=${route.accountId ? client : undefined}
        ></gaskit-payment-history>`;
      case 'settings':
        return html`<gaskit-settings></gaskit-settings>
          <section class="settings-accounts">
            <h2>${l.t('portal:settings.accountsTitle')}</h2>
            <p>${l.t('portal:settings.accountsText')}</p>
            ${this.link({ view: 'accounts' }, 'portal:settings.accountsLink')}
          </section>`;
      case 'feedback':
        return html`<gaskit-feedback></gaskit-feedback>`;
      case 'not-found':
        return html`<p part="notice" class="notice">${l.t('portal:notFound.text')}</p>
          ${this.link({ view: 'home' }, 'portal:notFound.home')}`;
    }
  }

  private renderPortal(config: TenantConfig): TemplateResult {
    const l = this.localize;
    const route = this.router.route;
    const chosen = this.chosenAccount();
    const title = this.shownView();
    return html`<div part="base" class=${classMap({ portal: true, 'portal--low-vision': this.lowVision })}>
      <button part="skip-link" class="skip-link" type="button" @click=${this.focusMain}>${l.t('portal:skipToContent')}</button>
      ${this.renderHeader(config)}
      <div class="layout">
        ${this.renderNav()}
        <main part="main" class="main">
          ${this.renderAccountBar(chosen)}
          <h1
            part="view-title"
            class=${classMap({ 'view-title': true, 'visually-hidden': this.widgetTitled(route, chosen) })}
            tabindex="-1"
          >
            ${this.viewTitle(title)}
          </h1>
          ${this.renderContent(route, chosen, config)}
        </main>
      </div>
    </div>`;
  }

  protected override render(): unknown {
    return this.config.render({ complete: (config) => this.renderPortal(config) });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-portal': GaskitPortal;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-route-changed': CustomEvent<{ path: string; view: View; accountId: string | null }>;
    'gaskit-vision-changed': CustomEvent<{ vision: VisionMode }>;
  }
}
