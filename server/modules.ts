import type { Router } from 'express';
import { authRoutes } from './auth/routes.ts';
import { notifyRootRoutes } from './notify/routes.ts';
import { portalRoutes } from './portal/routes.ts';
import { meRoutes } from './subscribers/routes.ts';
import { tenantRoutes } from './tenants/routes.ts';

/**
 * Every domain module's routers. `tenant` routers are mounted under `/api/v1/t/:tenant`
 * behind tenant resolution and CORS; `root` routers at the server root.
 * A new module adds its line here.
 */
export const modules: { name: string; tenant?: Router; root?: Router }[] = [
  { name: 'tenants', tenant: tenantRoutes },
  { name: 'portal', root: portalRoutes },
  { name: 'auth', tenant: authRoutes },
  { name: 'subscribers', tenant: meRoutes },
  { name: 'notify', root: notifyRootRoutes },
];
