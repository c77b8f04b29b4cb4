import { accountsOf } from '../../sdk/accounts.ts';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import {
  accountNumber,
  createIdempotencyKey,
  isGaskitError,
  rule,
  type AccountCheck,
  type AccountRef,
  type LinkedAccount,
  type SupplierRef,
  type TenantConfig,
} from '../../sdk/index.ts';
import { GaskitAccountUnlink } from '../shared/account-unlink.component.ts';
import { GaskitHint } from '../hint/hint.component.ts';
import { errorText } from '../shared/errors.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { baseStyles, buttonStyles, fieldStyles, titleStyles } from '../shared/styles.ts';
import { SubmitController } from '../shared/submit.ts';
import { ClientTask } from '../shared/task.ts';
import { GaskitTextField } from '../shared/text-field.component.ts';
import styles from './link-account.styles.ts';

/** Refusals about the number itself, shown on the number field. */
const NUMBER_CODES = new Set(['account_number_format', 'account_not_found', 'account_already_linked']);

/**
 * Linking personal accounts to the cabinet (seeds 000–004, "Подключение ЛС"): choose the
 * supplier (the realm's suppliers, this site's own preselected), enter the account number from
 * the bill (a "?" hint shows where it is printed), "Check" shows the masked contract details,
 * "Link" links it. Below, the accounts already linked, each with "Unlink" while more than one
 * is linked. At the cabinet's limit the form gives way to a note.
 *
 * @event gaskit-account-linked - An account was linked. `detail: { account }`.
 * @event gaskit-account-unlinked - An account of the list was unlinked. `detail: { accountId, number }`.
 *
 * @csspart title - The heading.
 * @csspart intro - The explanation under the heading.
 * @csspart form - The supplier and number form.
 * @csspart supplier - The supplier select (or the supplier's name when there is only one).
 * @csspart check - The masked contract details with "Link".
 * @csspart button - Every button.
 * @csspart success - "Account No. … linked".
 * @csspart unlinked - "Account No. … unlinked", above the list.
 * @csspart limit - The note shown at the cabinet's limit.
 * @csspart accounts - The list of linked accounts.
 * @csspart account - One linked account.
 * @csspart count - "N of M linked".
 * @csspart status - Loading status.
 * @csspart error - An error message.
 *
 * @cssproperty --gaskit-color-primary - Buttons.
 * @cssproperty --gaskit-color-success - The "linked" message.
 * @cssproperty --gaskit-color-border - Dividers between accounts.
 */
export class GaskitLinkAccount extends GaskitElement {
  static override namespaces = ['accounts', 'linking'] as const;
  static override dependencies = {
    'gaskit-text-field': GaskitTextField,
    'gaskit-hint': GaskitHint,
    'gaskit-account-unlink': GaskitAccountUnlink,
  };
  static override styles = [baseStyles, buttonStyles, fieldStyles, titleStyles, styles];

  /** The chosen supplier's slug; empty until chosen or preselected. */
  @state() private supplier = '';
  @state() private number = '';
  /** The supplier select's error text. */
  @state() private supplierError = '';
  /** The checked account, shown for confirmation. */
  @state() private checked?: AccountCheck;
  /** The account linked last, for the success message. */
  @state() private linked?: LinkedAccount;
  /** The number of the account unlinked last from the list, for the confirmation. */
  @state() private unlinked = '';

  /** A refusal of the supplier shows on its select, one of the number (by its code) on the number field. */
  private readonly submitter = new SubmitController(this, {
    onError: (error) => {
      if (error.fields.supplier) {
        this.supplierError = errorText(this.localize, error.fields.supplier);
        this.focusAfterRender = '#supplier';
        return true;
      }
      const field = this.numberField();
      if (!NUMBER_CODES.has(error.code) || !field || Object.keys(error.fields).length > 0) return false;
      field.error = error.code;
      field.focus();
      return true;
    },
    params: () => ({ max: this.config.value?.accounts.maxAccounts }),
  });
  private idempotencyKey = '';
  private focusAfterRender: string | null = null;

  private readonly config = new ClientTask(this, { task: (client) => client.getConfig() });
  private readonly accounts = new ClientTask(this, {
    task: (client, _args, signal) => accountsOf(client).list({ signal }),
    session: true,
  });
  private readonly checkTask = new ClientTask(this, {
    task: (client, [ref]: readonly [AccountRef], signal) => accountsOf(client).check(ref, { signal }),
    autoRun: false,
  });
  private readonly linkTask = new ClientTask(this, {
    task: (client, [ref, key]: readonly [AccountRef, string], signal) => accountsOf(client).link(ref, key, { signal }),
    autoRun: false,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('gaskit-account-unlinked', this.onUnlinked);
    document.addEventListener('gaskit-account-extended', this.reload);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('gaskit-account-unlinked', this.onUnlinked);
    document.removeEventListener('gaskit-account-extended', this.reload);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (!this.focusAfterRender) return;
    const target = this.renderRoot.querySelector<HTMLElement>(this.focusAfterRender);
    this.focusAfterRender = null;
    // A text field renders its input after this element: focus it once it has.
    if (target instanceof GaskitTextField) void target.updateComplete.then(() => target.focus());
    else target?.focus();
  }

  /** A failed reload shows its error in place of the list. */
  private readonly reload = (): void => {
    this.accounts.run().catch(() => undefined);
  };

  /** An account was unlinked, here or in another widget of the page: say so above the list. */
  private readonly onUnlinked = (event: GlobalEventHandlersEventMap['gaskit-account-unlinked']): void => {
    this.unlinked = event.detail.number;
    this.linked = undefined;
    if (event.composedPath().includes(this)) this.focusAfterRender = '[part="unlinked"]';
    this.reload();
  };

  /** The realm's suppliers; a tenant alone in its realm is its own only supplier. */
  private suppliers(config: TenantConfig): SupplierRef[] {
    return config.suppliers.length > 0 ? config.suppliers : [{ slug: config.tenant.slug, name: config.tenant.name }];
  }

  /** The supplier in effect: the one chosen, else this site's own when it is one of the realm's. */
  private chosenSupplier(config: TenantConfig): string {
    const suppliers = this.suppliers(config);
    if (this.supplier && suppliers.some((s) => s.slug === this.supplier)) return this.supplier;
    if (suppliers.length === 1) return suppliers[0]!.slug;
    return suppliers.some((s) => s.slug === config.tenant.slug) ? config.tenant.slug : '';
  }

  private numberField(): GaskitTextField | undefined {
    return this.submitter.fields.find((field) => field.name === 'number');
  }

  private ref(config: TenantConfig): AccountRef {
    return { supplier: this.chosenSupplier(config), number: this.number.trim() };
  }

  private check(event: SubmitEvent, config: TenantConfig): void {
    event.preventDefault();
    this.submitter.clear();
    this.linked = undefined;
    const supplierMissing = this.chosenSupplier(config) === '';
    this.supplierError = supplierMissing ? this.localize.t('linking:chooseSupplier') : '';
    if (!this.submitter.validate() || supplierMissing) {
      if (supplierMissing) this.focusAfterRender = '#supplier';
      return;
    }
    void this.submitter.run(async () => {
      this.checked = await this.checkTask.run(this.ref(config));
      this.idempotencyKey = createIdempotencyKey();
      this.focusAfterRender = '#check-title';
    });
  }

  /**
   * Links the checked account. A refusal of a field or the number goes back to the form, on that
   * field; any other stays on the details, where "Link" again retries with the same idempotency key.
   */
  private link(config: TenantConfig): void {
    void this.submitter.run(async () => {
      let account: LinkedAccount;
      try {
        account = await this.linkTask.run(this.ref(config), this.idempotencyKey);
      } catch (error) {
        if (isGaskitError(error) && (Object.keys(error.fields).length > 0 || NUMBER_CODES.has(error.code))) {
          this.checked = undefined;
          await this.updateComplete;
        }
        throw error;
      }
      this.checked = undefined;
      this.number = '';
      this.linked = account;
      this.focusAfterRender = '[part="success"]';
      this.emit('gaskit-account-linked', { account });
      this.reload();
    });
  }

  private edit(): void {
    this.checked = undefined;
    this.focusAfterRender = 'gaskit-text-field[name="number"]';
  }

  private renderSupplier(config: TenantConfig): TemplateResult {
    const t = (key: string) => this.localize.t(`linking:${key}`);
    const suppliers = this.suppliers(config);
    const chosen = this.chosenSupplier(config);
    if (suppliers.length === 1) {
      return html`<p part="supplier" class="supplier-name">${t('supplier')}: <strong>${suppliers[0]!.name}</strong></p>`;
    }
    return html`<div class="field">
      <label class="label" for="supplier">${t('supplier')}<span class="required" aria-hidden="true"> *</span></label>
      <select
        part="supplier"
        class="input"
        id="supplier"
        required
        aria-invalid=${this.supplierError ? 'true' : 'false'}
        aria-describedby="supplier-error"
        .value=${live(chosen)}
        @input=${(e: Event) => {
          this.supplier = (e.target as HTMLSelectElement).value;
          this.supplierError = '';
        }}
      >
        ${chosen ? nothing : html`<option value="">${t('chooseSupplier')}</option>`}
        ${suppliers.map((s) => html`<option value=${s.slug} ?selected=${s.slug === chosen}>${s.name}</option>`)}
      </select>
      <p part="error" class="error" id="supplier-error" aria-live="polite">${this.supplierError}</p>
    </div>`;
  }

  private renderForm(config: TenantConfig): TemplateResult {
    const t = (key: string) => this.localize.t(`linking:${key}`);
    // The number rule is known for this site's own supplier; for the realm's others the server checks it.
    const rules =
      this.chosenSupplier(config) === config.tenant.slug ? [rule(accountNumber, { pattern: config.accounts.numberPattern })] : [];
    return html`<form part="form" class="form" novalidate @submit=${(e: SubmitEvent) => this.check(e, config)}>
      ${this.renderSupplier(config)}
      <gaskit-text-field
        name="number"
        label=${t('number')}
        help=${t('numberHelp')}
        inputmode="numeric"
        autocomplete="off"
        required
        .value=${this.number}
        .rules=${rules}
        @input=${(e: Event) => (this.number = (e.target as GaskitTextField).value)}
      >
        <gaskit-hint slot="hint" text=${t('numberHint')}></gaskit-hint>
      </gaskit-text-field>
      ${this.submitter.renderError()}
      <div class="actions">
        <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>${t('check')}</button>
      </div>
    </form>`;
  }

  private renderCheck(config: TenantConfig, checked: AccountCheck): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`linking:${key}`, params);
    return html`<section part="check" class="check" aria-labelledby="check-title">
      <h3 id="check-title" tabindex="-1">${t('checkTitle')}</h3>
      <dl>
        <div class="row">
          <dt>${t('supplier')}</dt>
          <dd>${checked.supplier.name}</dd>
        </div>
        <div class="row">
          <dt>${t('number')}</dt>
          <dd>${checked.number}</dd>
        </div>
        <div class="row">
          <dt>${t('address')}</dt>
          <dd>${checked.address || t('notGiven')}</dd>
        </div>
        <div class="row">
          <dt>${t('holder')}</dt>
          <dd>${checked.holder || t('notGiven')}</dd>
        </div>
      </dl>
      ${checked.alreadyLinked ? html`<p class="note">${t('alreadyLinked')}</p>` : nothing} ${this.submitter.renderError()}
      <div class="actions">
        ${
          checked.alreadyLinked
            ? nothing
            : html`<button
                part="button"
                class="button button--primary"
                type="button"
                ?disabled=${this.submitter.busy}
                @click=${() => this.link(config)}
              >
                ${t('link')}
              </button>`
        }
        <button part="button" class="button" type="button" @click=${this.edit}>${t('edit')}</button>
      </div>
    </section>`;
  }

  private unlinkedText(): string {
    return this.unlinked ? this.localize.t('accounts:account.unlinked', { number: this.unlinked }) : '';
  }

  private renderAccounts(config: TenantConfig, accounts: LinkedAccount[]): TemplateResult {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`linking:${key}`, params);
    const max = config.accounts.maxAccounts;
    return html`<section class="current" aria-labelledby="current-title">
      <h3 id="current-title">${t('currentTitle')}</h3>
      <p part="unlinked" class="unlinked" role="status" tabindex="-1">${this.unlinkedText()}</p>
      <p part="count" class="muted">${t('count', { count: accounts.length, max })}</p>
      ${
        accounts.length === 0
          ? html`<p>${t('empty')}</p>`
          : html`<ul part="accounts" class="accounts">
              ${accounts.map(
                (a) =>
                  html`<li part="account" class="account">
                    <div>
                      <strong>${t('accountNumber', { number: a.number })}</strong>
                      <span class="muted">${a.supplier.name} · ${this.localize.t(`accounts:mode.${a.mode}`)}</span>
                      ${a.address ? html`<span>${a.address}</span>` : nothing}
                    </div>
                    ${
                      accounts.length > 1
                        ? html`<gaskit-account-unlink account-id=${a.id} number=${a.number}></gaskit-account-unlink>`
                        : html`<p class="muted">${t('lastOne')}</p>`
                    }
                  </li>`,
              )}
            </ul>`
      }
    </section>`;
  }

  private renderBody(config: TenantConfig, accounts: LinkedAccount[]): TemplateResult {
    const max = config.accounts.maxAccounts;
    const full = accounts.length >= max && !this.checked;
    return html`
      ${
        full
          ? html`<p part="limit" class="note">${this.localize.t('linking:limitReached', { max })}</p>`
          : this.checked
            ? this.renderCheck(config, this.checked)
            : this.renderForm(config)
      }
      ${this.renderAccounts(config, accounts)}
    `;
  }

  private renderLoading(): TemplateResult {
    return html`<p part="status" class="status" role="status">${this.localize.t('common:loading')}</p>`;
  }

  protected override render(): unknown {
    const t = (key: string, params?: Record<string, unknown>) => this.localize.t(`linking:${key}`, params);
    return html`<section class="base" aria-labelledby="title">
      <h2 part="title" class="title" id="title">${t('title')}</h2>
      <p part="intro">${t('intro')}</p>
      ${
        this.linked
          ? html`<p part="success" class="success" role="status" tabindex="-1">${t('linked', { number: this.linked.number })}</p>`
          : nothing
      }
      ${this.config.render({
        complete: (config) =>
          this.accounts.render({
            complete: (accounts) => this.renderBody(config, accounts),
            // A reload keeps the list on screen until the new one arrives.
            pending: () => (this.accounts.value ? this.renderBody(config, this.accounts.value) : this.renderLoading()),
          }),
      })}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-link-account': GaskitLinkAccount;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-account-linked': CustomEvent<{ account: LinkedAccount }>;
  }
}
