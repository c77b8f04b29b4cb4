import { Router } from 'express';
import { ctxOf } from '../http/context.ts';
import { selfOrigin } from '../http/tenant-scope.ts';
import { validate } from '../http/validate.ts';
import { bundleFor } from '../i18n/index.ts';
import { LngParams } from './schemas.ts';
import { publicConfig } from './service.ts';
import { getTheme, themeCss } from './themes.ts';

export const tenantRoutes = Router({ mergeParams: true });

tenantRoutes.get('/config', async (req, res) => {
  res.set('Cache-Control', 'public, max-age=60');
  res.json(await publicConfig(ctxOf(req).tenant, selfOrigin(req)));
});

tenantRoutes.get('/i18n/:lng', validate('params', LngParams), (req, res) => {
  const { tenant } = ctxOf(req);
  const lng = String(req.params.lng);
  res.set('Cache-Control', 'public, max-age=300');
  res.json({ lng, resources: bundleFor(lng, tenant.texts) });
});

tenantRoutes.get('/theme.css', (req, res) => {
  res.set('Cache-Control', 'public, max-age=300');
  res.type('text/css').send(themeCss(getTheme(ctxOf(req).tenant.theme)));
});
