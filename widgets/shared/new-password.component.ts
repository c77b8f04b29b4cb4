import { html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { passwordRules, required, rule, sameAs, type PasswordPolicy } from '../../sdk/index.ts';
import { showPasswordToggle } from './auth-parts.ts';
import { errorText } from './errors.ts';
import type { LocalizeController } from './localize.ts';
import type { GaskitTextField } from './text-field.component.ts';

/**
 * A new password, its repeat and "show password", checked by the supplier's password policy (the
 * rule shown as the first field's help) and, when given, the current password before them, shown
 * and hidden with them. Renders its `gaskit-text-field`s (`password`, `passwordRepeat`,
 * `currentPassword`) into the form that holds it, so they take part in that form and its widget's
 * submit controller finds them; texts come from the widget's `localize`, re-read on each of its
 * renders. The widget defines `gaskit-text-field`.
 *
 * @tagname gaskit-new-password
 */
export class GaskitNewPassword extends LitElement {
  static define(tag: string): void {
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  /** The widget's texts; every render of the widget renders this part again. */
  @property({ attribute: false, hasChanged: () => true }) localize?: LocalizeController;
  /** The supplier's password policy. */
  @property({ attribute: false }) policy?: PasswordPolicy;
  /** The login the password may not contain. */
  @property() login = '';
  /** The first field's label key; "New password" unless given. */
  @property() label = 'password:new';
  /** The label key of a current-password field before the new one; none unless given. */
  @property() current = '';

  @state() private shown = false;
  @state() private password = '';

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override render(): unknown {
    const l = this.localize;
    const policy = this.policy;
    if (!l || !policy) return nothing;
    const type = this.shown ? 'text' : 'password';
    return html`
      ${
        this.current
          ? html`<gaskit-text-field
              name="currentPassword"
              required
              .label=${l.t(this.current)}
              .type=${type}
              autocomplete="current-password"
              .rules=${[rule(required)]}
            ></gaskit-text-field>`
          : nothing
      }
      <gaskit-text-field
        name="password"
        required
        .label=${l.t(this.label)}
        .type=${type}
        autocomplete="new-password"
        .help=${errorText(l, `password_${policy.ruleKey}`, { min: policy.minLength, max: policy.maxLength })}
        .rules=${passwordRules(policy, this.login)}
        @input=${(e: Event) => (this.password = (e.target as GaskitTextField).value)}
      ></gaskit-text-field>
      <gaskit-text-field
        name="passwordRepeat"
        required
        .label=${l.t('password:repeat')}
        .type=${type}
        autocomplete="new-password"
        .rules=${[rule(sameAs, { other: this.password })]}
      ></gaskit-text-field>
      ${showPasswordToggle(l, this.shown, (checked) => (this.shown = checked))}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-new-password': GaskitNewPassword;
  }
}
