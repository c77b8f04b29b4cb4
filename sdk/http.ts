import { ClientErrorCode, GaskitError, type ErrorParams, type FieldErrors } from './errors.ts';
import type { SessionStore } from './session.ts';
import type { ErrorBody } from './types.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: HttpMethod;
  /** Appended as the query string; `null`/`undefined` values are skipped. */
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `Idempotency-Key` for writes a person may retry (readings, payments, links). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** What `request` needs from the client that owns it. */
export interface HttpContext {
  apiBase: string;
  tenant: string;
  locale: string;
  fetch: FetchLike;
  session: SessionStore;
}

/**
 * Builds a tenant-relative path, percent-encoding every interpolated value:
 * path`accounts/${id}/summary`.
 */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, part, i) => out + encodeURIComponent(String(values[i - 1])) + part);
}

/** A random key for `RequestOptions.idempotencyKey`; works outside secure contexts too. */
export function createIdempotencyKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function tenantUrl(apiBase: string, tenant: string, relative: string, query?: Record<string, QueryValue>): string {
  let url = `${apiBase}/api/v1/t/${encodeURIComponent(tenant)}/${relative.replace(/^\/+/, '')}`;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined) params.append(name, String(value));
  }
  const search = params.toString();
  if (search) url += `?${search}`;
  return url;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as Partial<ErrorBody> | null | undefined)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string';
}

function paramsOf(value: unknown): ErrorParams | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ErrorParams) : undefined;
}

function fieldErrors(fields: unknown): { codes: FieldErrors; params: Record<string, ErrorParams> } {
  const codes: FieldErrors = {};
  const params: Record<string, ErrorParams> = {};
  if (typeof fields !== 'object' || fields === null) return { codes, params };
  for (const [name, value] of Object.entries(fields)) {
    const entry = value as { code?: unknown; params?: unknown } | null;
    const code = typeof value === 'string' ? value : entry?.code;
    if (typeof code !== 'string') continue;
    codes[name] = code;
    const values = paramsOf(entry?.params);
    if (values) params[name] = values;
  }
  return { codes, params };
}

function errorFromResponse(status: number, text: string): GaskitError {
  const body = parseJson(text);
  if (!isErrorBody(body)) {
    return new GaskitError({ code: ClientErrorCode.http, status, message: `HTTP ${status}` });
  }
  const { code, message, params, fields } = body.error;
  const { codes, params: fieldParams } = fieldErrors(fields);
  return new GaskitError({ code, status, message: message ?? code, fields: codes, params: paramsOf(params), fieldParams });
}

async function send(
  ctx: HttpContext,
  url: string,
  init: RequestInit,
  signal?: AbortSignal,
): Promise<{ response: Response; text: string }> {
  try {
    const response = await ctx.fetch(url, init);
    return { response, text: await response.text() };
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new GaskitError({ code: ClientErrorCode.network, message: `Network error: ${init.method} ${url}`, cause });
  }
}

/**
 * Sends one API request and returns the parsed JSON body (`undefined` for an
 * empty body). Every failure except an abort through `signal` is a GaskitError.
 * A 401 answer to a request made with the current token clears the session.
 */
export async function request<T>(ctx: HttpContext, relative: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', query, body, idempotencyKey, signal } = options;
  const token = ctx.session.token;
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': ctx.locale };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  // FormData (file uploads) goes as is: fetch sets the multipart Content-Type with its boundary.
  const multipart = typeof FormData !== 'undefined' && body instanceof FormData;
  if (body !== undefined && !multipart) headers['Content-Type'] = 'application/json';

  const url = tenantUrl(ctx.apiBase, ctx.tenant, relative, query);
  const payload = body === undefined ? undefined : multipart ? (body as FormData) : JSON.stringify(body);
  const init: RequestInit = { method, headers, body: payload, signal };
  const { response, text } = await send(ctx, url, init, signal);

  if (!response.ok) {
    if (response.status === 401 && token !== null && ctx.session.token === token) ctx.session.clear();
    throw errorFromResponse(response.status, text);
  }
  if (!text) return undefined as T;
  const parsed = parseJson(text);
  if (parsed === undefined) {
    throw new GaskitError({
      code: ClientErrorCode.invalidResponse,
      status: response.status,
      message: `Invalid JSON from ${method} ${url}`,
    });
  }
  return parsed as T;
}
