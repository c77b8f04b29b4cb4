import type { ModuleManifest } from '../manifest.ts';
import { paymentsTemplates } from './receipt-template.ts';
import { paymentRootRoutes, paymentRoutes } from './routes.ts';
import { fulfilWorker, pendingPaidAmount } from './service.ts';

export const paymentsModule: ModuleManifest = {
  name: 'payments',
  routes: (mount) => ({ tenant: [paymentRoutes(mount)], root: [paymentRootRoutes(mount)] }),
  workers: [fulfilWorker],
  templates: paymentsTemplates,
  pendingPaid: pendingPaidAmount,
};
