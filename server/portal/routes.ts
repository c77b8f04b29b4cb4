import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import { getTenantBySlug } from '../tenants/service.ts';
import { escapeHtml } from './html.ts';

/**
 * First-party pages: the hosted portal at `/t/:tenant` (for suppliers without a site of their own)
 * and the rendered API reference at `/docs/api`.
 */
export const portalRoutes = Router();

/** The hosted portal may be framed only by the tenant's own sites. Stripe.js needs its own hosts. */
function portalCsp(allowedOrigins: string[]): string {
  const origins = allowedOrigins.filter((o) => /^https?:\/\/[\w.:-]+$/.test(o));
  return [
    "default-src 'self'",
    `frame-ancestors 'self' ${origins.join(' ')}`.trim(),
    "script-src 'self' https://js.stripe.com",
    "frame-src 'self' https://js.stripe.com https://hooks.stripe.com",
    "connect-src 'self' https://api.stripe.com",
    "img-src 'self' data:",
    "style-src 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

portalRoutes.get(['/t/:tenant', '/t/:tenant/{*rest}'], async (req, res) => {
  const tenant = await getTenantBySlug(String(req.params.tenant));
  const lang = tenant.defaultLocale;
  res.set('Content-Security-Policy', portalCsp(tenant.allowedOrigins));
  res.removeHeader('X-Frame-Options');
  const slug = escapeHtml(tenant.slug);
  // The tab's icon is the supplier's logo when it is served here (the policy allows own images);
  // otherwise an empty one, so the browser does not ask for a /favicon.ico there is none of.
  const icon = tenant.logoUrl.startsWith('/') && !tenant.logoUrl.startsWith('//') ? tenant.logoUrl : 'data:,';
  res.type('html').send(`<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(tenant.name)}</title>
<link rel="icon" href="${escapeHtml(icon)}">
<link rel="stylesheet" href="/api/v1/t/${slug}/theme.css">
<link rel="stylesheet" href="/portal/hosted.css">
<script type="module" src="/v1/gaskit.js"></script>
</head>
<body>
<gaskit-portal tenant="${slug}" base-path="/t/${slug}"></gaskit-portal>
</body>
</html>
`);
});

portalRoutes.get('/portal/hosted.css', (_req, res) => {
  res
    .type('text/css')
    .set('Cache-Control', 'public, max-age=300')
    .send('html,body{margin:0;min-height:100%}body{background:#f4f6f8}gaskit-portal{display:block;min-height:100vh}\n');
});

const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
portalRoutes.use('/docs/api/assets', express.static(swaggerDir, { index: false }));
portalRoutes.get('/docs/api/init.js', (_req, res) => {
  res
    .type('application/javascript')
    .send("window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#api', deepLinking: true });\n");
});
portalRoutes.get('/docs/api', (_req, res) => {
  res.type('html').send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gaskit API reference</title>
<link rel="stylesheet" href="/docs/api/assets/swagger-ui.css">
</head>
<body>
<div id="api"></div>
<script src="/docs/api/assets/swagger-ui-bundle.js"></script>
<script src="/docs/api/init.js"></script>
</body>
</html>
`);
});
