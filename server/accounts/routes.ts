import { Router } from 'express';
import { accounts } from '../../contracts/accounts.ts';
import { mount } from '../endpoints.ts';
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

export const accountRoutes = Router({ mergeParams: true });

mount(accountRoutes, accounts.check, ({ ctx, body, req }) =>
  checkAccount(ctx, body, { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown' }),
);

mount(accountRoutes, accounts.list, async ({ ctx }) => ({ items: await listLinkedAccounts(ctx) }));

mount(accountRoutes, accounts.link, ({ ctx, body }) => linkAccount(ctx, body));

mount(accountRoutes, accounts.unlink, ({ ctx, params }) => unlinkAccount(ctx, params.id));

mount(accountRoutes, accounts.enterPin, ({ ctx, params, body }) => enterPin(ctx, params.id, body.pin));

mount(accountRoutes, accounts.summary, ({ ctx, params, query }) => accountSummaryFor(ctx, params.id, query.period));

mount(accountRoutes, accounts.charges, async ({ ctx, params, query }) => ({ items: await chargesFor(ctx, params.id, query) }));

mount(accountRoutes, accounts.meters, async ({ ctx, params }) => ({ items: await metersFor(ctx, params.id) }));
