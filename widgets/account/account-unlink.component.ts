import { accountsOf } from '../../sdk/accounts.ts';
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { gaskitErrorText } from '../shared/errors.ts';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { baseStyles, buttonStyles } from '../shared/styles.ts';
import { ClientTask } from '../shared/task.ts';
import styles from './account-unlink.styles.ts';

/**
 * "Unlink" (seed 004) for one linked account, asking first. The server keeps the cabinet's last
 * account; its refusal is shown here. Used by `gaskit-account` and the list of `gaskit-link-account`.
 *
 * @tagname gaskit-account-unlink
 *
 * @event gaskit-account-unlinked - The account was unlinked from the cabinet. `detail: { accountId, number }`.
 *
 * @csspart button - "Unlink" and the confirmation's buttons.
 * @csspart confirm - The confirmation question with its buttons.
 * @csspart error - Why unlinking was refused.
 *
 * @cssproperty --gaskit-color-danger - The confirming button.
 */
export class GaskitAccountUnlink extends GaskitElement {
  static override styles = [baseStyles, buttonStyles, styles];

  @property({ attribute: 'account-id' }) accountId = '';

  /** The account number, for the button's name and the question. */
  @property() number = '';

  @state() private confirming = false;
  @state() private error = '';

  private focusAfterRender: string | null = null;

  private readonly unlinkTask = new ClientTask(this, {
    task: (client, [id]: readonly [string], signal) => accountsOf(client).unlink(id, { signal }),
    autoRun: false,
  });

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (!this.focusAfterRender) return;
    this.renderRoot.querySelector<HTMLElement>(this.focusAfterRender)?.focus();
    this.focusAfterRender = null;
  }

  private ask(confirming: boolean): void {
    this.confirming = confirming;
    this.error = '';
    this.focusAfterRender = confirming ? '.button--danger' : '.unlink';
  }

  private async unlink(): Promise<void> {
    this.error = '';
    try {
      await this.unlinkTask.run(this.accountId);
    } catch (error) {
      this.error = gaskitErrorText(this.localize, error);
      this.confirming = false;
      this.focusAfterRender = '.unlink';
      return;
    }
    this.confirming = false;
    this.emit('gaskit-account-unlinked', { accountId: this.accountId, number: this.number });
  }

  protected override render(): unknown {
    const t = (key: string) => this.localize.t(`accounts:unlink.${key}`, { number: this.number });
    const action = this.confirming
      ? html`<div part="confirm" class="confirm" role="group" aria-labelledby="question">
          <p id="question">${t('question')}</p>
          <div class="actions">
            <button
              part="button"
              class="button button--danger"
              type="button"
              ?disabled=${this.unlinkTask.pending}
              @click=${this.unlink}
            >
              ${t('confirm')}
            </button>
            <button part="button" class="button" type="button" @click=${() => this.ask(false)}>
              ${this.localize.t('common:cancel')}
            </button>
          </div>
        </div>`
      : html`<button part="button" class="button unlink" type="button" aria-label=${t('label')} @click=${() => this.ask(true)}>
          ${t('button')}
        </button>`;
    return html`${action}
      <p part="error" class="error" role="alert">${this.error || nothing}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-account-unlink': GaskitAccountUnlink;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-account-unlinked': CustomEvent<{ accountId: string; number: string }>;
  }
}
