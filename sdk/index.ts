/**
 * Gaskit browser SDK (no DOM; runs in browsers and Node 20+).
 *
 * Adding a domain (auth, accounts, readings…) without growing one big file:
 *   1. sdk/<domain>.ts exports a small class taking the core, e.g.
 *        export class AccountsApi {
 *          constructor(private readonly core: ClientCore) {}
 *          list(options?: { signal?: AbortSignal }) {
 *            return this.core.request<Account[]>('accounts', options);
 *          }
 *          summary(id: string, period: string) {
 *            return this.core.request<Summary>(path`accounts/${id}/summary`, { query: { period } });
 *          }
 *        }
 *      with its request/response types next to it (shared shapes in types.ts).
 *      and its accessor, so widgets bundle only the groups they use:
 *        export const accountsOf = groupAccessor((core) => new AccountsApi(core));
 *   2. sdk/client.ts exposes it on GaskitClient (the integrators' client):
 *        get accounts() { return accountsOf(this); }
 *      Widgets never use those properties: they call `accountsOf(client)`.
 *   3. This file re-exports the class and its types.
 * Domain classes use `core.request()` (JSON, auth, Accept-Language, errors),
 * `core.session` (e.g. auth stores the token with `setToken`) and `path`
 * for encoded URL segments; retryable writes pass `idempotencyKey`.
 */
import { GaskitClient } from './client.ts';
import type { ClientOptions } from './core.ts';

export function createClient(options: ClientOptions): GaskitClient {
  return new GaskitClient(options);
}

export { GaskitClient } from './client.ts';
export { ClientCore, groupAccessor, type ClientOptions } from './core.ts';
export { TenantClient } from './tenant-client.ts';
export {
  ClientErrorCode,
  GaskitError,
  isGaskitError,
  toGaskitError,
  type ErrorParams,
  type FieldErrors,
  type GaskitErrorInit,
} from './errors.ts';
export { Emitter, type ClientEvents, type Listener } from './events.ts';
export {
  createIdempotencyKey,
  path,
  tenantUrl,
  type FetchLike,
  type HttpMethod,
  type QueryValue,
  type RequestOptions,
} from './http.ts';
export { pickLocale } from './locale.ts';
export { SessionStore, type StorageKind } from './session.ts';
export type * from './types.ts';
export * from '../contracts/rules/validators.ts';
export * from './accounts.ts';
export * from './readings.ts';
export * from './payments.ts';
export * from './feedback.ts';
export * from './auth.ts';
export * from '../contracts/rules/auth.ts';
export * from './me.ts';
export * from './preferences.ts';
