import { accountsOf } from '../../sdk/accounts.ts';
import { html } from 'lit';
import { property, state } from 'lit/decorators.js';
import { GaskitElement } from './gaskit-element.ts';
import { baseStyles, buttonStyles } from './styles.ts';
import { SubmitController } from './submit.ts';
import { ClientTask } from './task.ts';
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
  static override namespaces = ['accounts'] as const;
  static override styles = [baseStyles, buttonStyles, styles];

  @property({ attribute: 'account-id' }) accountId = '';

  /** The account number, for the button's name and the question. */
  @property() number = '';

  @state() private confirming = false;

  private readonly submitter = new SubmitController(this);

  private readonly unlinkTask = new ClientTask(this, {
    task: (client, [id]: readonly [string], signal) => accountsOf(client).unlink(id, { signal }),
    autoRun: false,
  });

  private ask(confirming: boolean): void {
    this.confirming = confirming;
    this.submitter.clear();
    this.submitter.focusAfterRender(confirming ? '.button--danger' : '.unlink');
  }

  /** A refusal shows under the button, back on "Unlink". */
  private unlink(): void {
    void this.submitter
      .run(async () => {
        await this.unlinkTask.run(this.accountId);
        this.emit('gaskit-account-unlinked', { accountId: this.accountId, number: this.number });
      })
      .then((unlinked) => {
        this.confirming = false;
        if (!unlinked) this.submitter.focusAfterRender('.unlink');
      });
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
              ?disabled=${this.submitter.busy}
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
    return html`${action} ${this.submitter.renderError()}`;
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
