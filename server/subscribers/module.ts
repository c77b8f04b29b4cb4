import type { ModuleManifest } from '../manifest.ts';
import { meRoutes } from './routes.ts';

export const subscribersModule: ModuleManifest = { name: 'subscribers', routes: [meRoutes] };
