import { z } from 'zod';
import { CODE_LENGTH, PASSWORD_MAX_LENGTH } from '../../contracts/rules/auth.ts';
import { errorResponses, openapi, TenantParam } from '../http/openapi.ts';
import { MeSchema } from '../subscribers/schemas.ts';

const Login = z.string().trim().min(1, 'required').max(254, 'invalid_login').openapi({ example: 'ivanov@example.ru' });
const NewPassword = z.string().max(PASSWORD_MAX_LENGTH, 'too_long');
const AnyPassword = z.string().min(1, 'required').max(PASSWORD_MAX_LENGTH, 'too_long');
const Captcha = z
  .string()
  .max(8000)
  .optional()
  .openapi({ description: 'The ALTCHA payload (base64) when the tenant has captcha on' });
const ReturnUrl = z.string().max(2000).optional().openapi({
  description:
    "Page that emailed links lead to, on one of the supplier's allowedOrigins or the server's PUBLIC_URL; defaults to the supplier's hosted portal",
});
const Code = z
  .string()
  .trim()
  .regex(new RegExp(`^\\d{${CODE_LENGTH}}$`), 'code_format');
const LinkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'link_invalid');

export const RegisterBody = z.strictObject({
  login: Login,
  password: NewPassword.optional(),
  passwordRepeat: NewPassword.optional(),
  personType: z.enum(['individual', 'legal']).optional(),
  consent: z.boolean().optional().openapi({ description: 'Consent to the user agreement / processing of personal data' }),
  captcha: Captcha,
  returnUrl: ReturnUrl,
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const ConfirmBody = z.strictObject({
  token: LinkToken.optional(),
  login: Login.optional(),
  code: Code.optional(),
  consent: z.boolean().optional().openapi({ description: 'Email-code flow: consent to the access rules' }),
});
export type ConfirmBody = z.infer<typeof ConfirmBody>;

export const ResendBody = z.strictObject({ login: Login.optional(), captcha: Captcha, returnUrl: ReturnUrl });
export type ResendBody = z.infer<typeof ResendBody>;

export const LoginBody = z.strictObject({ login: Login, password: AnyPassword });
export type LoginBody = z.infer<typeof LoginBody>;

export const ForgotBody = z.strictObject({ login: Login, captcha: Captcha, returnUrl: ReturnUrl });
export type ForgotBody = z.infer<typeof ForgotBody>;

export const ResetBody = z.strictObject({
  token: LinkToken.optional(),
  login: Login.optional(),
  code: Code.optional(),
  password: AnyPassword,
  passwordRepeat: NewPassword.optional(),
});
export type ResetBody = z.infer<typeof ResetBody>;

export const ChangePasswordBody = z.strictObject({
  currentPassword: AnyPassword,
  password: AnyPassword,
  passwordRepeat: NewPassword.optional(),
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const SessionParams = z.strictObject({ tenant: z.string(), id: z.string().max(64) });

const PendingAnswer = openapi.register(
  'RegistrationPending',
  z.object({
    status: z.literal('pending'),
    login: z.string(),
    loginKind: z.enum(['email', 'phone']),
    channel: z.enum(['email', 'sms']),
    method: z.enum(['link', 'code']),
    confirmBy: z.string().openapi({ format: 'date-time', description: 'An unconfirmed cabinet is removed after this moment' }),
    resendAfter: z.number().int().openapi({ description: 'Seconds before a resend is accepted' }),
  }),
);
const ConfirmAnswer = openapi.register(
  'ConfirmAnswer',
  z.object({ status: z.enum(['confirmed', 'temporary_password_sent']), login: z.string() }),
);
const SentAnswer = openapi.register(
  'SentAnswer',
  z.object({
    status: z.literal('sent'),
    channel: z.enum(['email', 'sms']).optional(),
    method: z.enum(['link', 'code']).optional(),
    resendAfter: z.number().int(),
  }),
);
const SignInAnswer = openapi.register(
  'SignIn',
  z.object({
    token: z.string().openapi({ description: 'Bearer token' }),
    expiresAt: z.string().openapi({ format: 'date-time' }),
    me: MeSchema,
  }),
);
const SessionView = openapi.register(
  'Session',
  z.object({
    id: z.string(),
    current: z.boolean(),
    userAgent: z.string(),
    device: z
      .object({ browser: z.string().nullable(), os: z.string().nullable(), mobile: z.boolean() })
      .openapi({ description: 'The browser and system the User-Agent names, as a person reads them' }),
    ip: z.string(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
  }),
);
const Challenge = openapi.register(
  'CaptchaChallenge',
  z
    .object({ parameters: z.record(z.string(), z.unknown()), signature: z.string().optional() })
    .openapi({ description: 'ALTCHA v2 challenge' }),
);

const params = z.object({ tenant: TenantParam });
const bearer = [{ bearerAuth: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } } } });

openapi.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });

openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/auth/captcha',
  summary: 'A proof-of-work challenge for the "protection from robots" field (ALTCHA)',
  tags: ['Auth'],
  request: { params },
  responses: { 200: json(Challenge, 'Challenge'), ...errorResponses(404) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/auth/register',
  summary: "Open a cabinet in the tenant's flow; the same answer whether or not the login exists",
  tags: ['Auth'],
  request: { params, ...body(RegisterBody) },
  responses: { 202: json(PendingAnswer, 'Confirmation sent'), ...errorResponses(400, 429) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/auth/confirm',
  summary: 'Confirm a cabinet by the emailed link token, or by login + code (+ consent in the email-code flow)',
  tags: ['Auth'],
  request: { params, ...body(ConfirmBody) },
  responses: { 200: json(ConfirmAnswer, 'Confirmed'), ...errorResponses(400, 422, 429) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/auth/resend',
  summary: 'Send the confirmation link or code again (to the signed-in cabinet, or to a login)',
  tags: ['Auth'],
  request: { params, ...body(ResendBody) },
  responses: { 202: json(SentAnswer, 'Sent if the cabinet awaits confirmation'), ...errorResponses(400, 429) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/auth/login',
  summary: 'Sign in with login and password',
  tags: ['Auth'],
  request: { params, ...body(LoginBody) },
  responses: { 200: json(SignInAnswer, 'Signed in'), ...errorResponses(400, 401, 429) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/auth/logout',
  summary: 'End the current session',
  tags: ['Auth'],
  security: bearer,
  request: { params },
  responses: { 204: { description: 'Signed out' }, ...errorResponses(401) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/auth/password/forgot',
  summary: 'Send a password reset link (email) or code (SMS); the same answer for every login',
  tags: ['Auth'],
  request: { params, ...body(ForgotBody) },
  responses: { 202: json(SentAnswer, 'Sent if the cabinet exists'), ...errorResponses(400, 429) },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/auth/password/reset',
  summary: 'Set a new password with the reset link token, or login + code; ends every session',
  tags: ['Auth'],
  request: { params, ...body(ResetBody) },
  responses: {
    200: json(z.object({ status: z.literal('password_reset'), login: z.string() }), 'Password set'),
    ...errorResponses(400, 422, 429),
  },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/auth/password/change',
  summary: 'Change the password (current one required); ends the other sessions',
  tags: ['Auth'],
  security: bearer,
  request: { params, ...body(ChangePasswordBody) },
  responses: { 200: json(MeSchema, 'Changed'), ...errorResponses(400, 401, 429) },
});
openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/me/sessions',
  summary: "The person's active sessions",
  tags: ['Me'],
  security: bearer,
  request: { params },
  responses: { 200: json(z.array(SessionView), 'Sessions'), ...errorResponses(401, 403) },
});
openapi.registerPath({
  method: 'delete',
  path: '/t/{tenant}/me/sessions/{id}',
  summary: 'End one of the sessions',
  tags: ['Me'],
  security: bearer,
  request: { params: params.extend({ id: z.string() }) },
  responses: { 204: { description: 'Ended' }, ...errorResponses(401, 403, 404) },
});
