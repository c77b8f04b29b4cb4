/**
 * An endpoint of the HTTP API, declared once: method, path, who may call it, idempotency, the
 * zod schemas of its parameters, query, body and answers. The server mounts its routes from these
 * declarations (server/http/mount.ts) and generates the OpenAPI document from them; the SDK takes
 * its request and answer types from them with type-only imports, so no zod reaches the widgets;
 * the server tests check every answer against them (test/helpers/contracts.ts).
 *
 * Only zod may be imported here: no DOM, no Node.
 */
import type { z } from 'zod';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What an integration API key may be allowed to do. */
export type ApiScope = 'billing:write' | 'export:read' | 'readings:write' | 'payments:write' | 'feedback:write';

/**
 * Who may call an endpoint:
 * - `public`: anyone; the tenant's public data only;
 * - `signed`: a secret in the URL or a signature on the request decides (receipt links, webhooks);
 * - `subscriber`: a confirmed subscriber's bearer session without a pending password change;
 * - `session`: any live session of the cabinet, also unconfirmed or with a temporary password;
 * - `sender`: anyone, or a confirmed subscriber when a bearer session is sent (it must then be valid);
 * - `{ apiKey }`: the tenant's integration API key with that scope;
 * - `local`: a development tool of demo mode, for a client on the server's own machine only
 *   (404 to anyone else); not part of the API, so the OpenAPI document leaves it out.
 */
export type Auth = 'public' | 'signed' | 'subscriber' | 'session' | 'sender' | 'local' | { apiKey: ApiScope };

/**
 * An answer: a zod schema of its JSON body, `null` for no body (204), the content type of a
 * body that is not JSON (an HTML receipt, a stylesheet), or `file`: bytes with the content type
 * of the file they are (the handler sets it).
 */
export type Answer = z.ZodType | null | 'text/html' | 'text/css' | 'file';

export interface Endpoint {
  method: Method;
  /**
   * Express-style path (`/accounts/:id`), under `/api/v1/t/:tenant` (whose `tenant` parameter is
   * not repeated in `params`) unless `root` is set: then from the server root.
   */
  path: string;
  root?: true;
  auth: Auth;
  /**
   * `Idempotency-Key`: `{ replay: scope }` — the server stores the first answer under the key and
   * replays it (server/http/idempotency.ts); `'key'` — the handler receives the key and keeps it
   * itself (a payment is its own record).
   */
  idempotency?: { replay: string } | 'key';
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodType;
  /** Request headers the endpoint reads (documented; the handler checks them). */
  headers?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The body may also come as multipart/form-data: `body`'s fields and up to `max` files in the
   * part `field` (the handler reads the files).
   */
  files?: { field: string; max: number };
  /** A body that is not JSON, of this content type, which the handler reads as bytes (`req.body`, a raw email). */
  rawBody?: string;
  /** The one success answer, by status. */
  response: { status: number; body: Answer; description: string };
  /** Error statuses the endpoint documents (every error has the `ErrorBody` shape). */
  errors: number[];
}

/** Declares an endpoint, keeping its literal types for the server's and the SDK's inference. */
export function endpoint<const E extends Endpoint>(e: E): E {
  return e;
}

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type In<S> = S extends z.ZodType ? z.input<S> : undefined;

/** What the server's handler receives, parsed. */
export type ParamsOf<E extends Endpoint> = Out<E['params']>;
export type QueryOf<E extends Endpoint> = Out<E['query']>;
export type BodyOf<E extends Endpoint> = Out<E['body']>;

/** What a client sends (before the schema's defaults and transforms). */
export type ParamsInput<E extends Endpoint> = In<E['params']>;
export type QueryInput<E extends Endpoint> = In<E['query']>;
export type BodyInput<E extends Endpoint> = In<E['body']>;

/** The success answer's body: parsed JSON, nothing (`void`), a file's bytes, or the text of a non-JSON body. */
export type ResponseOf<E extends Endpoint> = E['response']['body'] extends z.ZodType
  ? z.output<E['response']['body']>
  : E['response']['body'] extends null
    ? void
    : E['response']['body'] extends 'file'
      ? Uint8Array
      : string;

/** `/accounts/:id` → `/accounts/{id}`, the OpenAPI form. */
export function openapiPath(e: Endpoint): string {
  const full = e.root ? e.path.replace(/^\/api\/v1/, '') : `/t/:tenant${e.path}`;
  return full.replace(/:(\w+)/g, '{$1}');
}
