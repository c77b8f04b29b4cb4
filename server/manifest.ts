import type { Router } from 'express';
import type { AttachmentLoader } from './notify/service.ts';
import type { Template } from './notify/templates.ts';
import type { SubscriberDeletedHook } from './subscribers/hooks.ts';
import type { Worker } from './workers.ts';

/**
 * What a server module contributes to an app (`server/<module>/module.ts`); `bootstrap` builds
 * the app from the list in server/modules.ts. A module registers nothing when it is imported.
 */
export interface ModuleManifest {
  name: string;
  /** Mounted under `/api/v1/t/:tenant`, behind tenant resolution and CORS, in the list's order. */
  routes?: Router[];
  /** Mounted at the server root. */
  rootRoutes?: Router[];
  /** Periodic jobs (server/workers.ts). */
  workers?: Worker[];
  /** The notify templates the module sends, by name. */
  templates?: Record<string, Template>;
  /** Cleanups of the module's data about a subscriber being deleted, by name. */
  subscriberDeleted?: Record<string, SubscriberDeletedHook>;
  /** Files its emails attach (`{ source, id }`), by source. */
  attachmentSources?: Record<string, AttachmentLoader>;
}
