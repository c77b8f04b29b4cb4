import type { ModuleManifest } from '../manifest.ts';
import { authTemplates } from './emails.ts';
import { meRoutes } from './me-routes.ts';
import { authRoutes } from './routes.ts';
import { authSweepWorker, dropTokensOfDeleted } from './service.ts';
import { dropSessionsOfDeleted } from './sessions.ts';

/** Registration, sign-in, links and codes, sessions. */
export const authModule: ModuleManifest = {
  name: 'auth',
  routes: [authRoutes, meRoutes],
  workers: [authSweepWorker],
  templates: authTemplates,
  subscriberDeleted: { 'auth.sessions': dropSessionsOfDeleted, 'auth.tokens': dropTokensOfDeleted },
};
