import type { Router } from 'express';
import type { PendingPaid } from './accounts/amount-due.ts';
import type { Guards, Mount } from './http/mount.ts';
import type { AttachmentLoader } from './notify/service.ts';
import type { Template } from './notify/templates.ts';
import type { SubscriberDeletedHook } from './subscribers/hooks.ts';
import type { Worker } from './workers.ts';

/** A module's routers of one app, by where they are mounted. */
export interface ModuleRoutes {
  /** Under `/api/v1/t/:tenant`, behind tenant resolution and CORS, in the modules' order. */
  tenant?: Router[];
  /** At the server root. */
  root?: Router[];
  /** At the server root, before the database check: they answer while the database is away. */
  beforeDatabase?: Router[];
}

/**
 * What a server module contributes to an app (`server/<module>/module.ts`); `bootstrap` builds
 * the app from the list in server/modules.ts. A module registers nothing when it is imported.
 */
export interface ModuleManifest {
  name: string;
  /**
   * The guards of the contracts' kinds of `auth` this module owns (sessions, API keys…); every
   * module's endpoints are mounted with them, so a module needs no import of the one that guards its endpoints.
   */
  guards?: Partial<Guards>;
  /** Builds the module's routers for one app; `mount` adds a contract's endpoint with its guard (server/http/mount.ts). */
  routes?: (mount: Mount) => ModuleRoutes;
  /** Periodic jobs (server/workers.ts). */
  workers?: Worker[];
  /** The notify templates the module sends, by name. */
  templates?: Record<string, Template>;
  /** Cleanups of the module's data about a subscriber being deleted, by name. */
  subscriberDeleted?: Record<string, SubscriberDeletedHook>;
  /** Files its emails attach (`{ source, id }`), by source. */
  attachmentSources?: Record<string, AttachmentLoader>;
  /** What the cabinet took that billing has not booked yet, which accounts subtracts from the debt (payments; one module at most). */
  pendingPaid?: PendingPaid;
}
