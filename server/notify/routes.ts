import { Router, type RequestHandler } from 'express';
import { NotFoundError } from '../http/errors.ts';
import { fromLoopback } from '../http/loopback.ts';
import { validate } from '../http/validate.ts';
import { devMailboxPage, listDevMail } from './devmailbox.ts';
import { DevMailboxQuery } from './schemas.ts';
import { devMailboxEnabled } from './service.ts';

/**
 * `/dev/mailbox` and `/dev/mailbox.json`: what the dev mailbox caught, newest first; 404 outside
 * demo mode and to clients on other machines (the mail holds everyone's links and codes).
 */
export const notifyRootRoutes = Router();

const demoOnly: RequestHandler = (req, _res, next) => {
  if (!devMailboxEnabled() || !fromLoopback(req)) throw new NotFoundError('route_not_found');
  next();
};

notifyRootRoutes.get('/dev/mailbox.json', demoOnly, validate('query', DevMailboxQuery), async (req, res) => {
  const { to, limit } = req.query as unknown as DevMailboxQuery;
  res.set('Cache-Control', 'no-store');
  res.json(await listDevMail({ to, limit }));
});

notifyRootRoutes.get('/dev/mailbox', demoOnly, validate('query', DevMailboxQuery), async (req, res) => {
  const { to, limit } = req.query as unknown as DevMailboxQuery;
  res.set('Cache-Control', 'no-store');
  res.type('html').send(devMailboxPage(await listDevMail({ to, limit }), 'Gaskit dev mailbox', 'No messages yet.'));
});
