import type { ModuleManifest } from '../manifest.ts';
import { requireApiKey } from './keys.ts';
import { integrationRoutes } from './routes.ts';

/** The integration API: its API keys guard every `{ apiKey }` endpoint of the contracts. */
export const integrationModule: ModuleManifest = {
  name: 'integration',
  guards: { apiKey: requireApiKey },
  routes: (mount) => ({ tenant: [integrationRoutes(mount)] }),
};
