import mongoose, { Types } from 'mongoose';
import type { FeedbackContact, FeedbackRequest as FeedbackRequestView, FeedbackStatus } from '../../sdk/feedback.ts';
import { contactEmailRules } from '../../sdk/feedback.ts';
import { pattern, rule, validate as runRules } from '../../sdk/validators.ts';
import { listLinkedAccounts } from '../accounts/service.ts';
import { verifyCaptcha } from '../auth/captcha.ts';
import { consume, type LimitRule } from '../auth/limits.ts';
import type { Ctx } from '../http/context.ts';
import { ConflictError, NotFoundError, RuleViolation, ValidationError } from '../http/errors.ts';
import { enqueue, registerAttachmentSource } from '../notify/service.ts';
import { onSubscriberDeleted } from '../subscribers/hooks.ts';
import { findById as findSubscriber } from '../subscribers/service.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { getTenantBySlug, realmTenantIds } from '../tenants/service.ts';
import { registerWorker } from '../workers.ts';
import { fileLinkSignature, replyAddress, requestIdOfReplyAddress } from './addresses.ts';
import { parseInbound } from './inbound.ts';
import { checkAttachments, type IncomingFile } from './attachments.ts';
import { FeedbackCounter, FeedbackFile, FeedbackRequest, type AnswerSource, type FeedbackRequestDoc } from './model.ts';
import { ANSWERED_TEMPLATE, DEPARTMENT_TEMPLATE } from './messages.ts';
import { ANSWER_MAX_LENGTH, type FeedbackBody, type FeedbackUpdateBody } from './schemas.ts';

/** Most requests the subscriber's list shows. */
const OWN_LIST_LIMIT = 100;

function ownerId(ctx: Ctx): Types.ObjectId {
  if (!ctx.subscriberId) throw new Error('feedback: a subscriber route without requireSubscriber');
  return new Types.ObjectId(ctx.subscriberId);
}

/** Where a topic goes: the tenant's department that lists it. */
export function departmentOf(ctx: Ctx, topic: string): { id: string; email: string } {
  const department = ctx.tenant.support.departments.find((d) => d.topics.includes(topic));
  if (!department) throw new ValidationError({ topic: { code: 'unknown_topic' } });
  return { id: department.id, email: department.email };
}

/** Statuses a request may move to from each status; `closed` is final. */
export const TRANSITIONS: Record<FeedbackStatus, readonly FeedbackStatus[]> = {
  new: ['in_progress', 'answered', 'closed'],
  in_progress: ['answered', 'closed'],
  answered: ['in_progress', 'closed'],
  closed: [],
};

export function view(doc: FeedbackRequestDoc): FeedbackRequestView {
  return {
    id: String(doc._id),
    number: doc.number,
    topic: doc.topic,
    status: doc.status,
    message: doc.message,
    contact: { name: doc.contact.name, email: doc.contact.email, phone: doc.contact.phone },
    accountNumber: doc.accountNumber,
    attachments: doc.attachments.map((a) => ({ id: String(a.fileId), name: a.name, type: a.type, size: a.size })),
    answers: doc.answers.map((a) => ({ text: a.text, at: a.at.toISOString() })),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

const DUPLICATE_KEY = 11000;
const isDuplicate = (err: unknown): boolean => (err as { code?: number }).code === DUPLICATE_KEY;

/** The next request number of a tenant. */
async function nextNumber(tenantId: Types.ObjectId): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const counter = await FeedbackCounter.findOneAndUpdate(
        { tenantId },
        { $inc: { seq: 1 } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      return counter!.seq;
    } catch (err) {
      // Two first requests of a tenant may both try to create its counter; the loser goes again.
      if (!isDuplicate(err) || attempt >= 3) throw err;
    }
  }
}

/** The signed-in subscriber's requests, newest first. */
export async function listOwnRequests(ctx: Ctx): Promise<{ items: FeedbackRequestView[] }> {
  const rows = await FeedbackRequest.find({ tenantId: ctx.tenant._id, subscriberId: ownerId(ctx) })
    .sort({ createdAt: -1 })
    .limit(OWN_LIST_LIMIT)
    .lean<FeedbackRequestDoc[]>();
  return { items: rows.map(view) };
}

/** One of the signed-in subscriber's requests; anyone else's is "not found". */
export async function getOwnRequest(ctx: Ctx, id: string): Promise<FeedbackRequestView> {
  const doc = await FeedbackRequest.findOne({
    _id: id,
    tenantId: ctx.tenant._id,
    subscriberId: ownerId(ctx),
  }).lean<FeedbackRequestDoc>();
  if (!doc) throw new NotFoundError('feedback_not_found');
  return view(doc);
}

/** An attachment of a request (the route has checked the signed link). */
export async function getAttachment(
  ctx: Ctx,
  requestId: string,
  fileId: string,
): Promise<{ name: string; type: string; data: Buffer }> {
  const file = await FeedbackFile.findOne({ _id: fileId, tenantId: ctx.tenant._id, requestId });
  if (!file) throw new NotFoundError('feedback_file_not_found');
  return { name: file.name, type: file.type, data: file.data };
}

/** Requests one person may send: per subscriber, or per address for anonymous ones. */
const limits: { subscriber: LimitRule; anonymous: LimitRule } = {
  subscriber: { points: 30, windowMs: 3600_000 },
  anonymous: { points: 10, windowMs: 3600_000 },
};

/** Changes the sending limits (tests use small windows). */
export function configureFeedbackLimits(next: Partial<typeof limits>): void {
  Object.assign(limits, next);
}

export interface SubmitInput extends FeedbackBody {
  files: IncomingFile[];
  /** The sender's IP address, for the limit on anonymous requests. */
  ip: string;
  /** Origin of this server as the caller reached it, for the attachment links in the department's email. */
  apiBase: string;
}

/** The signed-in subscriber's contact details from the cabinet, which the form starts from. */
export async function defaultContact(ctx: Ctx): Promise<FeedbackContact> {
  const profile = await findSubscriber(ctx.tenant.realm, ownerId(ctx));
  return { name: profile?.fullName ?? '', email: profile?.email ?? '', phone: profile?.phone ?? '' };
}

/** Who is writing: the signed-in subscriber's details fill what the form left empty. */
async function contactOf(ctx: Ctx, input: FeedbackBody): Promise<FeedbackContact> {
  const profile = ctx.subscriberId ? await defaultContact(ctx) : { name: '', email: '', phone: '' };
  const contact = {
    name: input.name || profile.name,
    email: input.email || profile.email,
    phone: input.phone || profile.phone,
  };
  const failure = runRules(contact.email, contactEmailRules(Boolean(ctx.subscriberId)));
  if (failure) throw new ValidationError({ email: { code: failure.code } });
  return contact;
}

/**
 * An account number the request is about, in the supplier's number format; a signed-in person's
 * must be one of the accounts of this supplier linked to their cabinet.
 */
async function accountOf(ctx: Ctx, accountNumber: string | undefined): Promise<string> {
  if (!accountNumber) return '';
  if (runRules(accountNumber, [rule(pattern, { pattern: ctx.tenant.accounts.numberPattern })])) {
    throw new ValidationError({ accountNumber: { code: 'account_number_format' } });
  }
  if (ctx.subscriberId) {
    const linked = await listLinkedAccounts(ctx);
    if (!linked.some((a) => a.number === accountNumber && a.supplier.slug === ctx.tenant.slug)) {
      throw new ValidationError({ accountNumber: { code: 'account_not_linked' } });
    }
  }
  return accountNumber;
}

/** Stores the request under the next free number of its tenant. */
async function insertRequest(doc: Omit<FeedbackRequestDoc, 'number' | 'createdAt' | 'updatedAt'>): Promise<FeedbackRequestDoc> {
  for (let attempt = 0; ; attempt++) {
    const number = await nextNumber(doc.tenantId);
    try {
      return (await FeedbackRequest.create({ ...doc, number })).toObject<FeedbackRequestDoc>();
    } catch (err) {
      // A number handed out twice (counters are not atomic on every backend) is caught by the unique index.
      if (!isDuplicate(err) || attempt >= 5) throw err;
    }
  }
}

/**
 * A new request: everything is checked first (topic, message, contact, account, files by their
 * content, then the captcha of an anonymous author); then files, request and the department's
 * email are stored. If any store fails, what was stored is removed again, so a request is either
 * complete or absent.
 */
export async function submitFeedback(ctx: Ctx, input: SubmitInput): Promise<FeedbackRequestView> {
  const department = departmentOf(ctx, input.topic);
  const files = checkAttachments(input.files);
  const contact = await contactOf(ctx, input);
  const accountNumber = await accountOf(ctx, input.accountNumber);
  if (!ctx.subscriberId) await verifyCaptcha(ctx.tenant.slug, input.captcha);
  await consume(
    ctx.subscriberId ? `feedback:subscriber:${ctx.subscriberId}` : `feedback:ip:${ctx.tenant.slug}:${input.ip}`,
    ctx.subscriberId ? limits.subscriber : limits.anonymous,
  );

  const tenantId = ctx.tenant._id;
  const requestId = new Types.ObjectId();
  const fileDocs = files.map((f) => ({ _id: new Types.ObjectId(), tenantId, requestId, ...f }));
  try {
    if (fileDocs.length) await FeedbackFile.insertMany(fileDocs);
    const now = new Date();
    const doc = await insertRequest({
      _id: requestId,
      tenantId,
      tenantSlug: ctx.tenant.slug,
      ...(ctx.subscriberId ? { subscriberId: new Types.ObjectId(ctx.subscriberId) } : {}),
      topic: input.topic,
      department,
      message: input.message,
      contact,
      accountNumber,
      locale: ctx.lng,
      attachments: fileDocs.map((f) => ({ fileId: f._id, name: f.name, type: f.type, size: f.size })),
      status: 'new',
      answers: [],
      history: [{ status: 'new', source: 'subscriber', at: now }],
    });
    await sendToDepartment(ctx.tenant, doc, input.apiBase);
    return view(doc);
  } catch (err) {
    await FeedbackFile.deleteMany({ tenantId, requestId });
    await FeedbackRequest.deleteOne({ _id: requestId, tenantId });
    throw err;
  }
}

/** A request as the supplier's systems see it: with author, department, answer sources and history. */
export function integrationView(doc: FeedbackRequestDoc) {
  return {
    ...view(doc),
    subscriberId: doc.subscriberId ? String(doc.subscriberId) : null,
    department: doc.department,
    answers: doc.answers.map((a) => ({ text: a.text, source: a.source, from: a.from, at: a.at.toISOString() })),
    history: doc.history.map((h) => ({ status: h.status, source: h.source, at: h.at.toISOString() })),
  };
}
export type IntegrationFeedbackView = ReturnType<typeof integrationView>;

/**
 * Moves a request on in its lifecycle and/or records an answer (which makes it `answered` unless
 * another status is given) and emails the answer to its author. `closed` is final. A reply email
 * seen before (same Message-ID) changes nothing.
 */
export async function updateRequest(
  ctx: Pick<Ctx, 'tenant'>,
  id: string,
  input: FeedbackUpdateBody,
  source: AnswerSource,
  mail: { from: string; messageId: string } = { from: '', messageId: '' },
): Promise<IntegrationFeedbackView> {
  const doc = await FeedbackRequest.findOne({ _id: id, tenantId: ctx.tenant._id }).lean<FeedbackRequestDoc>();
  if (!doc) throw new NotFoundError('feedback_not_found');
  if (mail.messageId && doc.answers.some((a) => a.messageId === mail.messageId)) return integrationView(doc);
  if (doc.status === 'closed') throw new RuleViolation('feedback_closed', { number: doc.number });
  const target = input.status ?? (input.answer ? 'answered' : doc.status);
  if (target !== doc.status && !TRANSITIONS[doc.status].includes(target)) {
    throw new RuleViolation('feedback_status_transition', { from: doc.status, to: target });
  }
  const at = new Date();
  const push = {
    ...(input.answer ? { answers: { text: input.answer, source, from: mail.from, messageId: mail.messageId, at } } : {}),
    ...(target !== doc.status ? { history: { status: target, source, at } } : {}),
  };
  const updated = await FeedbackRequest.findOneAndUpdate(
    { _id: doc._id, tenantId: ctx.tenant._id, status: doc.status },
    { $set: { status: target }, ...(Object.keys(push).length ? { $push: push } : {}) },
    { returnDocument: 'after' },
  ).lean<FeedbackRequestDoc>();
  if (!updated) throw new ConflictError('feedback_changed');
  if (input.answer) await sendAnswer(ctx.tenant, updated, input.answer);
  return integrationView(updated);
}

/** How long the attachment links in a department's email work. */
export const FILE_LINK_DAYS = 30;

/** The download link of an attachment for the department (no session: the signature is the permission). */
export function fileLink(apiBase: string, tenantSlug: string, requestId: string, fileId: string, now = Date.now()): string {
  const exp = Math.floor(now / 1000) + FILE_LINK_DAYS * 24 * 3600;
  const sig = fileLinkSignature(tenantSlug, requestId, fileId, exp);
  return `${apiBase}/api/v1/t/${tenantSlug}/feedback/${requestId}/files/${fileId}?exp=${exp}&sig=${sig}`;
}

/** The request's email to its department, in the tenant's language, answerable by replying. */
/**
 * Most bytes attached to a department's email (about 9.6 MB once base64-encoded, under the common
 * 10 MB limit of mail servers); larger sets of files go by their links only.
 */
export const ATTACHED_BYTES_MAX = 7 * 1024 * 1024;

registerAttachmentSource('feedback-file', async (id) => {
  // A hydrated document: mongoose gives its bytes as a Buffer (a lean one gives BSON's Binary).
  const file = await FeedbackFile.findById(id);
  return file ? { filename: file.name, content: file.data, contentType: file.type } : null;
});

async function sendToDepartment(tenant: TenantDoc, doc: FeedbackRequestDoc, apiBase: string): Promise<void> {
  const id = String(doc._id);
  const files = Object.fromEntries(
    doc.attachments.flatMap((a, i) => [
      [`file${i}Name`, a.name],
      [`file${i}Url`, fileLink(apiBase, tenant.slug, id, String(a.fileId))],
    ]),
  );
  await enqueue(
    { tenant },
    {
      kind: 'email',
      to: doc.department.email,
      template: DEPARTMENT_TEMPLATE,
      lng: tenant.defaultLocale,
      replyTo: replyAddress(id),
      // The files themselves too, as a department's mail client expects; links alone for large sets.
      attachments:
        doc.attachments.reduce((sum, a) => sum + a.size, 0) <= ATTACHED_BYTES_MAX
          ? doc.attachments.map((a) => ({ source: 'feedback-file', id: String(a.fileId) }))
          : [],
      data: {
        number: doc.number,
        topic: doc.topic,
        message: doc.message,
        name: doc.contact.name,
        email: doc.contact.email,
        phone: doc.contact.phone,
        accountNumber: doc.accountNumber,
        signedIn: doc.subscriberId ? 1 : 0,
        files: doc.attachments.length,
        ...files,
      },
    },
  );
}

/** The answer to the author: by email, or by SMS when they left only a phone number. */
async function sendAnswer(tenant: TenantDoc, doc: FeedbackRequestDoc, answer: string): Promise<void> {
  const data = { number: doc.number, topic: doc.topic, answer };
  if (doc.contact.email)
    await enqueue({ tenant }, { kind: 'email', to: doc.contact.email, template: ANSWERED_TEMPLATE, lng: doc.locale, data });
  else if (doc.contact.phone)
    await enqueue({ tenant }, { kind: 'sms', to: doc.contact.phone, template: ANSWERED_TEMPLATE, lng: doc.locale, data });
}

/**
 * A department's reply by email (raw MIME, from the inbound webhook or an SMTP server): the reply
 * address among its recipients names the request, the text above the quoted original is the answer.
 */
export async function recordEmailReply(
  raw: Buffer,
  envelopeRecipients: readonly string[] = [],
): Promise<{ requestId: string; status: FeedbackStatus }> {
  const mail = await parseInbound(raw, envelopeRecipients);
  const requestId = mail.recipients.map(requestIdOfReplyAddress).find((id) => id !== null);
  if (!requestId) throw new NotFoundError('inbound_recipient_unknown');
  if (!mail.text) throw new ValidationError({ text: { code: 'inbound_empty_reply' } });
  const owner = await FeedbackRequest.findById(requestId, { tenantSlug: 1 }).lean();
  if (!owner) throw new NotFoundError('feedback_not_found');
  const tenant = await getTenantBySlug(owner.tenantSlug);
  const updated = await updateRequest({ tenant }, requestId, { answer: mail.text.slice(0, ANSWER_MAX_LENGTH) }, 'email', {
    from: mail.from,
    messageId: mail.messageId,
  });
  return { requestId, status: updated.status };
}

/** A deleted cabinet takes its requests and their files along (personal data goes with the consent). */
onSubscriberDeleted('feedback', async ({ realm, subscriberId }) => {
  for (const tenant of (await realmTenantIds(realm)).values()) {
    const own = await FeedbackRequest.find({ tenantId: tenant._id, subscriberId }, { _id: 1 }).lean();
    if (!own.length) continue;
    const ids = own.map((r) => r._id);
    await FeedbackFile.deleteMany({ tenantId: tenant._id, requestId: mongoose.trusted({ $in: ids }) });
    await FeedbackRequest.deleteMany({ tenantId: tenant._id, _id: mongoose.trusted({ $in: ids }) });
  }
});

/** Files older than this without their request were left by a crash between storing files and request. */
const ORPHAN_AFTER_MS = 3600_000;
const SWEEP_BATCH = 500;

/** Removes attachments whose request was never stored (the server stopped in between). */
export async function sweepOrphanFiles(now = new Date()): Promise<number> {
  const old = await FeedbackFile.find(
    { createdAt: mongoose.trusted({ $lt: new Date(now.getTime() - ORPHAN_AFTER_MS) }) },
    { tenantId: 1, requestId: 1 },
  )
    .sort({ createdAt: 1 })
    .limit(SWEEP_BATCH)
    .lean();
  const requestIds = [...new Set(old.map((f) => String(f.requestId)))];
  const existing = await FeedbackRequest.find({ _id: mongoose.trusted({ $in: requestIds }) }, { _id: 1 }).lean();
  const kept = new Set(existing.map((r) => String(r._id)));
  const orphans = old.filter((f) => !kept.has(String(f.requestId)));
  if (!orphans.length) return 0;
  const res = await FeedbackFile.deleteMany({ _id: mongoose.trusted({ $in: orphans.map((f) => f._id) }) });
  return res.deletedCount;
}

registerWorker({
  name: 'feedback.orphan-files',
  intervalMs: ORPHAN_AFTER_MS,
  async run(logger) {
    const removed = await sweepOrphanFiles();
    if (removed) logger.info({ removed }, 'orphaned feedback attachments removed');
  },
});

function encodeCursor(doc: Pick<FeedbackRequestDoc, '_id' | 'updatedAt'>): string {
  return Buffer.from(`${doc.updatedAt.toISOString()}|${String(doc._id)}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: Types.ObjectId } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (Number.isNaN(date.getTime()) || !id || !Types.ObjectId.isValid(id))
    throw new ValidationError({ cursor: { code: 'invalid_cursor' } });
  return { at: date, id: new Types.ObjectId(id) };
}

/**
 * Requests changed since a cursor, oldest change first, for the supplier's systems to follow:
 * each page ends with the cursor of its last request; a request that changes again comes back.
 */
export async function listForIntegration(
  ctx: Pick<Ctx, 'tenant'>,
  input: { status?: FeedbackStatus; cursor?: string; limit: number },
): Promise<{ items: IntegrationFeedbackView[]; cursor: string | null }> {
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  const rows = await FeedbackRequest.find({
    tenantId: ctx.tenant._id,
    ...(input.status ? { status: input.status } : {}),
    ...(after
      ? {
          $or: [
            { updatedAt: mongoose.trusted({ $gt: after.at }) },
            { updatedAt: after.at, _id: mongoose.trusted({ $gt: after.id }) },
          ],
        }
      : {}),
  })
    .sort({ updatedAt: 1, _id: 1 })
    .limit(input.limit)
    .lean<FeedbackRequestDoc[]>();
  const last = rows[rows.length - 1];
  return { items: rows.map(integrationView), cursor: last ? encodeCursor(last) : (input.cursor ?? null) };
}
