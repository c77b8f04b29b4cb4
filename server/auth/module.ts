import type { ModuleManifest } from '../manifest.ts';
import { authTemplates } from './emails.ts';
import { meRoutes } from './me-routes.ts';
import { authRoutes } from './routes.ts';
import { authSweepWorker, dropTokensOfDeleted } from './service.ts';
import { dropSessionsOfDeleted, optionalSubscriber, requireAnySession, requireSubscriber } from './sessions.ts';

/** Registration, sign-in, links and codes, sessions: its sessions guard the subscribers' endpoints of every module. */
export const authModule: ModuleManifest = {
  name: 'auth',
  guards: { subscriber: requireSubscriber, session: requireAnySession, sender: optionalSubscriber },
  routes: (mount) => ({ tenant: [authRoutes(mount), meRoutes(mount)] }),
  workers: [authSweepWorker],
  templates: authTemplates,
  subscriberDeleted: { 'auth.sessions': dropSessionsOfDeleted, 'auth.tokens': dropTokensOfDeleted },
};
