import { Router, type Request, type RequestHandler } from 'express';
import Passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { ctxOf, subscriberCtxOf } from '../http/context.ts';
import { linkBase } from '../http/public-url.ts';
import { validate } from '../http/validate.ts';
import { captchaChallenge } from './captcha.ts';
import { deviceOf } from './device.ts';
import {
  ChangePasswordBody,
  ConfirmBody,
  ForgotBody,
  LoginBody,
  RegisterBody,
  ResendBody,
  ResetBody,
  SessionParams,
} from './schemas.ts';
import {
  changePassword,
  confirm,
  forgotPassword,
  register,
  resend,
  resetPassword,
  signIn,
  type ClientInfo,
  type LinkContext,
  type SignInAnswer,
} from './service.ts';
import {
  endCurrentSession,
  endSession,
  listSessions,
  optionalSession,
  requireAnySession,
  requireSubscriber,
} from './sessions.ts';

function clientOf(req: Request): ClientInfo {
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: req.get('user-agent') ?? '' };
}

function linkContext(req: Request, returnUrl: string | undefined): LinkContext {
  return { client: clientOf(req), linkBase: linkBase(ctxOf(req).tenant, returnUrl) };
}

/** The module's own authenticator: no strategy goes into passport's process-wide one. */
const passport = new Passport.Authenticator();

passport.use(
  'gaskit-password',
  new LocalStrategy(
    { usernameField: 'login', passwordField: 'password', passReqToCallback: true, session: false },
    (req, login, password, done) => {
      signIn(ctxOf(req), { login, password }, clientOf(req)).then(
        (answer) => done(null, answer),
        (err: unknown) => done(err),
      );
    },
  ),
);

/** passport-local with the domain errors of `signIn` passed on to the central handler. */
const authenticatePassword: RequestHandler = (req, res, next) => {
  passport.authenticate('gaskit-password', { session: false }, (err: unknown, answer: SignInAnswer | false) => {
    if (err) return next(err);
    res.locals.signIn = answer;
    next();
  })(req, res, next);
};

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export const authRoutes = Router({ mergeParams: true });
authRoutes.use(['/auth', '/me'], noStore);

authRoutes.get('/auth/captcha', async (req, res) => {
  res.json(await captchaChallenge(ctxOf(req).tenant.slug));
});

authRoutes.post('/auth/register', validate('body', RegisterBody), async (req, res) => {
  const { returnUrl, ...input } = req.body as RegisterBody;
  res.status(202).json(await register(ctxOf(req), input, linkContext(req, returnUrl)));
});

authRoutes.post('/auth/confirm', validate('body', ConfirmBody), async (req, res) => {
  res.json(await confirm(ctxOf(req), req.body as ConfirmBody, clientOf(req)));
});

authRoutes.post('/auth/resend', validate('body', ResendBody), async (req, res) => {
  const ctx = ctxOf(req);
  const { returnUrl, ...input } = req.body as ResendBody;
  const session = await optionalSession(ctx, req.get('authorization'));
  res.status(202).json(await resend(ctx, input, { ...linkContext(req, returnUrl), sessionSubscriberId: session?.subscriberId }));
});

authRoutes.post('/auth/login', validate('body', LoginBody), authenticatePassword, (_req, res) => {
  res.json(res.locals.signIn);
});

authRoutes.post('/auth/logout', requireAnySession, async (req, res) => {
  await endCurrentSession(subscriberCtxOf(req));
  res.status(204).end();
});

authRoutes.post('/auth/password/forgot', validate('body', ForgotBody), async (req, res) => {
  const { returnUrl, ...input } = req.body as ForgotBody;
  res.status(202).json(await forgotPassword(ctxOf(req), input, linkContext(req, returnUrl)));
});

authRoutes.post('/auth/password/reset', validate('body', ResetBody), async (req, res) => {
  res.json(await resetPassword(ctxOf(req), req.body as ResetBody, clientOf(req)));
});

authRoutes.post('/auth/password/change', requireAnySession, validate('body', ChangePasswordBody), async (req, res) => {
  res.json(await changePassword(subscriberCtxOf(req), req.body as ChangePasswordBody));
});

authRoutes.get('/me/sessions', requireSubscriber, async (req, res) => {
  res.json((await listSessions(subscriberCtxOf(req))).map((s) => ({ ...s, device: deviceOf(s.userAgent) })));
});

authRoutes.delete('/me/sessions/:id', requireSubscriber, validate('params', SessionParams), async (req, res) => {
  await endSession(subscriberCtxOf(req), String(req.params.id));
  res.status(204).end();
});
