import type { ModuleManifest } from '../manifest.ts';
import { accountRoutes } from './routes.ts';
import { dropLinksOfDeleted } from './service.ts';

/** The accounts module's settings of one app (`AppContext.accounts`). */
export interface AccountSettings {
  /** How many times a change of a link list tries while the list is busy (tests use few). */
  linkTries: number;
}

export const accountsModule: ModuleManifest = {
  name: 'accounts',
  routes: (mount) => ({ tenant: [accountRoutes(mount)] }),
  subscriberDeleted: { accounts: dropLinksOfDeleted },
};
