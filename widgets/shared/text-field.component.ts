import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import { required, rule, validate, type Rule, type ValidationFailure } from '../../contracts/rules/validators.ts';
import { errorText } from './errors.ts';
import { GaskitElement } from './gaskit-element.ts';
import { baseStyles, fieldStyles } from './styles.ts';
import styles from './text-field.styles.ts';

/**
 * A labelled text input that takes part in its form (form-associated) and
 * validates with the shared validators. Errors show once the user has typed
 * and left the field, or when the form is checked, are linked with `aria-describedby`, set
 * `aria-invalid` and are announced. Enter submits the enclosing form.
 *
 * @tagname gaskit-text-field
 *
 * @slot hint - Next to the label, e.g. a `gaskit-hint`.
 *
 * @csspart label - The `<label>`.
 * @csspart input - The `<input>`.
 * @csspart help - The help text.
 * @csspart error - The error message (a live region, empty when valid).
 *
 * @cssproperty --gaskit-color-border - Input border.
 * @cssproperty --gaskit-color-danger - Error text and invalid border.
 * @cssproperty --gaskit-color-focus - Focus ring.
 * @cssproperty --gaskit-radius - Input corners.
 */
export class GaskitTextField extends GaskitElement {
  static formAssociated = true;
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [baseStyles, fieldStyles, styles];

  /** Visible label text. */
  @property() label = '';
  @property() name = '';
  @property() value = '';
  @property() type: 'text' | 'email' | 'tel' | 'password' = 'text';
  @property() autocomplete?: AutoFill;
  @property() inputmode?: string;
  /** Help text shown under the input and read with it. */
  @property() help = '';
  @property({ type: Boolean, reflect: true }) required = false;
  @property({ type: Boolean, reflect: true }) disabled = false;
  /** Shared validators bound with `rule()`; `required` is added by the attribute. */
  @property({ attribute: false }) rules: readonly Rule[] = [];
  /** An error code from outside (e.g. the server's `fields`); cleared when the user edits. */
  @property() error = '';
  /** The values the text of `error` interpolates (the server's `params` of the field). */
  @property({ attribute: false }) errorParams: Record<string, unknown> = {};

  @state() private showError = false;
  @state() private disabledByForm = false;
  @query('input') private input?: HTMLInputElement;
  private readonly internals = this.attachInternals();
  private dirty = false;

  get form(): HTMLFormElement | null {
    return this.internals.form;
  }

  /** The current failure, shown or not. */
  get failure(): ValidationFailure | null {
    if (this.error) return { code: this.error, params: this.errorParams };
    return validate(this.value, this.required ? [rule(required), ...this.rules] : this.rules);
  }

  checkValidity(): boolean {
    return this.failure === null;
  }

  /** Shows the error, if any, and returns whether the value is valid. */
  reportValidity(): boolean {
    this.showError = true;
    return this.checkValidity();
  }

  formResetCallback(): void {
    this.value = this.getAttribute('value') ?? '';
    this.error = '';
    this.errorParams = {};
    this.showError = false;
    this.dirty = false;
  }

  formDisabledCallback(disabled: boolean): void {
    this.disabledByForm = disabled;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('value')) this.internals.setFormValue(this.value);
    if (changed.has('error') && this.error) this.showError = true;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const failure = this.failure;
    if (failure)
      this.internals.setValidity(
        { customError: true },
        errorText(this.localize, failure.code, failure.params) || failure.code,
        this.input,
      );
    else this.internals.setValidity({});
  }

  private onInput(event: Event): void {
    this.value = (event.target as HTMLInputElement).value;
    this.error = '';
    this.errorParams = {};
    this.dirty = true;
  }

  /** Leaving a field the user typed in shows its error; tabbing through an untouched one does not. */
  private onBlur(): void {
    if (this.dirty) this.showError = true;
  }

  private onChange(): void {
    this.dispatchEvent(new Event('change', { bubbles: true }));
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.isComposing && !(event.altKey || event.ctrlKey || event.metaKey || event.shiftKey)) {
      event.preventDefault();
      this.form?.requestSubmit();
    }
  }

  protected override render(): unknown {
    const failure = this.showError ? this.failure : null;
    const describedBy = [this.help ? 'help' : '', 'error'].filter(Boolean).join(' ');
    return html`
      <div class="field">
        <div class="label-row">
          <label part="label" class="label" for="input"
            >${this.label}${this.required ? html`<span class="required" aria-hidden="true"> *</span>` : nothing}</label
          >
          <slot name="hint"></slot>
        </div>
        <input
          part="input"
          class="input"
          id="input"
          .value=${live(this.value)}
          type=${this.type}
          name=${ifDefined(this.name || undefined)}
          autocomplete=${ifDefined(this.autocomplete)}
          inputmode=${ifDefined(this.inputmode)}
          ?required=${this.required}
          ?disabled=${this.disabled || this.disabledByForm}
          aria-invalid=${failure ? 'true' : 'false'}
          aria-describedby=${describedBy}
          @input=${this.onInput}
          @change=${this.onChange}
          @blur=${this.onBlur}
          @keydown=${this.onKeyDown}
        />
        ${this.help ? html`<p part="help" class="help" id="help">${this.help}</p>` : nothing}
        <p part="error" class="error" id="error" aria-live="polite">
          ${failure ? errorText(this.localize, failure.code, failure.params) : ''}
        </p>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-text-field': GaskitTextField;
  }
}
