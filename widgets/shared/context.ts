import { createContext } from '@lit/context';
import type { ReactiveControllerHost } from 'lit';
import type { TenantClient } from '../../sdk/index.ts';

/**
 * The SDK client for a subtree. The key is a registered symbol so that
 * providers and consumers from different bundles on one page match.
 */
export const clientContext = createContext<TenantClient | undefined>(Symbol.for('gaskit.client'));

/** What the shared controllers need from their host element. */
export interface ClientHost extends ReactiveControllerHost, HTMLElement {
  /** The client in effect: the `client` property, else `tenant`/`api-base`, else the context. */
  readonly resolvedClient: TenantClient | undefined;
}
