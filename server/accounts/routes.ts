import { Router } from 'express';
import { accounts } from '../../contracts/accounts.ts';
import type { Mount } from '../http/mount.ts';
import {
  accountSummaryFor,
  chargesFor,
  checkAccount,
  enterPin,
  linkAccount,
  listLinkedAccounts,
  metersFor,
  unlinkAccount,
} from './service.ts';

/** Linking accounts and what the cabinet shows of them: summary, charges, meters. */
export function accountRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(router, accounts.check, ({ ctx, body, req }) =>
    checkAccount(ctx, body, { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown' }),
  );
  mount(router, accounts.list, async ({ ctx }) => ({ items: await listLinkedAccounts(ctx) }));
  mount(router, accounts.link, ({ ctx, body }) => linkAccount(ctx, body));
  mount(router, accounts.unlink, ({ ctx, params }) => unlinkAccount(ctx, params.id));
  mount(router, accounts.enterPin, ({ ctx, params, body }) => enterPin(ctx, params.id, body.pin));
  mount(router, accounts.summary, ({ ctx, params, query }) => accountSummaryFor(ctx, params.id, query.period));
  mount(router, accounts.charges, async ({ ctx, params, query }) => ({ items: await chargesFor(ctx, params.id, query) }));
  mount(router, accounts.meters, async ({ ctx, params }) => ({ items: await metersFor(ctx, params.id) }));
  return router;
}
