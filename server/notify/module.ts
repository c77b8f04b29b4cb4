import type { ModuleManifest } from '../manifest.ts';
import { devToolsOnly, notifyRootRoutes } from './routes.ts';
import { notifyWorkers } from './service.ts';

/** The outbox and the dev mailbox, which guards the development tools (`local` endpoints). */
export const notifyModule: ModuleManifest = {
  name: 'notify',
  guards: { local: devToolsOnly },
  routes: (mount) => ({ root: [notifyRootRoutes(mount)] }),
  workers: notifyWorkers,
};
