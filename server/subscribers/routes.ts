import { Router } from 'express';
import { requireAnySession, requireSubscriber } from '../auth/sessions.ts';
import { ctxOf } from '../http/context.ts';
import { validate } from '../http/validate.ts';
import { ContactConfirmBody, DeleteMeBody, ProfileBody } from './schemas.ts';
import { confirmContact, deleteCabinet, getMe, updateProfile } from './service.ts';

/** `me`: the signed-in person's own cabinet. */
export const meRoutes = Router({ mergeParams: true });

meRoutes.get('/me', requireAnySession, async (req, res) => {
  res.set('Cache-Control', 'no-store');
  res.json(await getMe(ctxOf(req)));
});

meRoutes.patch('/me', requireSubscriber, validate('body', ProfileBody), async (req, res) => {
  res.json(await updateProfile(ctxOf(req), req.body as ProfileBody));
});

meRoutes.post('/me/contact/confirm', requireSubscriber, validate('body', ContactConfirmBody), async (req, res) => {
  res.json(await confirmContact(ctxOf(req), req.body as ContactConfirmBody));
});

meRoutes.delete('/me', requireAnySession, validate('body', DeleteMeBody), async (req, res) => {
  await deleteCabinet(ctxOf(req), req.body as DeleteMeBody);
  res.status(204).end();
});
