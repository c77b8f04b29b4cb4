import { accountsModule } from './accounts/module.ts';
import { authModule } from './auth/module.ts';
import { billingModule } from './billing/module.ts';
import { feedbackModule } from './feedback/module.ts';
import { httpModule } from './http/module.ts';
import { integrationModule } from './integration/module.ts';
import type { ModuleManifest } from './manifest.ts';
import { notifyModule } from './notify/module.ts';
import { paymentsModule } from './payments/module.ts';
import { portalModule } from './portal/module.ts';
import { readingsModule } from './readings/module.ts';
import { subscribersModule } from './subscribers/module.ts';
import { tenantsModule } from './tenants/module.ts';

/**
 * Every server module, in the order their routers are mounted. `bootstrap` builds an app from
 * this list; a new module adds its manifest here.
 */
export const MODULES: readonly ModuleManifest[] = [
  httpModule,
  tenantsModule,
  portalModule,
  feedbackModule,
  authModule,
  subscribersModule,
  notifyModule,
  accountsModule,
  integrationModule,
  readingsModule,
  billingModule,
  paymentsModule,
];
