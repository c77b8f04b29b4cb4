import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Response } from 'express';

/** Content-hashed files (the loader's chunks, the self-contained files' lazy chunks): never change. */
const HASHED = /[\\/](?:chunks|lazy)[\\/][^\\/]+-[\w-]{8}\.js(?:\.map)?$/;
/** What the build precompresses (`.br`, `.gz` beside the file). */
const COMPRESSIBLE = /\.(?:js|json|map)$/;
const ENCODINGS = { br: '.br', gzip: '.gz' } as const;
/** What a page may load from dist/: the loader, the SDK, the widget files and their chunks — not the compiled server or the npm packages built beside them. */
const PUBLIC = /^\/(?:gaskit\.js|sdk\.js|custom-elements\.json|(?:widgets|chunks|lazy)\/)/;

/**
 * Where pages load the widget files: the path that names the major version of the API they speak
 * (`/v1/gaskit.js` for `/api/v1/`, as Stripe.js pins `/v3/`; a release that breaks the
 * compatibility promise in docs/embedding.md moves to `/v2/`), and `/dist`, which pages embedded
 * before the versioned path keep using.
 */
export const WIDGET_PATHS = ['/v1', '/dist'];

/**
 * Serves the built widget files under `root` (dist/) with the precompressed variant the browser
 * accepts (`Content-Encoding: br` or `gzip`, `Vary: Accept-Encoding`), falling back to the file
 * itself. Content-hashed names are cached for a year as `immutable`; the stable names a page
 * links to (gaskit.js, sdk.js, widgets/*.js) for five minutes, then revalidated with their ETag
 * (304 when unchanged). Any origin may load them; nothing else under dist/ is served.
 */
export function widgetFiles(root: string): Router {
  const router = Router();
  router.use((req, res, next) => {
    if (!PUBLIC.test(req.path)) return next('router');
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !COMPRESSIBLE.test(req.path)) return next();
    res.vary('Accept-Encoding');
    // Brotli whenever accepted: browsers list gzip first, but br is the smaller file.
    const encoding = req.acceptsEncodings('br') ? 'br' : req.acceptsEncodings('gzip') ? 'gzip' : undefined;
    if (!encoding) return next();
    let file: string;
    try {
      file = path.join(root, path.normalize(decodeURIComponent(req.path)));
    } catch {
      return next(); // bad %-encoding: the static handler answers it
    }
    if (!file.startsWith(root + path.sep) || !existsSync(file + ENCODINGS[encoding])) return next();
    res.locals.encoding = encoding;
    req.url = req.path + ENCODINGS[encoding];
    next();
  });
  router.use(
    express.static(root, {
      index: false,
      cacheControl: false,
      setHeaders: (res: Response, file: string) => {
        const encoding = res.locals.encoding as keyof typeof ENCODINGS | undefined;
        const original = encoding ? file.slice(0, -ENCODINGS[encoding].length) : file;
        if (encoding) {
          res.set('Content-Encoding', encoding);
          res.type(path.extname(original));
        }
        res.set('Access-Control-Allow-Origin', '*');
        res.set('Cache-Control', HASHED.test(original) ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
      },
    }),
  );
  return router;
}
