import { html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { GaskitElement } from '../shared/gaskit-element.ts';
import { baseStyles } from '../shared/styles.ts';
import styles from './hint.styles.ts';

/**
 * A "?" button that shows a hint while hovered or focused, as next to the
 * account number field. The bubble opens above the button, so the field under
 * the label stays in sight (below when there is no room above), and is moved
 * sideways to stay inside the window. The text is the button's description
 * (`aria-describedby`), so screen readers read it with the button. Escape
 * closes it without moving focus or pointer; the pointer can move onto the
 * text; a tap opens it and a tap elsewhere closes it.
 *
 * @tagname gaskit-hint
 *
 * @slot - The hint text; overrides `text`.
 *
 * @event gaskit-hint-toggle - The user opened or closed the hint. `detail: { open: boolean }`.
 *
 * @csspart button - The "?" button.
 * @csspart tooltip - The hint bubble.
 *
 * @cssproperty --gaskit-hint-max-width - Widest the bubble grows; default `min(20rem, 80vw)`.
 * @cssproperty --gaskit-color-primary - Button outline and glyph.
 * @cssproperty --gaskit-color-inverse - Bubble background.
 * @cssproperty --gaskit-color-on-inverse - Bubble text.
 * @cssproperty --gaskit-radius - Bubble corners.
 */
export class GaskitHint extends GaskitElement {
  static override styles = [baseStyles, styles];

  /** The hint text, when not given as content. */
  @property() text = '';

  /** Accessible name of the button; defaults to the translated "Hint". */
  @property() label = '';

  /** Whether the hint is shown. */
  @property({ type: Boolean, reflect: true }) open = false;

  private focused = false;

  constructor() {
    super();
    this.addEventListener('pointerenter', () => this.toggle(true));
    this.addEventListener('pointerleave', () => {
      if (!this.focused) this.toggle(false);
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.open) this.listenToPage(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.listenToPage(false);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (changed.has('open')) {
      this.listenToPage(this.open);
      if (this.open) this.place();
    }
  }

  /** Above the button unless that leaves the window, and shifted sideways to stay inside it. */
  private place(): void {
    const tooltip = this.renderRoot.querySelector<HTMLElement>('[part="tooltip"]');
    if (!tooltip) return;
    const margin = 8;
    tooltip.style.setProperty('--_gk-hint-shift', '0px');
    tooltip.classList.remove('tooltip--below');
    if (tooltip.getBoundingClientRect().top < 0) tooltip.classList.add('tooltip--below');
    const { left, right } = tooltip.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    const shift = right > width - margin ? Math.max(width - margin - right, margin - left) : left < margin ? margin - left : 0;
    tooltip.style.setProperty('--_gk-hint-shift', `${Math.round(shift)}px`);
  }

  private toggle(open: boolean): void {
    if (open === this.open) return;
    this.open = open;
    this.emit('gaskit-hint-toggle', { open });
  }

  private listenToPage(listen: boolean): void {
    if (listen) {
      document.addEventListener('keydown', this.onPageKeyDown);
      document.addEventListener('pointerdown', this.onPagePointerDown);
    } else {
      document.removeEventListener('keydown', this.onPageKeyDown);
      document.removeEventListener('pointerdown', this.onPagePointerDown);
    }
  }

  /** Escape anywhere closes a hint opened by hover; it is not consumed, so an enclosing dialog still sees it. */
  private readonly onPageKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') this.toggle(false);
  };

  private readonly onPagePointerDown = (event: PointerEvent): void => {
    if (!event.composedPath().includes(this)) this.toggle(false);
  };

  /** Escape on the focused button closes only the hint. */
  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.open) {
      event.stopPropagation();
      this.toggle(false);
    }
  }

  /** Touch screens: a tap opens the hint; a tap elsewhere closes it. */
  private onClick(): void {
    this.toggle(true);
  }

  private onFocus(): void {
    this.focused = true;
    this.toggle(true);
  }

  private onBlur(): void {
    this.focused = false;
    this.toggle(false);
  }

  // The tooltip is named by its slotted text, which the lint rule cannot see.
  /* eslint-disable lit-a11y/accessible-name */
  protected override render(): unknown {
    const label = this.label || this.localize.t('common:hint');
    return html`
      <button
        part="button"
        class="button"
        type="button"
        aria-label=${ifDefined(label || undefined)}
        aria-describedby="tooltip"
        @click=${this.onClick}
        @focus=${this.onFocus}
        @blur=${this.onBlur}
        @keydown=${this.onKeyDown}
      >
        ?
      </button>
      <div part="tooltip" class="tooltip" id="tooltip" role="tooltip" ?hidden=${!this.open}>
        <slot>${this.text}</slot>
      </div>
    `;
  }
  /* eslint-enable lit-a11y/accessible-name */
}

declare global {
  interface HTMLElementTagNameMap {
    'gaskit-hint': GaskitHint;
  }
  interface GlobalEventHandlersEventMap {
    'gaskit-hint-toggle': CustomEvent<{ open: boolean }>;
  }
}
