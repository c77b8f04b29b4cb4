import { Router } from 'express';
import { tenants, WIDGET_NAMESPACES } from '../../contracts/tenants.ts';
import { ValidationError } from '../http/errors.ts';
import { publicUrl } from '../http/public-url.ts';
import type { Mount } from '../http/mount.ts';
import { bundleFor, SUPPORTED_LOCALES } from '../i18n/index.ts';
import { publicConfig } from './service.ts';
import { sendTexts } from './texts-answer.ts';
import { getTheme, themeCss } from './themes.ts';

/** The supplier's public configuration, texts and theme. */
export function tenantRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(router, tenants.config, ({ ctx, res }) => {
    // Cached by shared caches: nothing in it comes from the request's Host or X-Forwarded-Host.
    res.set('Cache-Control', 'public, max-age=60');
    return publicConfig(ctx.tenant, publicUrl());
  });
  mount(router, tenants.texts, async ({ ctx, params: { lng }, query: { ns }, req, res }) => {
    if (!SUPPORTED_LOCALES.includes(lng)) throw new ValidationError({ lng: { code: 'unsupported_locale' } });
    res.set('Cache-Control', 'public, max-age=300');
    const namespaces = ns ? [...new Set(ns.split(','))] : WIDGET_NAMESPACES;
    const answer = { lng, resources: bundleFor(lng, namespaces, ctx.tenant.texts) };
    await sendTexts(req, res, JSON.stringify(answer));
    return answer;
  });
  mount(router, tenants.theme, ({ ctx, res }) => {
    res.set('Cache-Control', 'public, max-age=300');
    return themeCss(getTheme(ctx.tenant.theme));
  });
  return router;
}
