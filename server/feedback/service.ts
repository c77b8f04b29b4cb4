import { Types } from 'mongoose';
import type { z } from 'zod';
import type * as c from '../../contracts/feedback.ts';
import { contactEmailRules, type FeedbackStatus } from '../../contracts/rules/feedback.ts';
import { pattern, rule, validate as runRules } from '../../contracts/rules/validators.ts';
import { isLinked } from '../accounts/service.ts';
import { verifyCaptcha } from '../auth/captcha.ts';
import { currentSubscriber } from '../auth/sessions.ts';
import { nextNumber } from '../db/kernel/counters.ts';
import { dueAt, queue, sweepDue, type Due } from '../db/kernel/expiry.ts';
import { findByKey, key } from '../db/kernel/keys.ts';
import { revise, RevisionBusyError } from '../db/kernel/revisions.ts';
import { append, lastSeq, readAfter, readBefore } from '../db/kernel/streams.ts';
import { signedIn, type Ctx, type SubscriberCtx } from '../http/context.ts';
import { ConflictError, NotFoundError, RuleViolation, ValidationError } from '../http/errors.ts';
import { consume, ensureRoom } from '../http/limits.ts';
import { publicUrl } from '../http/public-url.ts';
import { enqueue, type AttachmentLoader } from '../notify/service.ts';
import type { SubscriberDeletedHook } from '../subscribers/hooks.ts';
import type { TenantDoc } from '../tenants/model.ts';
import { getTenantBySlug, realmTenantIds } from '../tenants/service.ts';
import type { Worker } from '../workers.ts';
import { fileLinkSignature, replyAddress, requestIdOfReplyAddress } from './addresses.ts';
import { parseInbound } from './inbound.ts';
import { checkAttachments, type IncomingFile } from './attachments.ts';
import {
  changeStream,
  FeedbackChange,
  FeedbackFile,
  FeedbackRequest,
  numberCounter,
  OwnRequest,
  ownStream,
  type AnswerSource,
  type FeedbackChangeDoc,
  type FeedbackFileDoc,
  type FeedbackRequestDoc,
  type OwnRequestDoc,
} from './model.ts';
import { feedbackConfig } from './config.ts';
import { ANSWERED_TEMPLATE, DEPARTMENT_TEMPLATE } from './messages.ts';
import { ANSWER_MAX_LENGTH, type FeedbackUpdate as FeedbackUpdateBody } from '../../contracts/feedback.ts';

type FeedbackBody = z.output<typeof c.FeedbackInput>;
type FeedbackContact = z.output<typeof c.FeedbackContact>;
type FeedbackRequestView = z.output<typeof c.FeedbackRequest>;

/** Most requests the subscriber's list shows. */
const OWN_LIST_LIMIT = 100;

function ownerId(ctx: SubscriberCtx): Types.ObjectId {
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

/** A request by `_id`, if it is this tenant's (another supplier's is as unknown as a missing one). */
async function findRequest(tenantId: Types.ObjectId, id: string | Types.ObjectId): Promise<FeedbackRequestDoc | null> {
  const doc = await findByKey<FeedbackRequestDoc>(FeedbackRequest, id);
  return doc && doc.tenantId.equals(tenantId) ? doc : null;
}

/** The signed-in author's request, or null: another supplier's or another person's is unknown. */
async function findOwn(ctx: SubscriberCtx, id: string | Types.ObjectId): Promise<FeedbackRequestDoc | null> {
  const doc = await findRequest(ctx.tenant._id, id);
  return doc?.subscriberId?.equals(ownerId(ctx)) ? doc : null;
}

/**
 * The signed-in subscriber's requests, newest first: the newest entries of their stream at this
 * supplier, then each request, by `_id` (at most OWN_LIST_LIMIT of each, read together).
 */
export async function listOwnRequests(ctx: SubscriberCtx): Promise<{ items: FeedbackRequestView[] }> {
  const { rows } = await readBefore<OwnRequestDoc>(OwnRequest, ownStream(ctx.tenant._id, ownerId(ctx)), OWN_LIST_LIMIT);
  const docs = await Promise.all(rows.map((r) => findOwn(ctx, r.requestId)));
  return { items: docs.filter((d): d is FeedbackRequestDoc => d !== null).map(view) };
}

/** One of the signed-in subscriber's requests; anyone else's is "not found". */
export async function getOwnRequest(ctx: SubscriberCtx, id: string): Promise<FeedbackRequestView> {
  const doc = await findOwn(ctx, id);
  if (!doc) throw new NotFoundError('feedback_not_found');
  return view(doc);
}

/** An attachment of a request (the route has checked the signed link): one `_id` lookup. */
export async function getAttachment(
  ctx: Ctx,
  requestId: string,
  fileId: string,
): Promise<{ name: string; type: string; data: Buffer }> {
  const file = await FeedbackFile.findById(fileId);
  if (!file || !file.tenantId.equals(ctx.tenant._id) || String(file.requestId) !== requestId) {
    throw new NotFoundError('feedback_file_not_found');
  }
  return { name: file.name, type: file.type, data: file.data };
}

/**
 * Announces a change of a request on its supplier's change stream, then marks the request with
 * it, so a reader of the stream skips the request's earlier entries (see listForIntegration).
 */
async function announceChange(doc: FeedbackRequestDoc): Promise<void> {
  const seq = await append(FeedbackChange, changeStream(doc.tenantId), {
    requestId: doc._id,
    status: doc.status,
    at: doc.updatedAt,
  });
  // A revision, not a plain update: FerretDB v1 writes an updated document back whole, so an update
  // racing an answer's revision could put the answers back as they were.
  await revise<FeedbackRequestDoc, void>(FeedbackRequest, doc._id, (current) => ({
    set: current && (current.changeSeq ?? 0) < seq ? { changeSeq: seq } : undefined,
    result: undefined,
  }));
}

/** Whose sending the limit counts: the signed-in subscriber, or an anonymous sender's address at this supplier. */
const senderKey = (ctx: Ctx | SubscriberCtx, ip: string) =>
  signedIn(ctx) ? `feedback:subscriber:${ctx.subscriberId}` : `feedback:ip:${ctx.tenant.slug}:${ip}`;
const senderRule = (ctx: Ctx | SubscriberCtx) => {
  const { limits } = feedbackConfig();
  return signedIn(ctx) ? limits.subscriber : limits.anonymous;
};

/** Refuses (429) a sender already at the sending limit, counting nothing: asked before an upload is read. */
export async function checkSendingRoom(ctx: Ctx | SubscriberCtx, ip: string): Promise<void> {
  await ensureRoom(senderKey(ctx, ip), senderRule(ctx));
}

export interface SubmitInput extends FeedbackBody {
  files: IncomingFile[];
  /** The sender's IP address, for the limit on anonymous requests. */
  ip: string;
}

/** The signed-in subscriber's contact details from the cabinet (as the session guard read it), which the form starts from. */
export async function defaultContact(ctx: SubscriberCtx): Promise<FeedbackContact> {
  const profile = await currentSubscriber(ctx);
  return { name: profile.fullName ?? '', email: profile.email ?? '', phone: profile.phone ?? '' };
}

/** Who is writing: the signed-in subscriber's details fill what the form left empty. */
async function contactOf(ctx: Ctx | SubscriberCtx, input: FeedbackBody): Promise<FeedbackContact> {
  const profile = signedIn(ctx) ? await defaultContact(ctx) : { name: '', email: '', phone: '' };
  const contact = {
    name: input.name || profile.name,
    email: input.email || profile.email,
    phone: input.phone || profile.phone,
  };
  const failure = runRules(contact.email, contactEmailRules(signedIn(ctx)));
  if (failure) throw new ValidationError({ email: { code: failure.code } });
  return contact;
}

/**
 * An account number the request is about, in the supplier's number format; a signed-in person's
 * must be one of the accounts of this supplier linked to their cabinet (one lookup of the link,
 * not the cabinet's list with its accounts and debts).
 */
async function accountOf(ctx: Ctx | SubscriberCtx, accountNumber: string | undefined): Promise<string> {
  if (!accountNumber) return '';
  if (runRules(accountNumber, [rule(pattern, { pattern: ctx.tenant.accounts.numberPattern })])) {
    throw new ValidationError({ accountNumber: { code: 'account_number_format' } });
  }
  if (signedIn(ctx)) {
    if (!(await isLinked(ctx, key(ctx.tenant._id, accountNumber)))) {
      throw new ValidationError({ accountNumber: { code: 'account_not_linked' } });
    }
  }
  return accountNumber;
}

/**
 * A new request: everything is checked first (topic, message, contact, account, files by their
 * content, then the captcha of an anonymous author); then files, request, its entries in the
 * supplier's changes and the author's list, and the department's email are stored, each by key.
 * If any store fails, the files and the request are removed again, so a request is either complete
 * or absent (an entry left pointing at a removed request is skipped by its readers).
 */
export async function submitFeedback(ctx: Ctx | SubscriberCtx, input: SubmitInput): Promise<FeedbackRequestView> {
  const department = departmentOf(ctx, input.topic);
  const files = checkAttachments(input.files);
  const contact = await contactOf(ctx, input);
  const accountNumber = await accountOf(ctx, input.accountNumber);
  if (!signedIn(ctx)) await verifyCaptcha(ctx.tenant.slug, input.captcha);
  await consume(senderKey(ctx, input.ip), senderRule(ctx));

  const tenantId = ctx.tenant._id;
  const requestId = new Types.ObjectId();
  const subscriberId = signedIn(ctx) ? new Types.ObjectId(ctx.subscriberId) : undefined;
  const fileDocs = files.map((f) => ({ _id: new Types.ObjectId(), tenantId, requestId, ...f, pending: true }));
  try {
    await storePendingFiles(fileDocs);
    const now = new Date();
    const doc: FeedbackRequestDoc = {
      _id: requestId,
      tenantId,
      tenantSlug: ctx.tenant.slug,
      number: await nextNumber(numberCounter(tenantId)),
      ...(subscriberId ? { subscriberId } : {}),
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
      createdAt: now,
      updatedAt: now,
    };
    await FeedbackRequest.create(doc);
    // Its files' marks and its two entries are independent of each other: written together, all
    // over before a failure removes the request, and the email goes once they are there. Announced
    // without marking the request: a request with no `changeSeq` shows at each of its entries, and
    // its creation is its first, so only later changes need the mark.
    const failed = (
      await Promise.allSettled([
        ...fileDocs.map((f) => FeedbackFile.updateOne({ _id: f._id }, { $unset: { pending: 1 } })),
        append(FeedbackChange, changeStream(tenantId), { requestId, status: doc.status, at: doc.updatedAt }),
        subscriberId ? append(OwnRequest, ownStream(tenantId, subscriberId), { requestId }) : null,
      ])
    ).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    await sendToDepartment(ctx.tenant, doc);
    return view(doc);
  } catch (err) {
    await Promise.all(fileDocs.map((f) => FeedbackFile.deleteOne({ _id: f._id })));
    await FeedbackRequest.deleteOne({ _id: requestId });
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
  tenant: TenantDoc,
  id: string,
  input: FeedbackUpdateBody,
  source: AnswerSource,
  mail: { from: string; messageId: string } = { from: '', messageId: '' },
): Promise<IntegrationFeedbackView> {
  const { doc, changed } = await revise<FeedbackRequestDoc, { doc: FeedbackRequestDoc; changed: boolean }>(
    FeedbackRequest,
    id,
    (current) => {
      if (!current || !current.tenantId.equals(tenant._id)) throw new NotFoundError('feedback_not_found');
      if (mail.messageId && current.answers.some((a) => a.messageId === mail.messageId)) {
        return { result: { doc: current, changed: false } };
      }
      if (current.status === 'closed') throw new RuleViolation('feedback_closed', { number: current.number });
      const target = input.status ?? (input.answer ? 'answered' : current.status);
      if (target !== current.status && !TRANSITIONS[current.status].includes(target)) {
        throw new RuleViolation('feedback_status_transition', { from: current.status, to: target });
      }
      const at = new Date();
      const set = {
        status: target,
        answers: input.answer
          ? [...current.answers, { text: input.answer, source, from: mail.from, messageId: mail.messageId, at }]
          : current.answers,
        history: target !== current.status ? [...current.history, { status: target, source, at }] : current.history,
        updatedAt: at,
      };
      return { set, result: { doc: { ...current, ...set }, changed: true } };
    },
  ).catch((err: unknown) => {
    if (err instanceof RevisionBusyError) throw new ConflictError('feedback_changed');
    throw err;
  });
  if (changed) {
    await announceChange(doc);
    if (input.answer) await sendAnswer(tenant, doc, input.answer);
  }
  return integrationView(doc);
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

/** The files of support requests, attached to the department's email. */
export const loadFeedbackFile: AttachmentLoader = async (id) => {
  // A hydrated document: mongoose gives its bytes as a Buffer (a lean one gives BSON's Binary).
  const file = await FeedbackFile.findById(id);
  return file ? { filename: file.name, content: file.data, contentType: file.type } : null;
};

async function sendToDepartment(tenant: TenantDoc, doc: FeedbackRequestDoc): Promise<void> {
  const id = String(doc._id);
  const files = Object.fromEntries(
    doc.attachments.flatMap((a, i) => [
      [`file${i}Name`, a.name],
      [`file${i}Url`, fileLink(publicUrl(), tenant.slug, id, String(a.fileId))],
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
  const owner = await findByKey<Pick<FeedbackRequestDoc, 'tenantSlug'>>(FeedbackRequest, requestId, { tenantSlug: 1 });
  if (!owner) throw new NotFoundError('feedback_not_found');
  const tenant = await getTenantBySlug(owner.tenantSlug);
  const updated = await updateRequest(tenant, requestId, { answer: mail.text.slice(0, ANSWER_MAX_LENGTH) }, 'email', {
    from: mail.from,
    messageId: mail.messageId,
  });
  return { requestId, status: updated.status };
}

/** Requests of a deleted cabinet removed per round of lookups. */
const DELETE_BATCH = 100;

/**
 * A deleted cabinet takes its requests and their files along (personal data goes with the
 * consent): its stream at each supplier of the realm is read a batch at a time, and every
 * request, file and entry is removed by `_id`.
 */
export const dropFeedbackOfDeleted: SubscriberDeletedHook = async ({ realm, subscriberId }) => {
  for (const tenant of (await realmTenantIds(realm)).values()) {
    const stream = ownStream(tenant._id, subscriberId);
    const last = await lastSeq(OwnRequest, stream);
    for (let after = 0; after < last; after += DELETE_BATCH) {
      const entries = await readAfter<OwnRequestDoc>(OwnRequest, stream, after, Math.min(DELETE_BATCH, last - after));
      for (const entry of entries) {
        const doc = await findRequest(tenant._id, entry.requestId);
        if (doc?.subscriberId?.equals(subscriberId)) {
          for (const a of doc.attachments) await FeedbackFile.deleteOne({ _id: a.fileId });
          await FeedbackRequest.deleteOne({ _id: doc._id });
        }
        await OwnRequest.deleteOne({ _id: entry._id });
      }
    }
  }
};

/** Files older than this still pending were left by a crash between storing files and request. */
const ORPHAN_AFTER_MS = 3600_000;
/** Most due records one run of the sweep reads. */
const SWEEP_BATCH = 10_000;

/**
 * Files stored before their request, due for a look once they would be orphans
 * (server/db/kernel/expiry.ts): in buckets of ten minutes, read by the hourly sweep. The earlier
 * version's pending files are enrolled once.
 */
const PENDING_FILES = queue('feedback-files', 600_000, [FeedbackFile], async (register) => {
  const pending = FeedbackFile.find({ pending: true }, { createdAt: 1 });
  for await (const file of pending.lean<Pick<FeedbackFileDoc, '_id' | 'createdAt'>>().cursor()) {
    await register(FeedbackFile, String(file._id), new Date(file.createdAt.getTime() + ORPHAN_AFTER_MS));
  }
});

/**
 * Stores a new request's files, pending until the request is stored: each is registered first,
 * so that the sweep removes it should the request never follow (the server stopped in between).
 */
export async function storePendingFiles(files: (Omit<FeedbackFileDoc, 'createdAt'> & { createdAt?: Date })[]): Promise<void> {
  if (files.length === 0) return;
  const docs = files.map((f) => ({ ...f, createdAt: f.createdAt ?? new Date(), pending: true }));
  await Promise.all(
    docs.map((f) => dueAt(PENDING_FILES, FeedbackFile, String(f._id), new Date(f.createdAt.getTime() + ORPHAN_AFTER_MS))),
  );
  await FeedbackFile.insertMany(docs);
}

/** Settles the due files still pending: kept when their request exists, else removed; returns how many went. */
async function settleFiles(due: Due[]): Promise<number> {
  let removed = 0;
  for (const { id } of due) {
    const file = await findByKey<Pick<FeedbackFileDoc, 'requestId' | 'pending'>>(FeedbackFile, id, { requestId: 1, pending: 1 });
    if (!file?.pending) continue;
    if (await FeedbackRequest.exists({ _id: file.requestId })) {
      await FeedbackFile.updateOne({ _id: id }, { $unset: { pending: 1 } });
    } else {
      removed += (await FeedbackFile.deleteOne({ _id: id })).deletedCount;
    }
  }
  return removed;
}

/** Removes attachments whose request was never stored, by the queue's records (`limit` a run); returns how many. */
export async function sweepOrphanFiles(now = new Date(), limit = SWEEP_BATCH): Promise<number> {
  return sweepDue(PENDING_FILES, now, limit, settleFiles);
}

export const orphanFilesWorker: Worker = {
  name: 'feedback.orphan-files',
  intervalMs: ORPHAN_AFTER_MS,
  async run(logger) {
    const removed = await sweepOrphanFiles();
    if (removed) logger.info({ removed }, 'orphaned feedback attachments removed');
  },
};

/** Most change entries one page of the integration API reads (a status filter may skip many). */
const MAX_SCAN = 5000;

/**
 * The seq a cursor stands for. Cursors are seqs of the supplier's change stream; a cursor of the
 * earlier version (`<updatedAt>|<id>` in base64url) is found in the stream by bisection, which
 * the migration wrote in that order.
 */
async function cursorSeq(tenantId: Types.ObjectId, cursor: string, last: number): Promise<number> {
  const invalid = () => new ValidationError({ cursor: { code: 'invalid_cursor' } });
  if (/^\d{1,15}$/.test(cursor)) {
    const seq = Number(cursor);
    if (seq > last) throw invalid();
    return seq;
  }
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (Number.isNaN(date.getTime()) || !id || !Types.ObjectId.isValid(id)) throw invalid();
  const before = (e: FeedbackChangeDoc) =>
    e.at.getTime() < date.getTime() || (e.at.getTime() === date.getTime() && String(e.requestId) <= id);
  let [low, high] = [0, last];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const entry = await findByKey<FeedbackChangeDoc>(FeedbackChange, key(changeStream(tenantId), mid));
    if (entry && before(entry)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Requests changed since a cursor, oldest change first, for the supplier's systems to follow:
 * each page ends with the cursor of its last request; a request that changes again comes back.
 * The supplier's change stream is read after the cursor by `_id`, a request appears at its latest
 * change only (its `changeSeq`), and the requests are read by `_id`: about two lookups per item,
 * at most MAX_SCAN entries a page.
 */
export async function listForIntegration(
  tenant: TenantDoc,
  input: { status?: FeedbackStatus; cursor?: string; limit: number },
): Promise<{ items: IntegrationFeedbackView[]; cursor: string | null }> {
  const stream = changeStream(tenant._id);
  const last = await lastSeq(FeedbackChange, stream);
  const start = input.cursor ? await cursorSeq(tenant._id, input.cursor, last) : 0;
  const items: FeedbackRequestDoc[] = [];
  let at = start;
  scan: while (at < last && at - start < MAX_SCAN) {
    const entries = await readAfter<FeedbackChangeDoc>(
      FeedbackChange,
      stream,
      at,
      Math.min(Math.max(input.limit, 100), last - at),
    );
    if (!entries.length) break;
    const wanted = entries.map((e) => (!input.status || e.status === input.status ? e : null));
    const docs = await Promise.all(wanted.map((e) => (e ? findRequest(tenant._id, e.requestId) : null)));
    for (const [i, entry] of entries.entries()) {
      at = entry.seq;
      const doc = docs[i];
      if (!doc || (doc.changeSeq ?? 0) > entry.seq || (input.status && doc.status !== input.status)) continue;
      items.push(doc);
      if (items.length === input.limit) break scan;
    }
  }
  return { items: items.map(integrationView), cursor: at > 0 ? String(at) : (input.cursor ?? null) };
}
