import { accountsOf } from '../../sdk/accounts.ts';
import { html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { accountPin, isGaskitError, rule, type LinkedAccount } from '../../sdk/index.ts';
import { gaskitErrorText } from '../shared/errors.ts';
import { FormController } from '../shared/form.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { lazyPart } from '../shared/lazy.ts';
import { baseStyles, buttonStyles, fieldStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import type { GaskitTextField } from '../shared/text-field.component.ts';
import styles from './account-pin.styles.ts';

/** Errors that say "wait", whose server text carries seconds the client is not told. */
const LOCKED = 'pin_locked';

/** The PIN field's element, loaded when the form first opens: most views of an account never open it. */
const loadField = lazyPart('The PIN form', () =>
  import('../shared/text-field.component.ts').then(({ GaskitTextField }) => GaskitTextField.define('gaskit-text-field')),
);

/**
 * "I have a PIN" (seed 001): the PIN printed on the bill switches an account linked by number
 * alone to the extended mode. A link-styled button opens the form; wrong PINs are refused on
 * the field, and after too many the server locks entry for a while. Used by `gaskit-account`
 * and `gaskit-charges`.
 *
 * @tagname gaskit-account-pin
 *
 * @event gaskit-account-extended - The PIN was accepted; the account is in extended mode. `detail: { account }`.
 *
 * @csspart open-button - "I have a PIN".
 * @csspart form - The PIN form.
 * @csspart button - The form's buttons.
 * @csspart error - An error message: the form's, or why the form could not open.
 *
 * @cssproperty --gaskit-color-primary - The "I have a PIN" link and the submit button.
 */
export class GaskitAccountPin extends GaskitElement {
  static override styles = [baseStyles, buttonStyles, fieldStyles, styles];

  /** The linked account the PIN is for. */
  @property({ attribute: 'account-id' }) accountId = '';

  /** Whether the PIN form is shown. */
  @property({ type: Boolean, reflect: true }) open = false;

  @state() private pin = '';
  @state() private formError = '';

  private readonly form = new FormController(this);
  private focusAfterRender: 'field' | 'open-button' | null = null;

  private readonly submitTask = new ClientTask(this, {
    task: (client, [id, pin]: readonly [string, string], signal) => accountsOf(client).enterPin(id, pin, { signal }),
    autoRun: false,
  });

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const target = this.focusAfterRender;
    if (!target) return;
    this.focusAfterRender = null;
    if (target === 'open-button') this.renderRoot.querySelector<HTMLElement>('[part="open-button"]')?.focus();
    else {
      // The field renders its input after this element: focus it once it has.
      const field = this.form.fields[0];
      void field?.updateComplete.then(() => field.focus());
    }
  }

  private async show(open: boolean): Promise<void> {
    this.formError = '';
    if (open) {
      try {
        await loadField();
      } catch (error) {
        this.formError = gaskitErrorText(this.localize, error);
        return;
      }
    }
    this.open = open;
    this.pin = '';
    this.focusAfterRender = open ? 'field' : 'open-button';
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.formError = '';
    if (!this.form.validate()) return;
    let account: LinkedAccount;
    try {
      account = await this.submitTask.run(this.accountId, this.pin);
    } catch (error) {
      if (this.form.showServerErrors(error)) return;
      const code = isGaskitError(error) ? error.code : 'unknown';
      this.formError = code === LOCKED ? this.localize.t('accounts:pin.locked') : gaskitErrorText(this.localize, error);
      return;
    }
    this.open = false;
    this.pin = '';
    this.emit('gaskit-account-extended', { account });
  }

  protected override render(): unknown {
    const t = (key: string) => this.localize.t(`accounts:pin.${key}`);
    if (!this.open) {
      return html`<button part="open-button" class="link-button" type="button" @click=${() => this.show(true)}>
          ${t('open')}
        </button>
        <p part="error" class="error" role="alert">${this.formError}</p>`;
    }
    return html`<form part="form" class="form" novalidate @submit=${this.submit}>
      <gaskit-text-field
        name="pin"
        label=${t('label')}
        help=${t('help')}
        inputmode="numeric"
        autocomplete="off"
        required
        .value=${this.pin}
        .rules=${[rule(accountPin)]}
        @input=${(e: Event) => (this.pin = (e.target as GaskitTextField).value)}
      ></gaskit-text-field>
      <p part="error" class="error" role="alert">${this.formError}</p>
      <div class="actions">
        <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitTask.pending}>
          ${t('submit')}
        </button>
        <button part="button" class="button" type="button" @click=${() => this.show(false)}>
          ${this.localize.t('common:cancel')}
        </button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-account-pin': GaskitAccountPin;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-account-extended': CustomEvent<{ account: LinkedAccount }>;
  }
}
