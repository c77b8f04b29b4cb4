/** Registration, sign-in, password recovery and the cabinet's sessions (server/auth). */
import { z } from 'zod';
import { LoginKind, PersonType } from './common.ts';
import { endpoint } from './endpoint.ts';
import { Me } from './me.ts';
import { CODE_LENGTH, PASSWORD_MAX_LENGTH } from './rules/auth.ts';

const Login = z.string().trim().min(1, 'required').max(254, 'invalid_login').meta({ example: 'ivanov@example.ru' });
const NewPassword = z.string().max(PASSWORD_MAX_LENGTH, 'too_long');
const AnyPassword = z.string().min(1, 'required').max(PASSWORD_MAX_LENGTH, 'too_long');
const Captcha = z
  .string()
  .max(8000)
  .optional()
  .meta({ description: 'The ALTCHA payload (base64) when the tenant has captcha on' });
const ReturnUrl = z.string().max(2000).optional().meta({
  description:
    "Page that emailed links lead to, on one of the supplier's allowedOrigins or the server's PUBLIC_URL; defaults to the supplier's hosted portal",
});
const Code = z
  .string()
  .trim()
  .regex(new RegExp(`^\\d{${CODE_LENGTH}}$`), 'code_format');
const LinkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'link_invalid');
const Channel = z.enum(['email', 'sms']);
const LinkOrCode = z.enum(['link', 'code']);

export const RegistrationPending = z
  .object({
    status: z.literal('pending'),
    login: z.string(),
    loginKind: LoginKind,
    channel: Channel,
    method: LinkOrCode,
    confirmBy: z.string().meta({ format: 'date-time', description: 'An unconfirmed cabinet is removed after this moment' }),
    resendAfter: z.number().int().meta({ description: 'Seconds before a resend is accepted' }),
  })
  .meta({ id: 'RegistrationPending' });

export const Confirmed = z
  .object({ status: z.enum(['confirmed', 'temporary_password_sent']), login: z.string() })
  .meta({ id: 'ConfirmAnswer' });

export const Sent = z
  .object({
    status: z.literal('sent'),
    channel: Channel.optional(),
    method: LinkOrCode.optional(),
    resendAfter: z.number().int(),
  })
  .meta({ id: 'SentAnswer' });

export const SignedIn = z
  .object({
    token: z.string().meta({ description: 'Bearer token' }),
    expiresAt: z.string().meta({ format: 'date-time' }),
    me: Me,
  })
  .meta({ id: 'SignIn' });

export const SessionInfo = z
  .object({
    id: z.string(),
    current: z.boolean(),
    userAgent: z.string(),
    device: z
      .object({ browser: z.string().nullable(), os: z.string().nullable(), mobile: z.boolean() })
      .meta({ description: 'The browser and system the User-Agent names, as a person reads them' }),
    ip: z.string(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Session' });

export const CaptchaChallenge = z
  .object({ parameters: z.record(z.string(), z.unknown()), signature: z.string().optional() })
  .meta({ id: 'CaptchaChallenge', description: 'ALTCHA v2 challenge' });

export const auth = {
  captcha: endpoint({
    method: 'GET',
    path: '/auth/captcha',
    auth: 'public',
    summary: 'A proof-of-work challenge for the "protection from robots" field (ALTCHA)',
    tags: ['Auth'],
    response: { status: 200, body: CaptchaChallenge, description: 'Challenge' },
    errors: [404],
  }),
  register: endpoint({
    method: 'POST',
    path: '/auth/register',
    auth: 'public',
    summary: "Open a cabinet in the tenant's flow; the same answer whether or not the login exists",
    tags: ['Auth'],
    body: z.strictObject({
      login: Login,
      password: NewPassword.optional(),
      passwordRepeat: NewPassword.optional(),
      personType: PersonType.optional(),
      consent: z.boolean().optional().meta({ description: 'Consent to the user agreement / processing of personal data' }),
      captcha: Captcha,
      returnUrl: ReturnUrl,
    }),
    response: { status: 202, body: RegistrationPending, description: 'Confirmation sent' },
    errors: [400, 429],
  }),
  confirm: endpoint({
    method: 'POST',
    path: '/auth/confirm',
    auth: 'public',
    summary: 'Confirm a cabinet by the emailed link token, or by login + code (+ consent in the email-code flow)',
    tags: ['Auth'],
    body: z.strictObject({
      token: LinkToken.optional(),
      login: Login.optional(),
      code: Code.optional(),
      consent: z.boolean().optional().meta({ description: 'Email-code flow: consent to the access rules' }),
    }),
    response: { status: 200, body: Confirmed, description: 'Confirmed' },
    errors: [400, 422, 429],
  }),
  resend: endpoint({
    method: 'POST',
    path: '/auth/resend',
    auth: 'public',
    summary: 'Send the confirmation link or code again (to the signed-in cabinet, or to a login)',
    tags: ['Auth'],
    body: z.strictObject({ login: Login.optional(), captcha: Captcha, returnUrl: ReturnUrl }),
    response: { status: 202, body: Sent, description: 'Sent if the cabinet awaits confirmation' },
    errors: [400, 429],
  }),
  login: endpoint({
    method: 'POST',
    path: '/auth/login',
    auth: 'public',
    summary: 'Sign in with login and password',
    tags: ['Auth'],
    body: z.strictObject({ login: Login, password: AnyPassword }),
    response: { status: 200, body: SignedIn, description: 'Signed in' },
    errors: [400, 401, 429],
  }),
  logout: endpoint({
    method: 'POST',
    path: '/auth/logout',
    auth: 'session',
    summary: 'End the current session',
    tags: ['Auth'],
    response: { status: 204, body: null, description: 'Signed out' },
    errors: [401],
  }),
  forgot: endpoint({
    method: 'POST',
    path: '/auth/password/forgot',
    auth: 'public',
    summary: 'Send a password reset link (email) or code (SMS); the same answer for every login',
    tags: ['Auth'],
    body: z.strictObject({ login: Login, captcha: Captcha, returnUrl: ReturnUrl }),
    response: { status: 202, body: Sent, description: 'Sent if the cabinet exists' },
    errors: [400, 429],
  }),
  reset: endpoint({
    method: 'POST',
    path: '/auth/password/reset',
    auth: 'public',
    summary: 'Set a new password with the reset link token, or login + code; ends every session',
    tags: ['Auth'],
    body: z.strictObject({
      token: LinkToken.optional(),
      login: Login.optional(),
      code: Code.optional(),
      password: AnyPassword,
      passwordRepeat: NewPassword.optional(),
    }),
    response: {
      status: 200,
      body: z.object({ status: z.literal('password_reset'), login: z.string() }),
      description: 'Password set',
    },
    errors: [400, 422, 429],
  }),
  changePassword: endpoint({
    method: 'POST',
    path: '/auth/password/change',
    auth: 'session',
    summary: 'Change the password (current one required); ends the other sessions',
    tags: ['Auth'],
    body: z.strictObject({ currentPassword: AnyPassword, password: AnyPassword, passwordRepeat: NewPassword.optional() }),
    response: { status: 200, body: Me, description: 'Changed' },
    errors: [400, 401, 429],
  }),
  sessions: endpoint({
    method: 'GET',
    path: '/me/sessions',
    auth: 'subscriber',
    summary: "The person's active sessions",
    tags: ['Me'],
    response: { status: 200, body: z.array(SessionInfo), description: 'Sessions' },
    errors: [401, 403],
  }),
  endSession: endpoint({
    method: 'DELETE',
    path: '/me/sessions/:id',
    auth: 'subscriber',
    summary: 'End one of the sessions',
    tags: ['Me'],
    params: z.strictObject({ id: z.string().max(64) }),
    response: { status: 204, body: null, description: 'Ended' },
    errors: [401, 403, 404],
  }),
};
