import type { ReactiveController } from 'lit';
import type { TenantClient, ThemeInfo } from '../../sdk/index.ts';
import type { ClientHost } from './context.ts';

const TOKEN_NAME = /^(?:--gaskit-)?([a-z0-9]+(?:-[a-z0-9]+)*)$/;
const SAFE_VALUE = /^[^;{}]+$/;
const sheets = new WeakMap<ThemeInfo['tokens'], CSSStyleSheet>();

/** One sheet per token set, shared by every element of the tenant. Invalid names or values are skipped. */
function themeSheet(tokens: ThemeInfo['tokens']): CSSStyleSheet {
  let sheet = sheets.get(tokens);
  if (!sheet) {
    const declarations = Object.entries(tokens).flatMap(([name, value]) => {
      const token = TOKEN_NAME.exec(name)?.[1];
      return token && SAFE_VALUE.test(value) ? [`--gaskit-${token}:${value.trim()};`] : [];
    });
    sheet = new CSSStyleSheet();
    sheet.replaceSync(`:host{${declarations.join('')}}`);
    sheets.set(tokens, sheet);
  }
  return sheet;
}

/**
 * Applies the tenant theme (`config.theme.tokens`) as `--gaskit-*` custom
 * properties on the host through a `:host` rule in its shadow root, never on
 * the page's `:root`. Being an inner rule, it yields to any CSS the host page
 * sets on the element, so integrators can still override single tokens.
 */
export class ThemeController implements ReactiveController {
  private readonly host: ClientHost;
  private client?: TenantClient;
  private sheet?: CSSStyleSheet;

  constructor(host: ClientHost) {
    this.host = host;
    host.addController(this);
  }

  hostUpdate(): void {
    const client = this.host.resolvedClient;
    if (client === this.client) return;
    this.client = client;
    this.adopt(undefined);
    client?.getConfig().then(
      (config) => {
        if (client === this.client) this.adopt(themeSheet(config.theme.tokens));
      },
      // Without a config the default tokens stay; the widget's own calls report the failure.
      () => undefined,
    );
  }

  private adopt(sheet: CSSStyleSheet | undefined): void {
    const root = this.host.shadowRoot;
    if (!root || sheet === this.sheet) return;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets.filter((s) => s !== this.sheet), ...(sheet ? [sheet] : [])];
    this.sheet = sheet;
  }
}
