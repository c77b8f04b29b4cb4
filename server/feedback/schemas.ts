import { z } from 'zod';
import { feedbackRequestShape } from '../../contracts/feedback.ts';
import { FEEDBACK_STATUSES } from '../../contracts/rules/feedback.ts';
import { errorResponses, openapi, TenantParam } from '../http/openapi.ts';

/**
 * The feedback endpoints not on contracts yet: the integration API's (feedback-integration) and
 * the inbound replies of departments. The subscriber's endpoints are in contracts/feedback.ts.
 */

// Integration API (bodies the supplier's systems send) ---------------------------------------------

export const ANSWER_MAX_LENGTH = 20_000;

export const FeedbackIdParams = z.strictObject({ tenant: z.string(), id: z.string().regex(/^[a-f0-9]{24}$/, 'not_found') });

export const FeedbackUpdateBody = openapi.register(
  'FeedbackUpdate',
  z
    .strictObject({
      status: z.enum(FEEDBACK_STATUSES).exclude(['new']).optional(),
      answer: z.string().trim().min(1, 'required').max(ANSWER_MAX_LENGTH, 'too_long').optional(),
    })
    .refine((b) => b.status !== undefined || b.answer !== undefined, { message: 'nothing_to_update', path: ['_'] }),
);
export type FeedbackUpdateBody = z.infer<typeof FeedbackUpdateBody>;

/** The supplier's own id of a questions-and-answers entry. */
const FaqKey = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.:-]+$/, 'invalid_format');
const Lng = z.string().regex(/^[a-z]{2}$/, 'unsupported_locale');

const FaqEntryIn = z.strictObject({
  key: FaqKey,
  lng: Lng.optional().openapi({ description: "Language of the entry; the supplier's default language when left out" }),
  question: z.string().trim().min(1, 'required').max(1000, 'too_long'),
  answer: z.string().trim().min(1, 'required').max(20_000, 'too_long'),
  topic: z.string().max(64).default(''),
  order: z.number().int().min(0).max(1_000_000).default(0),
});
export const FaqUpsertBody = openapi.register('FaqUpsert', z.strictObject({ entries: z.array(FaqEntryIn).min(1).max(500) }));
export type FaqUpsertBody = z.infer<typeof FaqUpsertBody>;

export const FaqKeyParams = z.strictObject({ tenant: z.string(), key: FaqKey });
export const FaqDeleteQuery = z.strictObject({ lng: Lng.optional() });
export type FaqDeleteQuery = z.infer<typeof FaqDeleteQuery>;

export const FeedbackExportQuery = z.strictObject({
  status: z.enum(FEEDBACK_STATUSES).optional(),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'invalid_cursor')
    .optional()
    .openapi({ description: 'The `cursor` of the previous page; left out, the oldest change first' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type FeedbackExportQuery = z.infer<typeof FeedbackExportQuery>;

// OpenAPI -----------------------------------------------------------------------------------------

const tenantParams = z.object({ tenant: TenantParam });
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

openapi.registerPath({
  method: 'post',
  path: '/inbound/email',
  summary: 'A department’s reply by email, posted by the mail service as the raw message; signed with the inbound secret',
  tags: ['Feedback'],
  request: {
    headers: z.object({
      'x-gaskit-signature': z
        .string()
        .openapi({ description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> with GASKIT_INBOUND_SECRET' }),
    }),
    body: { content: { 'message/rfc822': { schema: z.string() } } },
  },
  responses: {
    200: {
      description: 'Answer recorded',
      content: json(z.object({ requestId: z.string(), status: z.enum(FEEDBACK_STATUSES) })),
    },
    ...errorResponses(400, 401, 404, 422),
  },
});

// Integration API: the supplier's systems (API key) ---------------------------------------------------

const apiKey = [{ apiKey: [] }];
const Source = z.enum(['subscriber', 'integration', 'email']);
const IntegrationFeedbackOut = openapi.register(
  'IntegrationFeedbackRequest',
  z.object({
    ...feedbackRequestShape,
    subscriberId: z.string().nullable().openapi({ description: 'The author when signed in; null for an anonymous request' }),
    department: z.object({ id: z.string(), email: z.string() }),
    answers: z.array(z.object({ text: z.string(), source: Source.exclude(['subscriber']), from: z.string(), at: z.string() })),
    history: z.array(z.object({ status: z.enum(FEEDBACK_STATUSES), source: Source, at: z.string() })),
  }),
);

openapi.registerPath({
  method: 'get',
  path: '/t/{tenant}/integration/feedback',
  summary:
    'Requests changed after the cursor, oldest change first, with the cursor of the last one (a request that changes again comes back); scope export:read',
  tags: ['Integration'],
  security: apiKey,
  request: { params: tenantParams, query: FeedbackExportQuery },
  responses: {
    200: {
      description: 'A page of requests',
      content: json(z.object({ items: z.array(IntegrationFeedbackOut), cursor: z.string().nullable() })),
    },
    ...errorResponses(400, 401, 403),
  },
});
openapi.registerPath({
  method: 'patch',
  path: '/t/{tenant}/integration/feedback/{id}',
  summary:
    'Moves a request on (new → in_progress → answered → closed; closed is final) and/or answers it: the answer is emailed to the author and shown in the cabinet, and makes the request answered unless another status is given; scope feedback:write',
  tags: ['Integration'],
  security: apiKey,
  request: { params: tenantParams.extend({ id: z.string() }), body: { content: json(FeedbackUpdateBody) } },
  responses: {
    200: { description: 'The request after the change', content: json(IntegrationFeedbackOut) },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});
openapi.registerPath({
  method: 'put',
  path: '/t/{tenant}/integration/faq',
  summary: 'Creates or replaces questions-and-answers entries by key and language; scope feedback:write',
  tags: ['Integration'],
  security: apiKey,
  request: { params: tenantParams, body: { content: json(FaqUpsertBody) } },
  responses: {
    200: { description: 'Counts', content: json(z.object({ created: z.number(), updated: z.number() })) },
    ...errorResponses(400, 401, 403, 413),
  },
});
openapi.registerPath({
  method: 'delete',
  path: '/t/{tenant}/integration/faq/{key}',
  summary: 'Removes a questions-and-answers entry in one language, or in all of them without `lng`; scope feedback:write',
  tags: ['Integration'],
  security: apiKey,
  request: { params: tenantParams.extend({ key: z.string() }), query: FaqDeleteQuery },
  responses: {
    200: { description: 'Entries removed', content: json(z.object({ deleted: z.number() })) },
    ...errorResponses(400, 401, 403, 404),
  },
});
