/**
 * Support requests and the supplier's questions and answers (server/feedback): as the person and
 * the widgets see them, as the supplier's systems follow and answer them (integration API), and
 * the departments' replies by email. The rules on messages, contacts and attachments are in rules/feedback.ts.
 */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import {
  ATTACHMENT_TYPES,
  contactNameRules,
  contactPhoneRules,
  FEEDBACK_LIMITS,
  FEEDBACK_STATUSES,
  messageRules,
} from './rules/feedback.ts';
import { email, rule, validate as runRules, type Rule } from './rules/validators.ts';

/** A string checked by the validators the widget uses; the first failure's code is the field's error. */
function checkedString(rules: readonly Rule[], max: number) {
  return z
    .string()
    .max(max * 4, 'too_long')
    .transform((v) => v.trim())
    .superRefine((value, ctx) => {
      const failure = runRules(value, rules);
      if (failure) ctx.addIssue({ code: 'custom', message: failure.code });
    });
}

const ObjectIdString = z.string().regex(/^[a-f0-9]{24}$/, 'not_found');

export const FeedbackInput = z
  .strictObject({
    topic: z
      .string()
      .max(64, 'unknown_topic')
      .meta({ description: 'A topic id from `config.support.topics`', example: 'meters' }),
    message: checkedString(messageRules, FEEDBACK_LIMITS.messageMaxLength),
    name: checkedString(contactNameRules, FEEDBACK_LIMITS.nameMaxLength).optional(),
    email: checkedString([rule(email)], 254).optional(),
    phone: checkedString(contactPhoneRules, 32).optional(),
    accountNumber: z
      .string()
      .trim()
      .max(64, 'account_number_format')
      .optional()
      .meta({ description: 'A linked account (signed in) or any account number of the supplier (anonymous)' }),
    captcha: z.string().max(20_000).optional().meta({ description: 'Solved captcha payload; required when not signed in' }),
  })
  .meta({ id: 'FeedbackInput' });

export const FeedbackContact = z.object({ name: z.string(), email: z.string(), phone: z.string() });

export const FeedbackAttachment = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(ATTACHMENT_TYPES),
  size: z.number().meta({ description: 'Bytes' }),
});

export const FeedbackAnswer = z.object({ text: z.string(), at: z.string().meta({ description: 'ISO date-time' }) });

/** A request as its author sees it; the integration API's view adds to these fields. */
export const feedbackRequestShape = {
  id: z.string(),
  number: z.number().meta({ description: 'Sequential per supplier, shown to people ("request No. 42")' }),
  topic: z.string(),
  status: z.enum(FEEDBACK_STATUSES),
  message: z.string(),
  contact: FeedbackContact,
  accountNumber: z.string(),
  attachments: z.array(FeedbackAttachment),
  answers: z.array(FeedbackAnswer),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const FeedbackRequest = z.object(feedbackRequestShape).meta({ id: 'FeedbackRequest' });

export const FaqEntry = z
  .object({ key: z.string(), question: z.string(), answer: z.string(), topic: z.string() })
  .meta({ id: 'FaqEntry' });

const FaqQuery = z.strictObject({
  q: z
    .string()
    .max(FEEDBACK_LIMITS.queryMaxLength, 'too_long')
    .optional()
    .meta({ description: 'Words to look for; empty lists every entry' }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

const FeedbackIdParams = z.strictObject({ id: ObjectIdString });

/** The longest answer a supplier's system or a reply email gives (a longer reply email is cut). */
export const ANSWER_MAX_LENGTH = 20_000;

export const FeedbackUpdate = z
  .strictObject({
    status: z.enum(FEEDBACK_STATUSES).exclude(['new']).optional(),
    answer: z.string().trim().min(1, 'required').max(ANSWER_MAX_LENGTH, 'too_long').optional(),
  })
  .refine((b) => b.status !== undefined || b.answer !== undefined, { message: 'nothing_to_update', path: ['_'] })
  .meta({ id: 'FeedbackUpdate' });
export type FeedbackUpdate = z.output<typeof FeedbackUpdate>;

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
  lng: Lng.optional().meta({ description: "Language of the entry; the supplier's default language when left out" }),
  question: z.string().trim().min(1, 'required').max(1000, 'too_long'),
  answer: z.string().trim().min(1, 'required').max(20_000, 'too_long'),
  topic: z.string().max(64).default(''),
  order: z.number().int().min(0).max(1_000_000).default(0),
});
export const FaqUpsert = z.strictObject({ entries: z.array(FaqEntryIn).min(1).max(500) }).meta({ id: 'FaqUpsert' });
export type FaqUpsert = z.output<typeof FaqUpsert>;

const FeedbackExportQuery = z.strictObject({
  status: z.enum(FEEDBACK_STATUSES).optional(),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'invalid_cursor')
    .optional()
    .meta({ description: 'The `cursor` of the previous page; left out, the oldest change first' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const Source = z.enum(['subscriber', 'integration', 'email']);

/** A request as the supplier's systems see it: its author, department, where each answer came from, its history. */
export const IntegrationFeedbackRequest = z
  .object({
    ...feedbackRequestShape,
    subscriberId: z.string().nullable().meta({ description: 'The author when signed in; null for an anonymous request' }),
    department: z.object({ id: z.string(), email: z.string() }),
    answers: z.array(z.object({ text: z.string(), source: Source.exclude(['subscriber']), from: z.string(), at: z.string() })),
    history: z.array(z.object({ status: z.enum(FEEDBACK_STATUSES), source: Source, at: z.string() })),
  })
  .meta({ id: 'IntegrationFeedbackRequest' });

export const feedback = {
  send: endpoint({
    method: 'POST',
    path: '/feedback',
    auth: 'sender',
    summary: 'Sends a support request to the department of its topic (signed in, or anonymous with a captcha)',
    tags: ['Feedback'],
    body: FeedbackInput,
    files: { field: 'files', max: FEEDBACK_LIMITS.files },
    response: { status: 201, body: FeedbackRequest, description: 'Stored and queued for the department' },
    errors: [400, 401, 403, 404, 413, 429],
  }),
  list: endpoint({
    method: 'GET',
    path: '/feedback',
    auth: 'subscriber',
    summary: "The signed-in subscriber's requests with statuses and answers, newest first",
    tags: ['Feedback'],
    response: { status: 200, body: z.object({ items: z.array(FeedbackRequest) }), description: 'Requests' },
    errors: [401],
  }),
  contact: endpoint({
    method: 'GET',
    path: '/feedback/contact',
    auth: 'subscriber',
    summary: "The signed-in subscriber's contact details the feedback form starts from",
    tags: ['Feedback'],
    response: { status: 200, body: FeedbackContact, description: 'Contact' },
    errors: [401],
  }),
  get: endpoint({
    method: 'GET',
    path: '/feedback/:id',
    auth: 'subscriber',
    summary: "One of the signed-in subscriber's requests",
    tags: ['Feedback'],
    params: FeedbackIdParams,
    response: { status: 200, body: FeedbackRequest, description: 'Request' },
    errors: [401, 404],
  }),
  file: endpoint({
    method: 'GET',
    path: '/feedback/:id/files/:fileId',
    auth: 'signed',
    summary: "An attachment of a request, through the signed link in the department's email",
    tags: ['Feedback'],
    params: z.strictObject({ id: ObjectIdString, fileId: ObjectIdString }),
    query: z.strictObject({
      exp: z.coerce.number().int().positive(),
      sig: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'link_invalid'),
    }),
    response: { status: 200, body: 'file', description: 'The file, with its own content type' },
    errors: [400, 403, 404],
  }),
  faq: endpoint({
    method: 'GET',
    path: '/faq',
    auth: 'public',
    summary: "The supplier's questions and answers; with `q`, the best matches first",
    tags: ['Feedback'],
    query: FaqQuery,
    response: { status: 200, body: z.object({ items: z.array(FaqEntry) }), description: 'Entries' },
    errors: [400],
  }),
  inbound: endpoint({
    method: 'POST',
    path: '/api/v1/inbound/email',
    root: true,
    auth: 'signed',
    summary: 'A department’s reply by email, posted by the mail service as the raw message; signed with the inbound secret',
    tags: ['Feedback'],
    headers: z.object({
      'x-gaskit-signature': z
        .string()
        .meta({ description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> with GASKIT_INBOUND_SECRET' }),
    }),
    rawBody: 'message/rfc822',
    response: {
      status: 200,
      body: z.object({ requestId: z.string(), status: z.enum(FEEDBACK_STATUSES) }),
      description: 'Answer recorded',
    },
    errors: [400, 401, 404, 422],
  }),
  integrationList: endpoint({
    method: 'GET',
    path: '/integration/feedback',
    auth: { apiKey: 'export:read' },
    summary:
      'Requests changed after the cursor, oldest change first, with the cursor of the last one (a request that changes again comes back); scope export:read',
    tags: ['Integration'],
    query: FeedbackExportQuery,
    response: {
      status: 200,
      body: z.object({ items: z.array(IntegrationFeedbackRequest), cursor: z.string().nullable() }),
      description: 'A page of requests',
    },
    errors: [400, 401, 403],
  }),
  integrationUpdate: endpoint({
    method: 'PATCH',
    path: '/integration/feedback/:id',
    auth: { apiKey: 'feedback:write' },
    summary:
      'Moves a request on (new → in_progress → answered → closed; closed is final) and/or answers it: the answer is emailed to the author and shown in the cabinet, and makes the request answered unless another status is given; scope feedback:write',
    tags: ['Integration'],
    params: FeedbackIdParams,
    body: FeedbackUpdate,
    response: { status: 200, body: IntegrationFeedbackRequest, description: 'The request after the change' },
    errors: [400, 401, 403, 404, 409, 422],
  }),
  faqUpsert: endpoint({
    method: 'PUT',
    path: '/integration/faq',
    auth: { apiKey: 'feedback:write' },
    summary: 'Creates or replaces questions-and-answers entries by key and language; scope feedback:write',
    tags: ['Integration'],
    body: FaqUpsert,
    response: { status: 200, body: z.object({ created: z.number(), updated: z.number() }), description: 'Counts' },
    errors: [400, 401, 403, 413],
  }),
  faqDelete: endpoint({
    method: 'DELETE',
    path: '/integration/faq/:key',
    auth: { apiKey: 'feedback:write' },
    summary: 'Removes a questions-and-answers entry in one language, or in all of them without `lng`; scope feedback:write',
    tags: ['Integration'],
    params: z.strictObject({ key: FaqKey }),
    query: z.strictObject({ lng: Lng.optional() }),
    response: { status: 200, body: z.object({ deleted: z.number() }), description: 'Entries removed' },
    errors: [400, 401, 403, 404],
  }),
};
