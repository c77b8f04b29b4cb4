/**
 * Registration and sign-in (`client.auth`): the three flows of a tenant, sign-in and sign-out
 * (the session token is kept by `client.session`), password recovery and change, and the
 * captcha challenge. Rules shared with the server are in contracts/rules/auth.ts.
 */
import type { z } from 'zod';
import type {
  auth,
  CaptchaChallenge as CaptchaChallengeSchema,
  Confirmed as ConfirmedSchema,
  RegistrationPending as RegistrationPendingSchema,
  Sent as SentSchema,
  SignedIn as SignedInSchema,
} from '../contracts/auth.ts';
import type { PersonType as PersonTypeSchema } from '../contracts/common.ts';
import type { BodyInput } from '../contracts/endpoint.ts';
import type { Me as MeSchema } from '../contracts/me.ts';
import { groupAccessor, type ClientCore } from './core.ts';

export type PersonType = z.output<typeof PersonTypeSchema>;

/** The signed-in person (`GET me`). */
export type Me = z.output<typeof MeSchema>;

/**
 * A registration: the login, the password (password flows) with its repeat, the person type,
 * consent, the solved captcha, and `returnUrl`, the page emailed links lead to (the current page
 * by default in browsers).
 */
export type RegisterInput = BodyInput<typeof auth.register>;

/** The answer to a registration: the same whether or not the login existed. */
export type RegistrationPending = z.output<typeof RegistrationPendingSchema>;

export type ConfirmInput = { token: string } | { login: string; code: string; consent?: boolean };

export type Confirmed = z.output<typeof ConfirmedSchema>;

export type Sent = z.output<typeof SentSchema>;

export type SignedIn = z.output<typeof SignedInSchema>;

export type ResetInput = ({ token: string } | { login: string; code: string }) & { password: string; passwordRepeat?: string };

/** An ALTCHA challenge, solved by the captcha field. */
export type CaptchaChallenge = z.output<typeof CaptchaChallengeSchema>;

/** The query parameters emailed links carry back to the page with the widget. */
export const LINK_PARAMS = { confirm: 'gaskit-confirm', reset: 'gaskit-reset' } as const;

function currentPage(): string | undefined {
  const location = (globalThis as { location?: { protocol: string; href: string } }).location;
  if (!location || !/^https?:$/.test(location.protocol)) return undefined;
  const url = new URL(location.href);
  for (const param of Object.values(LINK_PARAMS)) url.searchParams.delete(param);
  url.hash = '';
  return url.href;
}

interface Options {
  signal?: AbortSignal;
}

export class AuthApi {
  constructor(private readonly core: ClientCore) {}

  /** `GET auth/captcha`: a proof-of-work challenge for the captcha field. */
  captchaChallenge(options: Options = {}): Promise<CaptchaChallenge> {
    return this.core.call<typeof auth.captcha>('GET', '/auth/captcha', options);
  }

  /** `POST auth/register`: opens a cabinet in the tenant's flow; a link or code is sent. */
  register(input: RegisterInput, options: Options = {}): Promise<RegistrationPending> {
    return this.core.call<typeof auth.register>('POST', '/auth/register', {
      body: { returnUrl: currentPage(), ...input },
      ...options,
    });
  }

  /** `POST auth/confirm`: by the emailed link's token, or by login + code (+ consent in the email-code flow). */
  confirm(input: ConfirmInput, options: Options = {}): Promise<Confirmed> {
    return this.core.call<typeof auth.confirm>('POST', '/auth/confirm', { body: input, ...options });
  }

  /** `POST auth/resend`: the confirmation link or code again; for the signed-in person when no login is given. */
  resend(input: { login?: string; captcha?: string; returnUrl?: string }, options: Options = {}): Promise<Sent> {
    return this.core.call<typeof auth.resend>('POST', '/auth/resend', {
      body: { returnUrl: currentPage(), ...input },
      ...options,
    });
  }

  /** `POST auth/login`: signs in and keeps the session token in `client.session`. */
  async signIn(input: { login: string; password: string }, options: Options = {}): Promise<SignedIn> {
    const answer = await this.core.call<typeof auth.login>('POST', '/auth/login', { body: input, ...options });
    this.core.session.setToken(answer.token);
    return answer;
  }

  /** `POST auth/logout`: ends the session on the server and forgets the token. */
  async signOut(options: Options = {}): Promise<void> {
    try {
      if (this.core.session.isSignedIn) await this.core.call<typeof auth.logout>('POST', '/auth/logout', options);
    } finally {
      this.core.session.clear();
    }
  }

  /** `POST auth/password/forgot`: a reset link by email, or a code by SMS for phone logins. */
  forgotPassword(input: { login: string; captcha?: string; returnUrl?: string }, options: Options = {}): Promise<Sent> {
    return this.core.call<typeof auth.forgot>('POST', '/auth/password/forgot', {
      body: { returnUrl: currentPage(), ...input },
      ...options,
    });
  }

  /** `POST auth/password/reset`: a new password with the link's token or login + code; every session ends. */
  resetPassword(input: ResetInput, options: Options = {}): Promise<{ status: 'password_reset'; login: string }> {
    return this.core.call<typeof auth.reset>('POST', '/auth/password/reset', { body: input, ...options });
  }

  /**
   * `POST auth/password/change`: the current password and a new one; the other sessions end.
   * Emits `session-changed`: a session that had a temporary password may now do everything.
   */
  async changePassword(
    input: { currentPassword: string; password: string; passwordRepeat?: string },
    options: Options = {},
  ): Promise<Me> {
    const me = await this.core.call<typeof auth.changePassword>('POST', '/auth/password/change', { body: input, ...options });
    this.core.events.emit('session-changed', { signedIn: true });
    return me;
  }
}

/** The auth group of a client (see `groupAccessor`). */
export const authOf = /* @__PURE__ */ groupAccessor((core) => new AuthApi(core));
