import { Router } from 'express';
import { me } from '../../contracts/me.ts';
import { mount } from '../endpoints.ts';
import { confirmContact, deleteCabinet, getMe, updateProfile } from './profile.ts';

/** `me`: the signed-in person's own cabinet. */
export const meRoutes = Router({ mergeParams: true });

mount(meRoutes, me.get, ({ ctx, res }) => {
  res.set('Cache-Control', 'no-store');
  return getMe(ctx);
});

mount(meRoutes, me.update, ({ ctx, body }) => updateProfile(ctx, body));

mount(meRoutes, me.confirmContact, ({ ctx, body }) => confirmContact(ctx, body));

mount(meRoutes, me.delete, ({ ctx, body }) => deleteCabinet(ctx, body));
