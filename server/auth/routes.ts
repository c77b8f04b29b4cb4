import { Router, type Request, type RequestHandler, type Response } from 'express';
import Passport from 'passport';
import { auth } from '../../contracts/auth.ts';
import { mount } from '../endpoints.ts';
import { Strategy as LocalStrategy } from 'passport-local';
import { ctxOf } from '../http/context.ts';
import { linkBase } from '../http/public-url.ts';
import { captchaChallenge } from './captcha.ts';
import { deviceOf } from './device.ts';
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
import { endCurrentSession, endSession, listSessions, optionalSession } from './sessions.ts';

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
function authenticatePassword(req: Request, res: Response): Promise<SignInAnswer> {
  return new Promise((resolve, reject) => {
    passport.authenticate('gaskit-password', { session: false }, (err: unknown, answer: SignInAnswer | false) => {
      if (err || !answer) reject(err ?? new Error('passport-local answered without an error or a session'));
      else resolve(answer);
    })(req, res, reject);
  });
}

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export const authRoutes = Router({ mergeParams: true });
authRoutes.use(['/auth', '/me'], noStore);

mount(authRoutes, auth.captcha, async ({ ctx }) => {
  const challenge = await captchaChallenge(ctx.tenant.slug);
  return { ...challenge, parameters: { ...challenge.parameters } };
});

mount(authRoutes, auth.register, ({ ctx, body: { returnUrl, ...input }, req }) =>
  register(ctx, input, linkContext(req, returnUrl)),
);

mount(authRoutes, auth.confirm, ({ ctx, body, req }) => confirm(ctx, body, clientOf(req)));

mount(authRoutes, auth.resend, async ({ ctx, body: { returnUrl, ...input }, req }) => {
  const session = await optionalSession(ctx, req.get('authorization'));
  return resend(ctx, input, { ...linkContext(req, returnUrl), sessionSubscriberId: session?.subscriberId });
});

mount(authRoutes, auth.login, ({ req, res }) => authenticatePassword(req, res));

mount(authRoutes, auth.logout, ({ ctx }) => endCurrentSession(ctx));

mount(authRoutes, auth.forgot, ({ ctx, body: { returnUrl, ...input }, req }) =>
  forgotPassword(ctx, input, linkContext(req, returnUrl)),
);

mount(authRoutes, auth.reset, ({ ctx, body, req }) => resetPassword(ctx, body, clientOf(req)));

mount(authRoutes, auth.changePassword, ({ ctx, body }) => changePassword(ctx, body));

mount(authRoutes, auth.sessions, async ({ ctx }) =>
  (await listSessions(ctx)).map((s) => ({ ...s, device: deviceOf(s.userAgent) })),
);

mount(authRoutes, auth.endSession, ({ ctx, params }) => endSession(ctx, params.id));
