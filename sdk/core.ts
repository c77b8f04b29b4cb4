import type { BodyInput, Endpoint, ParamsInput, QueryInput, ResponseOf } from '../contracts/endpoint.ts';
import { Emitter, type ClientEvents } from './events.ts';
import { request, type FetchLike, type QueryValue, type RequestOptions } from './http.ts';
import { SessionStore, type StorageKind } from './session.ts';

export interface ClientOptions {
  /** Origin (and optional path prefix) of the Gaskit server, e.g. `https://lk.example.ru`. */
  apiBase: string;
  /** Tenant slug, e.g. `sever-gaz`. */
  tenant: string;
  /** Language sent as `Accept-Language`, e.g. `ru`. */
  locale: string;
  /** Where the session token is kept; `memory` unless `session` is asked for. */
  storage?: StorageKind;
  /** A fetch implementation; defaults to the global one, looked up at call time. */
  fetch?: FetchLike;
}

/** What a call of a contract's endpoint sends, typed by the contract. */
export interface CallInput<E extends Endpoint> {
  params?: ParamsInput<E>;
  query?: QueryInput<E>;
  body?: BodyInput<E>;
  /** Sent as `Idempotency-Key` (endpoints whose contract declares idempotency). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/**
 * What every domain group gets: the tenant's coordinates, the session, the
 * events and `request()`. Domain groups depend on this class, never on
 * GaskitClient, so they do not import each other.
 */
export class ClientCore {
  readonly apiBase: string;
  readonly tenant: string;
  readonly events = new Emitter<ClientEvents>();
  readonly session: SessionStore;
  private currentLocale: string;
  private readonly fetchImpl: FetchLike;

  constructor({ apiBase, tenant, locale, storage = 'memory', fetch }: ClientOptions) {
    if (!tenant) throw new TypeError('createClient: `tenant` is required');
    if (!locale) throw new TypeError('createClient: `locale` is required');
    this.apiBase = apiBase.replace(/\/+$/, '');
    this.tenant = tenant;
    this.currentLocale = locale;
    this.fetchImpl = fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.session = new SessionStore({
      key: `gaskit:session:${this.apiBase}:${tenant}`,
      storage,
      onChange: (signedIn) => this.events.emit('session-changed', { signedIn }),
    });
  }

  get locale(): string {
    return this.currentLocale;
  }

  setLocale(locale: string): void {
    if (!locale) throw new TypeError('setLocale: a language tag is required');
    if (locale === this.currentLocale) return;
    this.currentLocale = locale;
    this.events.emit('locale-changed', { locale });
  }

  /** Calls `${apiBase}/api/v1/t/${tenant}/${path}`; see `request` in http.ts. */
  request<T>(path: string, options?: RequestOptions): Promise<T> {
    return request<T>(
      { apiBase: this.apiBase, tenant: this.tenant, locale: this.currentLocale, fetch: this.fetchImpl, session: this.session },
      path,
      options,
    );
  }

  /**
   * Calls an endpoint of the contracts (contracts/): `call<typeof accounts.summary>('GET',
   * '/accounts/:id/summary', { params: { id } })`. The compiler checks the method, the path, the
   * params, query and body against the contract and gives the answer its type; only types are
   * imported, so no contract code (nor zod) runs in the client.
   */
  call<E extends Endpoint>(
    method: E['method'],
    template: E['path'],
    { params, query, body, idempotencyKey, signal }: CallInput<E> = {},
  ): Promise<ResponseOf<E>> {
    const values = (params ?? {}) as Record<string, string>;
    const relative = template.slice(1).replace(/:(\w+)/g, (_match, name: string) => encodeURIComponent(String(values[name])));
    return this.request<ResponseOf<E>>(relative, {
      method,
      query: query as Record<string, QueryValue> | undefined,
      body,
      idempotencyKey,
      signal,
    });
  }
}

/**
 * A domain group's accessor: one group object per client, made on first use. Widgets call accessors
 * (`readingsOf(client)`) instead of client properties, so a widget's bundle carries only the groups it
 * uses; `GaskitClient` exposes every group as a property for integrators.
 */
export function groupAccessor<T>(make: (core: ClientCore) => T): (core: ClientCore) => T {
  const groups = new WeakMap<ClientCore, T>();
  return (core) => {
    let group = groups.get(core);
    if (group === undefined) {
      group = make(core);
      groups.set(core, group);
    }
    return group;
  };
}
