import type { ModuleManifest } from '../manifest.ts';
import { portalRoutes } from './routes.ts';

export const portalModule: ModuleManifest = { name: 'portal', routes: () => ({ root: [portalRoutes] }) };
