import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import client from 'prom-client';
import type { Config } from '../config.ts';
import { tenantCacheSizes } from '../tenants/service.ts';
import { AuthError } from './errors.ts';
import { routePattern } from './logger.ts';
import { fromLoopback } from './loopback.ts';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'gaskit_' });

const httpDuration = new client.Histogram({
  name: 'gaskit_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

new client.Gauge({
  name: 'gaskit_tenant_cache_entries',
  help: 'Entries in the tenant caches (tenants by id, slugs, realms); bounded, and never an unknown slug',
  labelNames: ['cache'] as const,
  registers: [registry],
  collect() {
    for (const [cache, size] of Object.entries(tenantCacheSizes())) this.set({ cache }, size);
  },
});

/** Records every request under its route pattern (never the raw URL, to keep label cardinality bounded). */
export const metricsMiddleware: RequestHandler = (req, res, next) => {
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    end({ method: req.method, route: routePattern(req) ?? 'unmatched', status: String(res.statusCode) });
  });
  next();
};

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `/metrics` for the scraper holding `METRICS_TOKEN` (`Authorization: Bearer <token>`). Without a
 * token configured, only a client on this machine outside production gets them (a developer's
 * Prometheus); anyone else gets 401 `metrics_token_required`.
 */
export function metricsAuth(config: Config): RequestHandler {
  const expected = config.metricsToken ? digest(config.metricsToken) : undefined;
  return (req, _res, next) => {
    const presented = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    const allowed = expected
      ? presented !== undefined && timingSafeEqual(digest(presented), expected)
      : config.env !== 'production' && fromLoopback(req);
    if (!allowed) throw new AuthError('metrics_token_required');
    next();
  };
}

export const metricsHandler: RequestHandler = async (_req, res) => {
  res.set('Content-Type', registry.contentType);
  res.send(await registry.metrics());
};
