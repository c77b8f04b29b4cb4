import { Router } from 'express';
import { subscriberCtxOf } from '../http/context.ts';
import { validate } from '../http/validate.ts';
import { ContactConfirmBody, DeleteMeBody, ProfileBody } from '../subscribers/schemas.ts';
import { confirmContact, deleteCabinet, getMe, updateProfile } from './profile.ts';
import { requireAnySession, requireSubscriber } from './sessions.ts';

/** `me`: the signed-in person's own cabinet. */
export const meRoutes = Router({ mergeParams: true });

meRoutes.get('/me', requireAnySession, async (req, res) => {
  res.set('Cache-Control', 'no-store');
  res.json(await getMe(subscriberCtxOf(req)));
});

meRoutes.patch('/me', requireSubscriber, validate('body', ProfileBody), async (req, res) => {
  res.json(await updateProfile(subscriberCtxOf(req), req.body as ProfileBody));
});

meRoutes.post('/me/contact/confirm', requireSubscriber, validate('body', ContactConfirmBody), async (req, res) => {
  res.json(await confirmContact(subscriberCtxOf(req), req.body as ContactConfirmBody));
});

meRoutes.delete('/me', requireAnySession, validate('body', DeleteMeBody), async (req, res) => {
  await deleteCabinet(subscriberCtxOf(req), req.body as DeleteMeBody);
  res.status(204).end();
});
