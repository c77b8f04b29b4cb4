import type { ModuleManifest } from '../manifest.ts';
import { integrationRoutes } from './routes.ts';

export const integrationModule: ModuleManifest = { name: 'integration', routes: [integrationRoutes] };
