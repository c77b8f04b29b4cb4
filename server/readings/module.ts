import type { ModuleManifest } from '../manifest.ts';
import { readingsRoutes } from './routes.ts';
import { readingsTemplates, readingsWorkers } from './service.ts';

export const readingsModule: ModuleManifest = {
  name: 'readings',
  routes: (mount) => ({ tenant: [readingsRoutes(mount)] }),
  workers: readingsWorkers,
  templates: readingsTemplates,
};
