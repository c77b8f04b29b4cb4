import type { ModuleManifest } from '../manifest.ts';
import { demoBillsRoutes } from './demo-routes.ts';

export const billingModule: ModuleManifest = { name: 'billing', rootRoutes: [demoBillsRoutes] };
