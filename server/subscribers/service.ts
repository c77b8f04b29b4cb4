import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import mongoose, { Types } from 'mongoose';
import { email as emailValidator, login as loginValidator } from '../../sdk/validators.ts';
import { checkCurrentPassword } from '../auth/credentials.ts';
import { maskContact, sendAuthMessage } from '../auth/emails.ts';
import { consume } from '../auth/limits.ts';
import { auth } from '../auth/policy.ts';
import { consumeCode, issueCode } from '../auth/tokens.ts';
import type { Ctx } from '../http/context.ts';
import { AuthError, ConflictError, RuleViolation, ValidationError, type FieldErrors } from '../http/errors.ts';
import type { LoginKind } from '../tenants/model.ts';
import { runSubscriberDeleted, type SubscriberDeleted } from './hooks.ts';
import { Subscriber, type SubscriberDoc, type SubscriberStatus } from './model.ts';

/** A lower-cased email, or null when it is not one. */
export function normalizeEmail(raw: string): string | null {
  const value = raw.trim().toLowerCase();
  return value && emailValidator.execute(value, undefined) === null ? value : null;
}

/** A mobile number in E.164 (Russian numbers may be written nationally, 8 912 … or 912 …), or null. */
export function normalizePhone(raw: string): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), 'RU');
  return parsed?.isValid() ? parsed.number : null;
}

export type LoginResult = { login: string; kind: LoginKind } | { error: string };

/**
 * Normalises a login under the tenant's login kinds with the same rule the widgets apply
 * (an `@` means email), then strictly (a real mobile number for phones).
 */
export function normalizeLogin(raw: string, kinds: readonly LoginKind[]): LoginResult {
  const shape = loginValidator.execute(raw.trim(), { kinds });
  if (shape) return { error: shape };
  const kind: LoginKind = raw.includes('@') ? 'email' : 'phone';
  const login = kind === 'email' ? normalizeEmail(raw) : normalizePhone(raw);
  return login ? { login, kind } : { error: kind === 'email' ? 'invalid_email' : 'invalid_phone' };
}

export async function findByLogin(realm: string, login: string): Promise<SubscriberDoc | null> {
  return Subscriber.findOne({ realm, login }).lean<SubscriberDoc>();
}

export async function findById(realm: string, id: Types.ObjectId | string): Promise<SubscriberDoc | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  return Subscriber.findOne({ _id: new Types.ObjectId(id), realm }).lean<SubscriberDoc>();
}

/** What the session guard needs to know about the person behind a session. */
export async function guardState(
  realm: string,
  id: Types.ObjectId,
): Promise<{ status: SubscriberStatus; mustChangePassword: boolean } | null> {
  const doc = await Subscriber.findOne({ _id: id, realm }, { status: 1, mustChangePassword: 1 }).lean();
  return doc ? { status: doc.status, mustChangePassword: doc.mustChangePassword } : null;
}

export interface NewSubscriber {
  realm: string;
  tenantId: Types.ObjectId;
  login: string;
  loginKind: LoginKind;
  personType: 'individual' | 'legal';
  passwordHash?: string;
  locale: string;
  consent?: { version: string; url: string; acceptedAt: Date };
  confirmBy: Date;
}

/** Creates a cabinet awaiting confirmation; null when the login is taken in the realm (the unique index decides). */
export async function createPending(input: NewSubscriber): Promise<SubscriberDoc | null> {
  try {
    const doc = await Subscriber.create({
      ...input,
      ...(input.loginKind === 'email' ? { email: input.login } : { phone: input.login }),
      status: 'pending',
      mustChangePassword: false,
    });
    return doc.toObject();
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return null;
    throw err;
  }
}

type Changes = {
  set?: Partial<Omit<SubscriberDoc, '_id' | 'realm' | 'createdAt' | 'updatedAt'>>;
  unset?: ('confirmBy' | 'passwordExpiresAt' | 'email' | 'phone')[];
};

/** Applies changes to one subscriber; throws `ConflictError`-worthy duplicate key errors to the caller. */
export async function updateSubscriber(realm: string, id: Types.ObjectId, changes: Changes): Promise<SubscriberDoc | null> {
  const update: Record<string, unknown> = {};
  if (changes.set && Object.keys(changes.set).length) update.$set = changes.set;
  if (changes.unset?.length) update.$unset = Object.fromEntries(changes.unset.map((f) => [f, 1]));
  return Subscriber.findOneAndUpdate({ _id: id, realm }, update, { returnDocument: 'after' }).lean<SubscriberDoc>();
}

/**
 * Removes a cabinet: every module's cleanup first (sessions, tokens, account links…), then the
 * subscriber with its personal data. Billing data of the supplier is not touched.
 */
export async function removeSubscriber(
  doc: Pick<SubscriberDoc, '_id' | 'realm' | 'tenantId'>,
  reason: SubscriberDeleted['reason'],
): Promise<void> {
  await runSubscriberDeleted({ realm: doc.realm, subscriberId: doc._id, tenantId: doc.tenantId, reason });
  await Subscriber.deleteOne({ _id: doc._id, realm: doc.realm });
}

/** Removes cabinets not confirmed by their deadline; returns how many. */
export async function sweepUnconfirmed(now = new Date(), batch = 200): Promise<number> {
  const due = await Subscriber.find(
    { confirmBy: mongoose.trusted({ $lt: now }), status: 'pending' },
    { _id: 1, realm: 1, tenantId: 1 },
  )
    .limit(batch)
    .lean<Pick<SubscriberDoc, '_id' | 'realm' | 'tenantId'>[]>();
  for (const doc of due) await removeSubscriber(doc, 'unconfirmed');
  return due.length;
}

/** What a person sees of their own cabinet (`GET me`). */
export interface Me {
  id: string;
  login: string;
  loginKind: LoginKind;
  email: string | null;
  phone: string | null;
  fullName: string;
  personType: 'individual' | 'legal';
  status: SubscriberStatus;
  mustChangePassword: boolean;
  /** Until when an unconfirmed cabinet waits for confirmation before it is removed. */
  confirmBy: string | null;
  consent: { version: string; url: string; acceptedAt: string } | null;
  createdAt: string;
}

export function toMe(doc: SubscriberDoc): Me {
  return {
    id: String(doc._id),
    login: doc.login,
    loginKind: doc.loginKind,
    email: doc.email ?? null,
    phone: doc.phone ?? null,
    fullName: doc.fullName,
    personType: doc.personType,
    status: doc.status,
    mustChangePassword: doc.mustChangePassword,
    confirmBy: doc.confirmBy?.toISOString() ?? null,
    consent: doc.consent?.acceptedAt
      ? { version: doc.consent.version, url: doc.consent.url ?? '', acceptedAt: doc.consent.acceptedAt.toISOString() }
      : null,
    createdAt: doc.createdAt.toISOString(),
  };
}

function subscriberIdOf(ctx: Ctx): Types.ObjectId {
  if (!ctx.subscriberId) throw new AuthError();
  return new Types.ObjectId(ctx.subscriberId);
}

async function current(ctx: Ctx): Promise<SubscriberDoc> {
  const doc = await findById(ctx.tenant.realm, subscriberIdOf(ctx));
  if (!doc) throw new AuthError('session_expired');
  return doc;
}

export async function getMe(ctx: Ctx): Promise<Me> {
  return toMe(await current(ctx));
}

export interface ProfileInput {
  fullName?: string;
  email?: string;
  phone?: string;
}

export interface ProfileAnswer {
  me: Me;
  /** A new email (or login phone) waiting for the code sent to it. */
  pendingContact: { field: 'email' | 'phone'; value: string } | null;
}

/**
 * Profile settings. The name and a contact phone change at once; a new email, or a new phone
 * that is the login, changes only after the code sent to it is entered (`confirmContact`).
 */
export async function updateProfile(ctx: Ctx, input: ProfileInput): Promise<ProfileAnswer> {
  const sub = await current(ctx);
  const fields: FieldErrors = {};
  const set: Partial<SubscriberDoc> = {};
  const unset: ('email' | 'phone')[] = [];
  const changes: { field: 'email' | 'phone'; value: string }[] = [];

  if (input.fullName !== undefined) set.fullName = input.fullName.trim();
  for (const field of ['email', 'phone'] as const) {
    const raw = input[field];
    if (raw === undefined) continue;
    if (raw.trim() === '') {
      if (sub.loginKind === field) fields[field] = { code: 'required' };
      else if (sub[field]) unset.push(field);
      continue;
    }
    const value = field === 'email' ? normalizeEmail(raw) : normalizePhone(raw);
    if (!value) fields[field] = { code: field === 'email' ? 'invalid_email' : 'invalid_phone' };
    else if (value === sub[field]) continue;
    else if (field === 'email' || sub.loginKind === 'phone') changes.push({ field, value });
    else set.phone = value;
  }
  if (changes.length > 1) fields.phone = { code: 'one_contact_change_at_a_time' };
  if (Object.keys(fields).length) throw new ValidationError(fields);

  const updated = Object.keys(set).length || unset.length ? await updateSubscriber(sub.realm, sub._id, { set, unset }) : sub;
  const change = changes[0] ?? null;
  if (change) {
    await consume(
      `send:contact:${sub.realm}:${sub._id}`,
      { points: 1, windowMs: auth.policy.resendCooldownMs },
      'resend_too_soon',
    );
    const minutes = ctx.tenant.registration.codeTtlMinutes;
    const code = await issueCode({
      realm: sub.realm,
      tenantId: ctx.tenant._id,
      subscriberId: sub._id,
      purpose: 'contact',
      target: change,
      expiresAt: new Date(Date.now() + minutes * 60_000),
    });
    await sendAuthMessage(ctx, change.value, 'auth.contact-code', { code, minutes, value: change.value });
  }
  return { me: toMe(updated ?? sub), pendingContact: change };
}

/** Applies the pending email or phone change once its code is entered. */
export async function confirmContact(ctx: Ctx, input: { code: string }): Promise<Me> {
  const sub = await current(ctx);
  const used = await consumeCode(sub.realm, sub._id, 'contact', input.code, auth.policy.codeAttempts);
  if (!used.ok) {
    throw new RuleViolation(
      used.reason === 'expired' ? 'code_expired' : used.reason === 'exhausted' ? 'code_attempts_exceeded' : 'code_invalid',
    );
  }
  const target = used.token.target;
  if (!target?.field || !target.value) throw new RuleViolation('code_invalid');
  const set: Partial<SubscriberDoc> = { [target.field]: target.value };
  if (sub.loginKind === target.field) {
    const holder = await findByLogin(sub.realm, target.value);
    if (holder && !holder._id.equals(sub._id)) throw new ConflictError('login_taken');
    set.login = target.value;
  }
  let updated: SubscriberDoc | null;
  try {
    updated = await updateSubscriber(sub.realm, sub._id, { set });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('login_taken');
    throw err;
  }
  // The old address hears of it: someone who took over the session cannot change it unnoticed.
  const old = sub[target.field];
  if (old && old !== target.value) {
    await sendAuthMessage(ctx, old, 'auth.contact-changed', {
      field: target.field,
      old,
      new: maskContact(target.value),
    });
  }
  return toMe(updated ?? sub);
}

/** MongoDB reports E11000; FerretDB v1 reports a unique index hit on update as an internal error naming the constraint. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e.code === 11000 || /UNIQUE constraint failed/.test(e.message ?? '');
}

/**
 * Deletes the cabinet (and so withdraws consent to the processing of personal data): the
 * password is asked again, a notice goes to the login, then every module's data about the person
 * and the person's record are removed. The supplier's billing data stays.
 */
export async function deleteCabinet(ctx: Ctx, input: { password: string }): Promise<void> {
  const sub = await current(ctx);
  await checkCurrentPassword(sub, input.password, 'password');
  await sendAuthMessage(ctx, sub.login, 'auth.cabinet-deleted', { login: sub.login });
  await removeSubscriber(sub, 'deleted');
}
