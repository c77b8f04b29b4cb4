import type { Request } from 'express';
import type { Translate } from '../i18n/index.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { AuthError } from './errors.ts';

/** What services of a request receive: the tenant, the request's language and its id. */
export interface Ctx {
  tenant: TenantDoc;
  requestId: string;
  lng: string;
  t: Translate;
}

/**
 * The context of a signed-in subscriber's request. Only the session guard (`sessionGuard` in
 * server/auth/sessions.ts) makes one, after it checked the session, so a service that takes it
 * never checks for the subscriber again.
 */
export interface SubscriberCtx extends Ctx {
  readonly subscriberId: string;
  /** Hash of the current session's token. */
  readonly sessionHash: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    ctx?: Ctx;
    /** Set by the session guard. */
    subscriberCtx?: SubscriberCtx;
    requestId: string;
  }
}

export function ctxOf(req: Request): Ctx {
  if (!req.ctx) throw new Error('tenant context missing: route mounted outside /api/v1/t/:tenant');
  return req.ctx;
}

/**
 * The signed-in subscriber's context of a route behind the session guard. A route without the
 * guard is refused as unauthenticated (401), the same as a request without a session.
 */
export function subscriberCtxOf(req: Request): SubscriberCtx {
  if (!req.subscriberCtx) throw new AuthError();
  return req.subscriberCtx;
}

/** The signed-in subscriber's context on a route open to both, or the public one without a session. */
export function senderCtxOf(req: Request): Ctx | SubscriberCtx {
  return req.subscriberCtx ?? ctxOf(req);
}

/** Whether a context of a route open to both is a signed-in subscriber's. */
export function signedIn(ctx: Ctx | SubscriberCtx): ctx is SubscriberCtx {
  return 'subscriberId' in ctx;
}
