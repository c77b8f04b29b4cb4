/**
 * Registration and sign-in (`client.auth`): the three flows of a tenant, sign-in and sign-out
 * (the session token is kept by `client.session`), password recovery and change, and the
 * captcha challenge. Rules shared with the server are in contracts/rules/auth.ts.
 */
import { groupAccessor, type ClientCore } from './core.ts';
import type { LoginKind } from './types.ts';

export type PersonType = 'individual' | 'legal';

/** The signed-in person (`GET me`). */
export interface Me {
  id: string;
  login: string;
  loginKind: LoginKind;
  email: string | null;
  phone: string | null;
  fullName: string;
  personType: PersonType;
  /** `pending` until the email or phone is confirmed. */
  status: 'pending' | 'active';
  /** A temporary password is in use: it must be changed before anything else. */
  mustChangePassword: boolean;
  /** Until when an unconfirmed cabinet waits before it is removed (ISO time). */
  confirmBy: string | null;
  consent: { version: string; url: string; acceptedAt: string } | null;
  createdAt: string;
}

export interface RegisterInput {
  login: string;
  password?: string;
  passwordRepeat?: string;
  personType?: PersonType;
  /** Consent to the user agreement (password flows). */
  consent?: boolean;
  /** The solved captcha payload when the tenant has captcha on. */
  captcha?: string;
  /** The page emailed links lead to (an allowed origin of the tenant); the current page by default in browsers. */
  returnUrl?: string;
}

/** The answer to a registration: the same whether or not the login existed. */
export interface RegistrationPending {
  status: 'pending';
  login: string;
  loginKind: LoginKind;
  channel: 'email' | 'sms';
  method: 'link' | 'code';
  /** An unconfirmed cabinet is removed after this moment (ISO time). */
  confirmBy: string;
  /** Seconds before "send again" is accepted. */
  resendAfter: number;
}

export type ConfirmInput = { token: string } | { login: string; code: string; consent?: boolean };

export interface Confirmed {
  status: 'confirmed' | 'temporary_password_sent';
  login: string;
}

export interface Sent {
  status: 'sent';
  channel?: 'email' | 'sms';
  method?: 'link' | 'code';
  resendAfter: number;
}

export interface SignedIn {
  token: string;
  expiresAt: string;
  me: Me;
}

export type ResetInput = ({ token: string } | { login: string; code: string }) & { password: string; passwordRepeat?: string };

/** An ALTCHA challenge, solved by the captcha field. */
export interface CaptchaChallenge {
  parameters: Record<string, unknown>;
  signature?: string;
}

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
    return this.core.request<CaptchaChallenge>('auth/captcha', options);
  }

  /** `POST auth/register`: opens a cabinet in the tenant's flow; a link or code is sent. */
  register(input: RegisterInput, options: Options = {}): Promise<RegistrationPending> {
    return this.core.request<RegistrationPending>('auth/register', {
      method: 'POST',
      body: { returnUrl: currentPage(), ...input },
      ...options,
    });
  }

  /** `POST auth/confirm`: by the emailed link's token, or by login + code (+ consent in the email-code flow). */
  confirm(input: ConfirmInput, options: Options = {}): Promise<Confirmed> {
    return this.core.request<Confirmed>('auth/confirm', { method: 'POST', body: input, ...options });
  }

  /** `POST auth/resend`: the confirmation link or code again; for the signed-in person when no login is given. */
  resend(input: { login?: string; captcha?: string; returnUrl?: string }, options: Options = {}): Promise<Sent> {
    return this.core.request<Sent>('auth/resend', { method: 'POST', body: { returnUrl: currentPage(), ...input }, ...options });
  }

  /** `POST auth/login`: signs in and keeps the session token in `client.session`. */
  async signIn(input: { login: string; password: string }, options: Options = {}): Promise<SignedIn> {
    const answer = await this.core.request<SignedIn>('auth/login', { method: 'POST', body: input, ...options });
    this.core.session.setToken(answer.token);
    return answer;
  }

  /** `POST auth/logout`: ends the session on the server and forgets the token. */
  async signOut(options: Options = {}): Promise<void> {
    try {
      if (this.core.session.isSignedIn) await this.core.request<void>('auth/logout', { method: 'POST', ...options });
    } finally {
      this.core.session.clear();
    }
  }

  /** `POST auth/password/forgot`: a reset link by email, or a code by SMS for phone logins. */
  forgotPassword(input: { login: string; captcha?: string; returnUrl?: string }, options: Options = {}): Promise<Sent> {
    return this.core.request<Sent>('auth/password/forgot', {
      method: 'POST',
      body: { returnUrl: currentPage(), ...input },
      ...options,
    });
  }

  /** `POST auth/password/reset`: a new password with the link's token or login + code; every session ends. */
  resetPassword(input: ResetInput, options: Options = {}): Promise<{ status: 'password_reset'; login: string }> {
    return this.core.request('auth/password/reset', { method: 'POST', body: input, ...options });
  }

  /**
   * `POST auth/password/change`: the current password and a new one; the other sessions end.
   * Emits `session-changed`: a session that had a temporary password may now do everything.
   */
  async changePassword(
    input: { currentPassword: string; password: string; passwordRepeat?: string },
    options: Options = {},
  ): Promise<Me> {
    const me = await this.core.request<Me>('auth/password/change', { method: 'POST', body: input, ...options });
    this.core.events.emit('session-changed', { signedIn: true });
    return me;
  }
}

/** The auth group of a client (see `groupAccessor`). */
export const authOf = /* @__PURE__ */ groupAccessor((core) => new AuthApi(core));
