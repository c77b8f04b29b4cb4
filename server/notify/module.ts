import type { ModuleManifest } from '../manifest.ts';
import { notifyRootRoutes } from './routes.ts';
import { notifyWorkers } from './service.ts';

/** The outbox and the dev mailbox. */
export const notifyModule: ModuleManifest = { name: 'notify', rootRoutes: [notifyRootRoutes], workers: notifyWorkers };
