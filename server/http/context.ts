import type { Request } from 'express';
import type { Translate } from '../i18n/index.ts';
import type { TenantDoc } from '../tenants/model.ts';

/** What services receive: the tenant, the signed-in subscriber (if any) and the request id. */
export interface Ctx {
  tenant: TenantDoc;
  requestId: string;
  lng: string;
  t: Translate;
  /** Set by `requireSubscriber`. */
  subscriberId?: string;
  /** Hash of the current session's token, set by `requireSubscriber`. */
  sessionHash?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    ctx?: Ctx;
    requestId: string;
  }
}

export function ctxOf(req: Request): Ctx {
  if (!req.ctx) throw new Error('tenant context missing: route mounted outside /api/v1/t/:tenant');
  return req.ctx;
}
