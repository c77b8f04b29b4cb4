import { preferencesOf } from '../../sdk/preferences.ts';
import { ContextConsumer, ContextProvider, createContext } from '@lit/context';
import { css, type ReactiveController } from 'lit';
import type { TenantClient, VisionMode } from '../../sdk/index.ts';
import type { ClientHost } from './context.ts';

/** The vision mode in effect for a subtree; a registered symbol, so bundles on one page match. */
export const visionContext = createContext<VisionMode | undefined>(Symbol.for('gaskit.vision'));

export interface VisionHost extends ClientHost {
  /** A mode set on the element itself; unset, the enclosing element's mode or the saved preference applies. */
  readonly vision?: VisionMode | '';
}

/**
 * The low-vision mode ("версия для слабовидящих", GOST R 52872-2019): large type, black on white,
 * no colour-only cues, no shadows or rounded corners, wide focus rings, underlined links and one
 * column. It sets the private `--_gk-*` aliases, so it wins over tenant themes and host-page tokens,
 * and adjusts elements every widget uses (headings, buttons, inputs, tables).
 */
export const lowVisionStyles = css`
  :host {
    --_gk-font: Arial, 'Helvetica Neue', Helvetica, sans-serif;
    --_gk-font-size: 1.375rem;
    --_gk-font-size-small: 1.25rem;
    --_gk-line-height: 1.6;
    --_gk-color-text: #000000;
    --_gk-color-text-muted: #000000;
    --_gk-color-surface: #ffffff;
    --_gk-color-surface-alt: #ffffff;
    --_gk-color-border: #000000;
    --_gk-color-primary: #000000;
    --_gk-color-primary-hover: #000000;
    --_gk-color-on-primary: #ffffff;
    --_gk-color-danger: #8b0000;
    --_gk-color-success: #004d00;
    --_gk-color-warning: #5c3300;
    --_gk-color-inverse: #000000;
    --_gk-color-on-inverse: #ffffff;
    --_gk-color-focus: #000000;
    --_gk-focus-ring-width: 4px;
    --_gk-radius: 0;
    --_gk-space: 0.75rem;
    --_gk-shadow: none;
    letter-spacing: 0.02em;
    word-spacing: 0.08em;
  }
  h1,
  h2,
  h3,
  h4 {
    font-size: 1.25em;
    line-height: 1.3;
  }
  p,
  li,
  td,
  th,
  label,
  small {
    font-size: 1em;
  }
  a {
    color: inherit;
    text-decoration: underline;
    text-decoration-thickness: 2px;
  }
  button,
  input,
  select,
  textarea,
  .button,
  .input {
    font-size: 1em;
    border-width: 2px;
  }
  table,
  th,
  td {
    border-color: #000000;
  }
  img {
    filter: grayscale(1) contrast(1.2);
  }
  :focus-visible {
    outline-offset: 3px;
  }
`;

/**
 * Resolves an element's vision mode — its own `vision` attribute, else the mode of the Gaskit
 * element around it, else the person's saved preference (`preferencesOf(client).vision`) — passes
 * it on to the elements inside, and applies `lowVisionStyles` in its shadow root while low.
 */
export class VisionController implements ReactiveController {
  private readonly host: VisionHost;
  private inherited?: VisionMode;
  private client?: TenantClient;
  private stopListening?: () => void;
  private current: VisionMode = 'standard';
  private readonly provider: ContextProvider<typeof visionContext>;

  constructor(host: VisionHost) {
    this.host = host;
    host.addController(this);
    this.provider = new ContextProvider(host, { context: visionContext });
    new ContextConsumer(host, {
      context: visionContext,
      subscribe: true,
      callback: (mode) => {
        this.inherited = mode;
        host.requestUpdate();
      },
    });
  }

  /** The mode in effect. */
  get mode(): VisionMode {
    return this.current;
  }

  hostConnected(): void {
    this.client = undefined;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }

  hostUpdate(): void {
    const client = this.host.resolvedClient;
    if (client !== this.client) {
      this.stopListening?.();
      this.stopListening = (client && preferencesOf(client))?.events.on('changed', () => this.host.requestUpdate());
      this.client = client;
    }
    this.current = this.host.vision || this.inherited || (client && preferencesOf(client))?.vision || 'standard';
    this.provider.setValue(this.current);
    this.adopt(this.current === 'low');
  }

  private adopt(low: boolean): void {
    const root = this.host.shadowRoot;
    const sheet = lowVisionStyles.styleSheet;
    if (!root || !sheet || root.adoptedStyleSheets.includes(sheet) === low) return;
    root.adoptedStyleSheets = low ? [...root.adoptedStyleSheets, sheet] : root.adoptedStyleSheets.filter((s) => s !== sheet);
  }
}
