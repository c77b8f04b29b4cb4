import type { Router } from 'express';
import { accountRoutes } from './accounts/routes.ts';
import { demoBillsRoutes } from './billing/demo-routes.ts';
import { authRoutes } from './auth/routes.ts';
import { feedbackIntegrationRoutes } from './feedback/integration-routes.ts';
import { feedbackRoutes, inboundRoutes } from './feedback/routes.ts';
import { integrationRoutes } from './integration/routes.ts';
import { notifyRootRoutes } from './notify/routes.ts';
import { paymentRootRoutes, paymentRoutes } from './payments/routes.ts';
import { portalRoutes } from './portal/routes.ts';
import { readingsRoutes } from './readings/routes.ts';
import { meRoutes } from './auth/me-routes.ts';
import { tenantRoutes } from './tenants/routes.ts';

/**
 * Every domain module's routers. `tenant` routers are mounted under `/api/v1/t/:tenant`
 * behind tenant resolution and CORS; `root` routers at the server root.
 * A new module adds its line here.
 */
export const modules: { name: string; tenant?: Router; root?: Router }[] = [
  { name: 'tenants', tenant: tenantRoutes },
  { name: 'portal', root: portalRoutes },
  { name: 'feedback', tenant: feedbackRoutes, root: inboundRoutes },
  { name: 'auth', tenant: authRoutes },
  { name: 'me', tenant: meRoutes },
  { name: 'notify', root: notifyRootRoutes },
  { name: 'accounts', tenant: accountRoutes },
  { name: 'integration', tenant: integrationRoutes },
  { name: 'feedback-integration', tenant: feedbackIntegrationRoutes },
  { name: 'readings', tenant: readingsRoutes },
  { name: 'demo-bills', root: demoBillsRoutes },
  { name: 'payments', tenant: paymentRoutes, root: paymentRootRoutes },
];
