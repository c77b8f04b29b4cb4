import type { ModuleManifest } from '../manifest.ts';
import { paymentsTemplates } from './receipt-template.ts';
import { paymentRootRoutes, paymentRoutes } from './routes.ts';
import { fulfilWorker } from './service.ts';

export const paymentsModule: ModuleManifest = {
  name: 'payments',
  routes: [paymentRoutes],
  rootRoutes: [paymentRootRoutes],
  workers: [fulfilWorker],
  templates: paymentsTemplates,
};
