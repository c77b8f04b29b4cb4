import { Router } from 'express';
import { me } from '../../contracts/me.ts';
import type { Mount } from '../http/mount.ts';
import { confirmContact, deleteCabinet, getMe, updateProfile } from './profile.ts';

/** `me`: the signed-in person's own cabinet. */
export function meRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  mount(router, me.get, ({ ctx, res }) => {
    res.set('Cache-Control', 'no-store');
    return getMe(ctx);
  });
  mount(router, me.update, ({ ctx, body }) => updateProfile(ctx, body));
  mount(router, me.confirmContact, ({ ctx, body }) => confirmContact(ctx, body));
  mount(router, me.delete, ({ ctx, body }) => deleteCabinet(ctx, body));
  return router;
}
