import { accountsOf } from '../../sdk/accounts.ts';
import { html } from 'lit';
import { property, state } from 'lit/decorators.js';
import { accountPin, rule, type LinkedAccount } from '../../sdk/index.ts';
import { GaskitElement } from './gaskit-element.ts';
import { lazyPart } from './lazy.ts';
import { baseStyles, buttonStyles, fieldStyles } from './styles.ts';
import { SubmitController } from './submit.ts';
import { ClientTask } from './task.ts';
import type { GaskitTextField } from './text-field.component.ts';
import styles from './account-pin.styles.ts';

/** Errors that say "wait", whose server text carries seconds the client is not told. */
const LOCKED = 'pin_locked';

/** The PIN field's element, loaded when the form first opens: most views of an account never open it. */
const loadField = lazyPart('The PIN form', () =>
  import('./text-field.component.ts').then(({ GaskitTextField }) => GaskitTextField.define('gaskit-text-field')),
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
  static override namespaces = ['pin'] as const;
  static override styles = [baseStyles, buttonStyles, fieldStyles, styles];

  /** The linked account the PIN is for. */
  @property({ attribute: 'account-id' }) accountId = '';

  /** Whether the PIN form is shown. */
  @property({ type: Boolean, reflect: true }) open = false;

  @state() private pin = '';
  /** A locked PIN is said in the PIN's own words. */
  private readonly submitter = new SubmitController(this, {
    texts: (code) => (code === LOCKED ? 'pin:locked' : undefined),
  });

  private readonly submitTask = new ClientTask(this, {
    task: (client, [id, pin]: readonly [string, string], signal) => accountsOf(client).enterPin(id, pin, { signal }),
    autoRun: false,
  });

  private show(open: boolean): void {
    void this.submitter.run(async () => {
      if (open) await loadField();
      this.open = open;
      this.pin = '';
      this.submitter.focusAfterRender(open ? 'gaskit-text-field' : '[part="open-button"]');
    });
  }

  private submit(event: SubmitEvent): void {
    void this.submitter.submit(event, async () => {
      const account = await this.submitTask.run(this.accountId, this.pin);
      this.open = false;
      this.pin = '';
      this.emit('gaskit-account-extended', { account });
    });
  }

  protected override render(): unknown {
    const t = (key: string) => this.localize.t(`pin:${key}`);
    if (!this.open) {
      return html`<button part="open-button" class="link-button" type="button" @click=${() => this.show(true)}>
          ${t('open')}
        </button>
        ${this.submitter.renderError()}`;
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
      ${this.submitter.renderError()}
      <div class="actions">
        <button part="button" class="button button--primary" type="submit" ?disabled=${this.submitter.busy}>
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
