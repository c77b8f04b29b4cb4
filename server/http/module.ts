import type { ModuleManifest } from '../manifest.ts';
import { ticketsWorker } from '../workers.ts';
import { idempotencySweepWorker } from './idempotency.ts';
import { documentRoutes } from './openapi.ts';

/** The API document, and the sweeps of what every module leaves behind: idempotency keys and lease tickets. */
export const httpModule: ModuleManifest = {
  name: 'http',
  routes: (mount) => ({ beforeDatabase: [documentRoutes(mount)] }),
  workers: [idempotencySweepWorker, ticketsWorker],
};
