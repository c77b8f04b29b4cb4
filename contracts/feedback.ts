/**
 * Support requests and the supplier's questions and answers (server/feedback), as the person and
 * the widgets see them. The rules on messages, contacts and attachments are in rules/feedback.ts.
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
};
