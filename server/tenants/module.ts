import type { ModuleManifest } from '../manifest.ts';
import { tenantRoutes } from './routes.ts';

export const tenantsModule: ModuleManifest = { name: 'tenants', routes: (mount) => ({ tenant: [tenantRoutes(mount)] }) };
