import { Router, type Request, type RequestHandler, type Response } from 'express';
import Passport from 'passport';
import { auth } from '../../contracts/auth.ts';
import { Strategy as LocalStrategy } from 'passport-local';
import { ctxOf } from '../http/context.ts';
import { linkBase } from '../http/public-url.ts';
import type { Mount } from '../http/mount.ts';
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

/** Registration, confirmation, sign-in and out, passwords, the captcha and the sessions of the cabinet. */
export function authRoutes(mount: Mount): Router {
  const router = Router({ mergeParams: true });
  router.use(['/auth', '/me'], noStore);
  mount(router, auth.captcha, async ({ ctx }) => {
    const challenge = await captchaChallenge(ctx.tenant.slug);
    return { ...challenge, parameters: { ...challenge.parameters } };
  });
  mount(router, auth.register, ({ ctx, body: { returnUrl, ...input }, req }) =>
    register(ctx, input, linkContext(req, returnUrl)),
  );
  mount(router, auth.confirm, ({ ctx, body, req }) => confirm(ctx, body, clientOf(req)));
  mount(router, auth.resend, async ({ ctx, body: { returnUrl, ...input }, req }) => {
    const session = await optionalSession(ctx, req.get('authorization'));
    return resend(ctx, input, { ...linkContext(req, returnUrl), sessionSubscriberId: session?.subscriberId });
  });
  mount(router, auth.login, ({ req, res }) => authenticatePassword(req, res));
  mount(router, auth.logout, ({ ctx }) => endCurrentSession(ctx));
  mount(router, auth.forgot, ({ ctx, body: { returnUrl, ...input }, req }) =>
    forgotPassword(ctx, input, linkContext(req, returnUrl)),
  );
  mount(router, auth.reset, ({ ctx, body, req }) => resetPassword(ctx, body, clientOf(req)));
  mount(router, auth.changePassword, ({ ctx, body }) => changePassword(ctx, body));
  mount(router, auth.sessions, async ({ ctx }) =>
    (await listSessions(ctx)).map((s) => ({ ...s, device: deviceOf(s.userAgent) })),
  );
  mount(router, auth.endSession, ({ ctx, params }) => endSession(ctx, params.id));
  return router;
}
