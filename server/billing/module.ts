import type { ModuleManifest } from '../manifest.ts';
import { demoBillsRoutes } from './demo-routes.ts';
import { foldBalancesWorker } from './service.ts';

export const billingModule: ModuleManifest = {
  name: 'billing',
  routes: () => ({ root: [demoBillsRoutes] }),
  workers: [foldBalancesWorker],
};
