import cors from 'cors';
import { Router, type Request } from 'express';
import { getTenantBySlug, tenantLocale, tenantTranslator } from '../tenants/service.ts';
import { ForbiddenError } from './errors.ts';

export function selfOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/**
 * The origins a request may come from: none outside a tenant (no CORS headers at all); none asked
 * without an Origin header (only `Vary: Origin`, as for a refused origin), so most requests skip
 * working out the server's own origin (the proxy check of `req.protocol`).
 */
function allowedOrigins(r: Request): string[] | false {
  if (!r.ctx) return false;
  return r.headers.origin === undefined ? [] : [...r.ctx.tenant.allowedOrigins, selfOrigin(r)];
}

const corsForTenant = cors((req, cb) => {
  const r = req as unknown as Request;
  cb(null, {
    origin: allowedOrigins(r),
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Accept-Language'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
});

/**
 * Router for `/api/v1/t/:tenant`: resolves the tenant (unknown → 404 tenant_not_found),
 * refuses browsers from origins the tenant has not allowed, answers CORS for the allowed ones,
 * and sets `req.ctx` for the module routers mounted below it.
 */
export function tenantScope(): Router {
  const router = Router({ mergeParams: true });
  router.use(async (req, _res, next) => {
    const tenant = await getTenantBySlug(String(req.params.tenant));
    const lng = tenantLocale(tenant, req.acceptsLanguages(...tenant.locales));
    req.ctx = { tenant, lng, t: tenantTranslator(tenant, lng), requestId: req.requestId };
    const origin = req.get('origin');
    if (origin && origin !== selfOrigin(req) && !tenant.allowedOrigins.includes(origin)) {
      throw new ForbiddenError('origin_not_allowed');
    }
    next();
  });
  router.use(corsForTenant);
  return router;
}
