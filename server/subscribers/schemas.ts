import { z } from 'zod';
import { CODE_LENGTH, FULL_NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH } from '../../contracts/rules/auth.ts';
import { errorResponses, openapi, TenantParam } from '../http/openapi.ts';

export const MeSchema = openapi.register(
  'Me',
  z.object({
    id: z.string(),
    login: z.string(),
    loginKind: z.enum(['email', 'phone']),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    fullName: z.string(),
    personType: z.enum(['individual', 'legal']),
    status: z.enum(['pending', 'active']),
    mustChangePassword: z.boolean(),
    confirmBy: z.string().nullable().openapi({ format: 'date-time' }),
    consent: z.object({ version: z.string(), url: z.string(), acceptedAt: z.string() }).nullable(),
    createdAt: z.string(),
  }),
);

export const ProfileBody = z.strictObject({
  fullName: z.string().max(FULL_NAME_MAX_LENGTH, 'too_long').optional(),
  email: z.string().max(254, 'invalid_email').optional(),
  phone: z.string().max(32, 'invalid_phone').optional(),
});
export type ProfileBody = z.infer<typeof ProfileBody>;

export const ContactConfirmBody = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(new RegExp(`^\\d{${CODE_LENGTH}}$`), 'code_format'),
});
export type ContactConfirmBody = z.infer<typeof ContactConfirmBody>;

export const DeleteMeBody = z.strictObject({ password: z.string().min(1, 'required').max(PASSWORD_MAX_LENGTH, 'too_long') });
export type DeleteMeBody = z.infer<typeof DeleteMeBody>;

const params = z.object({ tenant: TenantParam });
const security = [{ bearerAuth: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } } } });

openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/me',
  summary: 'The signed-in person',
  tags: ['Me'],
  security,
  request: { params },
  responses: { 200: json(MeSchema, 'Me'), ...errorResponses(401) },
});
openapi.registerPath({
  method: 'patch',
  path: '/t/{tenant}/me',
  summary: 'Profile settings; a new email or login phone waits for the code sent to it',
  tags: ['Me'],
  security,
  request: { params, ...body(ProfileBody) },
  responses: {
    200: json(
      z.object({ me: MeSchema, pendingContact: z.object({ field: z.enum(['email', 'phone']), value: z.string() }).nullable() }),
      'Saved',
    ),
    ...errorResponses(400, 401, 403, 429),
  },
});
openapi.registerPath({
  method: 'post',
  path: '/t/{tenant}/me/contact/confirm',
  summary: 'Apply the pending email or phone change with its code',
  tags: ['Me'],
  security,
  request: { params, ...body(ContactConfirmBody) },
  responses: { 200: json(MeSchema, 'Changed'), ...errorResponses(400, 401, 403, 409, 422) },
});
openapi.registerPath({
  method: 'delete',
  path: '/t/{tenant}/me',
  summary: 'Delete the cabinet (withdraws consent): personal data, sessions and account links are removed',
  tags: ['Me'],
  security,
  request: { params, ...body(DeleteMeBody) },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 429) },
});
