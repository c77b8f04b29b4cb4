import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { ApiScope, BodyOf, Endpoint, ParamsOf, QueryOf, ResponseOf } from '../../contracts/endpoint.ts';
import { ctxOf, senderCtxOf, subscriberCtxOf, type Ctx, type SubscriberCtx } from './context.ts';
import { idempotencyKeyOf, idempotent } from './idempotency.ts';
import { ValidationError } from './errors.ts';
import { toFieldErrors } from './validate.ts';

/**
 * The context of an endpoint: the session guard's `SubscriberCtx` where its auth requires a
 * session, and either one where a session is optional (`signedIn(ctx)` tells them apart).
 */
type CtxOf<E extends Endpoint> = E['root'] extends true
  ? undefined
  : E['auth'] extends 'subscriber' | 'session'
    ? SubscriberCtx
    : E['auth'] extends 'sender'
      ? Ctx | SubscriberCtx
      : Ctx;

function contextOf(e: Endpoint, req: Request): Ctx | SubscriberCtx | undefined {
  if (e.root) return undefined;
  if (e.auth === 'subscriber' || e.auth === 'session') return subscriberCtxOf(req);
  return e.auth === 'sender' ? senderCtxOf(req) : ctxOf(req);
}

/** What a handler receives: the request's parts parsed by the contract's schemas. */
export interface Input<E extends Endpoint> {
  ctx: CtxOf<E>;
  params: ParamsOf<E>;
  query: QueryOf<E>;
  body: BodyOf<E>;
  /** The `Idempotency-Key` of an endpoint whose contract says `idempotency: 'key'`. */
  idempotencyKey: string | undefined;
  req: Request;
  res: Response;
}

/** A value as the handler may return it: a `Date` where the answer has a string (JSON sends its ISO form). */
export type Serializable<T> = T extends string
  ? T | Date
  : T extends Uint8Array
    ? T
    : T extends readonly (infer U)[]
      ? Serializable<U>[]
      : T extends object
        ? { [K in keyof T]: Serializable<T[K]> }
        : T;

/** A handler; `checked` is what the endpoint's `check` found (see `mounter`), undefined without one. */
export type Handler<E extends Endpoint, C = undefined> = (
  input: Input<E> & { checked: C },
) => Promise<Serializable<ResponseOf<E>>> | Serializable<ResponseOf<E>>;

/**
 * The middleware that enforces each kind of `auth`, given by the module that owns it through its
 * manifest (server/manifest.ts): sessions by auth, API keys by integration, the dev tools by notify.
 */
export interface Guards {
  subscriber: RequestHandler;
  session: RequestHandler;
  /** Checks a bearer session when one is sent, and lets a request without one through. */
  sender: RequestHandler;
  apiKey: (scope: ApiScope) => RequestHandler;
  local: RequestHandler;
}

function parse(schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return {};
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error));
  return parsed.data;
}

/** The guard of an endpoint's `auth`; an auth no module guards is a wiring mistake, refused at start-up. */
function guardOf(e: Endpoint, guards: Partial<Guards>): RequestHandler[] {
  if (e.auth === 'public' || e.auth === 'signed') return [];
  const unguarded = (kind: string) => new Error(`${e.method} ${e.path}: no module guards '${kind}' endpoints`);
  if (typeof e.auth === 'object') {
    if (!guards.apiKey) throw unguarded('apiKey');
    return [guards.apiKey(e.auth.apiKey)];
  }
  const guard = guards[e.auth];
  if (!guard) throw unguarded(e.auth);
  return [guard];
}

/**
 * `mount(router, endpoint, handler)` adds the endpoint's route: its auth guard, the middleware
 * given in `before` (a multipart or raw body reader), the parsing of params, query and body by the
 * contract (a miss is a 400 with field errors; unknown keys are refused by strict schemas) or by
 * `readBody` where the endpoint reads its body its own way (a batch checked item by item), the
 * idempotency it declares, and the answer with the contract's status: JSON, nothing, a file, or
 * the declared content type. `check` is the handler's reading part, which writes nothing: it runs
 * beside the claim of the request's `Idempotency-Key` (idempotency.ts `idempotent`), its round
 * trips overlapping the claim's, and the handler gets what it found as `checked`.
 */
export function mounter(guards: Partial<Guards>) {
  return function mount<E extends Endpoint, C = undefined>(
    router: Router,
    e: E,
    handler: Handler<E, C>,
    {
      before = [],
      readBody,
      check,
    }: { before?: RequestHandler[]; readBody?: (body: unknown) => BodyOf<E>; check?: (input: Input<E>) => Promise<C> } = {},
  ): void {
    if (typeof e.idempotency === 'object' && e.auth !== 'subscriber' && e.auth !== 'session') {
      throw new Error(`${e.method} ${e.path}: answers are kept per subscriber, so a replayed endpoint requires a session`);
    }
    const run: RequestHandler = async (req, res) => {
      const { tenant: _tenant, ...pathParams } = req.params as Record<string, string>;
      const params = parse(e.params, e.root ? req.params : pathParams) as ParamsOf<E>;
      const query = parse(e.query, req.query) as QueryOf<E>;
      const body = readBody ? readBody(req.body) : (parse(e.body, req.body) as BodyOf<E>);
      const ctx = contextOf(e, req) as CtxOf<E>;
      const key = e.idempotency ? idempotencyKeyOf(req) : undefined;
      const input: Input<E> = { ctx, params, query, body, idempotencyKey: key, req, res };
      const checking = check ? check(input) : Promise.resolve(undefined as C);
      let result: Serializable<ResponseOf<E>>;
      if (typeof e.idempotency === 'object') {
        const once = await idempotent(
          ctx as SubscriberCtx,
          { scope: e.idempotency.replay, key, request: body, beside: checking },
          async (checked) => handler({ ...input, checked }),
        );
        if (once.replayed) res.set('Idempotent-Replayed', 'true');
        result = once.result;
      } else {
        result = await handler({ ...input, checked: await checking });
      }
      if (res.headersSent) return;
      res.status(e.response.status);
      if (e.response.body === null) res.end();
      else if (e.response.body === 'file') res.send(result);
      else if (typeof e.response.body === 'string') res.type(e.response.body).send(result);
      else res.json(result);
    };
    const method = e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    router[method](e.path, ...guardOf(e, guards), ...before, run);
  };
}

/** Mounts a contract's endpoint on a router (`mounter`): what each module's routes are given. */
export type Mount = ReturnType<typeof mounter>;
