/** `me`: the signed-in person's own cabinet (server/subscribers). */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { LoginKind, PersonType } from './common.ts';
import { CODE_LENGTH, FULL_NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH } from './rules/auth.ts';

/** The signed-in person. */
export const Me = z
  .object({
    id: z.string(),
    login: z.string(),
    loginKind: LoginKind,
    email: z.string().nullable(),
    phone: z.string().nullable(),
    fullName: z.string(),
    personType: PersonType,
    status: z.enum(['pending', 'active']).meta({ description: '`pending` until the email or phone is confirmed' }),
    mustChangePassword: z
      .boolean()
      .meta({ description: 'A temporary password is in use: it must be changed before anything else' }),
    confirmBy: z
      .string()
      .nullable()
      .meta({ format: 'date-time', description: 'Until when an unconfirmed cabinet waits before it is removed' }),
    consent: z.object({ version: z.string(), url: z.string(), acceptedAt: z.string() }).nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Me' });

export const ProfileBody = z.strictObject({
  fullName: z.string().max(FULL_NAME_MAX_LENGTH, 'too_long').optional(),
  email: z.string().max(254, 'invalid_email').optional(),
  phone: z.string().max(32, 'invalid_phone').optional(),
});

const Code = z
  .string()
  .trim()
  .regex(new RegExp(`^\\d{${CODE_LENGTH}}$`), 'code_format');

export const me = {
  get: endpoint({
    method: 'GET',
    path: '/me',
    auth: 'session',
    summary: 'The signed-in person',
    tags: ['Me'],
    response: { status: 200, body: Me, description: 'Me' },
    errors: [401],
  }),
  update: endpoint({
    method: 'PATCH',
    path: '/me',
    auth: 'subscriber',
    summary: 'Profile settings; a new email or login phone waits for the code sent to it',
    tags: ['Me'],
    body: ProfileBody,
    response: {
      status: 200,
      body: z.object({
        me: Me,
        pendingContact: z
          .object({ field: z.enum(['email', 'phone']), value: z.string() })
          .nullable()
          .meta({ description: 'The new email or phone waiting for its code' }),
      }),
      description: 'Saved',
    },
    errors: [400, 401, 403, 429],
  }),
  confirmContact: endpoint({
    method: 'POST',
    path: '/me/contact/confirm',
    auth: 'subscriber',
    summary: 'Apply the pending email or phone change with its code',
    tags: ['Me'],
    body: z.strictObject({ code: Code }),
    response: { status: 200, body: Me, description: 'Changed' },
    errors: [400, 401, 403, 409, 422],
  }),
  delete: endpoint({
    method: 'DELETE',
    path: '/me',
    auth: 'session',
    summary: 'Delete the cabinet (withdraws consent): personal data, sessions and account links are removed',
    tags: ['Me'],
    body: z.strictObject({ password: z.string().min(1, 'required').max(PASSWORD_MAX_LENGTH, 'too_long') }),
    response: { status: 204, body: null, description: 'Deleted' },
    errors: [400, 401, 429],
  }),
};
