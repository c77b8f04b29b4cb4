import { ContextConsumer, ContextProvider } from '@lit/context';
import { LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { TenantClient, VisionMode, WidgetNamespace } from '../../sdk/index.ts';
import { clientContext, type ClientHost } from './context.ts';
import { LocalizeController } from './localize.ts';
import { pageClient, scriptOrigin } from './page.ts';
import { ThemeController } from './theme.ts';
import { VisionController } from './vision.ts';

/** Names of the public `gaskit-*` events declared in GlobalEventHandlersEventMap. */
export type GaskitEventName = Extract<keyof GlobalEventHandlersEventMap, `gaskit-${string}`>;
export type GaskitEventDetail<K extends GaskitEventName> =
  GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never;

/**
 * Base of every Gaskit element.
 *
 * - Registration: `GaskitFoo.define('gaskit-foo')`, guarded so that two copies
 *   of a widget on one page don't crash; `static dependencies` are defined too.
 * - Client: the `client` property, else the page-level client for the
 *   `tenant` and `api-base` attributes (API base defaults to the origin the
 *   script came from), else the one provided by `clientContext` above. The
 *   element provides its client to its own subtree.
 * - `localize` (texts, money, dates) and the tenant theme come with it.
 * - `lang`/`dir` are reactive: setting them re-renders in that language.
 * - `vision="low"` switches on the low-vision mode; unset, the enclosing
 *   element's mode or the person's saved preference applies.
 */
export class GaskitElement extends LitElement implements ClientHost {
  /** Elements this one renders, defined along with it: `{ 'gaskit-text-field': GaskitTextField }`. */
  static dependencies: Record<string, { define(tag: string): void }> = {};

  /**
   * The namespaces of texts this element shows besides `common` and `errors` (which every element
   * loads), including those of the parts it renders with its own `localize`; an element it renders
   * declares its own.
   */
  static namespaces: readonly WidgetNamespace[] = [];

  static define(tag: string): void {
    for (const [dependencyTag, dependency] of Object.entries(this.dependencies)) dependency.define(dependencyTag);
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  /** Language of this element's texts; unset, the client's locale applies. */
  @property({ reflect: true }) override lang!: string;
  @property({ reflect: true }) override dir!: string;

  /** An SDK client to use, overriding attributes and context. */
  @property({ attribute: false }) client?: TenantClient;

  /** Tenant slug, for an element used on its own. */
  @property() tenant?: string;

  /** Origin of the Gaskit server, for an element used on its own; defaults to the script's origin. */
  @property({ attribute: 'api-base' }) apiBase?: string;

  /** `low`: large type, high contrast, simplified layout; `standard` opts out; unset, inherited or saved. */
  @property({ reflect: true }) vision?: VisionMode | '';

  /** Translations and formatting in the element's language. */
  readonly localize = new LocalizeController(this);

  @state() private contextClient?: TenantClient;
  private readonly clientProvider = new ContextProvider(this, { context: clientContext });
  private readonly clientConsumer = new ContextConsumer(this, {
    context: clientContext,
    subscribe: true,
    callback: (client) => (this.contextClient = client),
  });
  private readonly theme = new ThemeController(this);
  private readonly visionMode = new VisionController(this);

  /** Whether the low-vision mode is in effect. */
  get lowVision(): boolean {
    return this.visionMode.mode === 'low';
  }

  get resolvedClient(): TenantClient | undefined {
    if (this.client) return this.client;
    if (this.tenant) {
      const locale = this.lang || document.documentElement.lang || navigator.language;
      return pageClient(this.apiBase || scriptOrigin, this.tenant, locale);
    }
    return this.contextClient;
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    this.clientProvider.setValue(this.resolvedClient);
  }

  /** Dispatches a public event: bubbling, composed, `detail` always an object. */
  emit<K extends GaskitEventName>(name: K, detail: GaskitEventDetail<K> & object): CustomEvent<GaskitEventDetail<K>> {
    const event = new CustomEvent(name, { bubbles: true, composed: true, detail });
    this.dispatchEvent(event);
    return event;
  }
}
