import type { ModuleManifest } from '../manifest.ts';
import { readingsRoutes } from './routes.ts';
import { readingsTemplates, readingsWorkers } from './service.ts';

export const readingsModule: ModuleManifest = {
  name: 'readings',
  routes: [readingsRoutes],
  workers: readingsWorkers,
  templates: readingsTemplates,
};
