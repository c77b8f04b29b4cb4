import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';

/** Characters that make a path segment a pattern (path-to-regexp) rather than literal text. */
const PATTERN = /[:*?{}()[\]+!\\]/;

/** The literal first segment of a mount or route path, lower-cased; null when it could be anything. */
function firstSegment(path: unknown): string | null {
  if (typeof path !== 'string' || !path.startsWith('/')) return null;
  const end = path.indexOf('/', 1);
  const segment = end === -1 ? path.slice(1) : path.slice(1, end);
  return segment === '' || PATTERN.test(segment) ? null : segment.toLowerCase();
}

/**
 * The first segments of every path a router's layers answer, or null when one of them could
 * answer any path (a middleware without a path, a pattern, a regular expression, a layer whose
 * path this router version does not expose).
 */
function segmentsOf(router: Router): Set<string> | null {
  const segments = new Set<string>();
  for (const layer of router.stack as { rawPath?: unknown }[]) {
    for (const path of Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath]) {
      const segment = firstSegment(path);
      if (segment === null) return null;
      segments.add(segment);
    }
  }
  return segments;
}

/** Passes the request through `routers` in turn, as consecutive `use(router)` layers do; an error skips the rest. */
function through(routers: readonly Router[], req: Request, res: Response, done: NextFunction): void {
  let at = 0;
  const next = (err?: unknown): void => {
    if (err) return done(err);
    const router = routers[at];
    at += 1;
    if (!router) return done();
    router(req, res, next);
  };
  next();
}

/**
 * One middleware for routers mounted one after another at the same place. A path's first
 * segment is literal text in every route here, so a request goes only through the routers that
 * have a route or mount under its first segment (and those that could answer any path), in their
 * order: the same answer as walking every router's layers, without matching every module's routes
 * against every request.
 */
export function routeIndex(routers: readonly Router[]): RequestHandler {
  const known = routers.map((router) => ({ router, segments: segmentsOf(router) }));
  const anywhere = known.filter((k) => k.segments === null).map((k) => k.router);
  const bySegment = new Map<string, Router[]>();
  for (const segment of new Set(known.flatMap((k) => [...(k.segments ?? [])]))) {
    bySegment.set(
      segment,
      known.filter((k) => k.segments === null || k.segments.has(segment)).map((k) => k.router),
    );
  }
  return (req, res, next) => {
    const path = req.path;
    const end = path.indexOf('/', 1);
    const segment = (end === -1 ? path.slice(1) : path.slice(1, end)).toLowerCase();
    through(bySegment.get(segment) ?? anywhere, req, res, next);
  };
}
