import { Router, type RequestHandler } from 'express';
import { notify } from '../../contracts/notify.ts';
import { NotFoundError } from '../http/errors.ts';
import { fromLoopback } from '../http/loopback.ts';
import type { Mount } from '../http/mount.ts';
import { devMailboxPage, listDevMail } from './devmailbox.ts';
import { devMailboxEnabled } from './service.ts';

/**
 * The guard of the development tools (`local` endpoints): 404 unless the dev mailbox runs (demo
 * mode) and the client is on this machine (the mail holds everyone's links and codes).
 */
export const devToolsOnly: RequestHandler = (req, _res, next) => {
  if (!devMailboxEnabled() || !fromLoopback(req)) throw new NotFoundError('route_not_found');
  next();
};

/** `/dev/mailbox` and `/dev/mailbox.json`: what the dev mailbox caught, newest first. */
export function notifyRootRoutes(mount: Mount): Router {
  const router = Router();
  mount(router, notify.devMailbox, ({ query, res }) => {
    res.set('Cache-Control', 'no-store');
    return listDevMail(query);
  });
  mount(router, notify.devMailboxPage, async ({ query, res }) => {
    res.set('Cache-Control', 'no-store');
    return devMailboxPage(await listDevMail(query), 'Gaskit dev mailbox', 'No messages yet.');
  });
  return router;
}
