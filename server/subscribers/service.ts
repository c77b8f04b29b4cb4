import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import mongoose, { Types } from 'mongoose';
import { email as emailValidator, login as loginValidator } from '../../contracts/rules/validators.ts';
import { dueAt, queue, sweepDue, type Due } from '../db/kernel/expiry.ts';
import { findByKey, isDuplicateKey, key } from '../db/kernel/keys.ts';
import { ConflictError } from '../http/errors.ts';
import type { LoginKind } from '../tenants/model.ts';
import { runSubscriberDeleted, type SubscriberDeleted } from './hooks.ts';
import { LoginKey, Subscriber, type LoginKeyDoc, type SubscriberDoc, type SubscriberStatus } from './model.ts';

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

/**
 * The cabinet with this login in the realm: the login key, then the cabinet by its id (two `_id`
 * lookups). A key whose cabinet is gone or now signs in with another login finds nothing.
 */
export async function findByLogin(realm: string, login: string): Promise<SubscriberDoc | null> {
  const held = await findByKey<LoginKeyDoc>(LoginKey, key(realm, login));
  if (!held) return null;
  const sub = await findById(realm, held.subscriberId);
  return sub?.login === login ? sub : null;
}

/** The cabinet by its id, if it is of the realm (one `_id` lookup; another realm's is as unknown as a missing one). */
export async function findById(realm: string, id: Types.ObjectId | string): Promise<SubscriberDoc | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const doc = await findByKey<SubscriberDoc>(Subscriber, new Types.ObjectId(id));
  return doc?.realm === realm ? doc : null;
}

/** Login keys younger than this may belong to a registration or login change still under way. */
const LOGIN_SETTLE_MS = 60_000;

/**
 * Takes a login of the realm for a cabinet: true when it is now the cabinet's (or already was),
 * false when another cabinet holds it. A key left behind (its cabinet gone, or moved on to another
 * login, by a process that stopped halfway) is taken over once it is older than any step in
 * progress could be.
 */
async function claimLogin(realm: string, login: string, subscriberId: Types.ObjectId): Promise<boolean> {
  const id = key(realm, login);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await LoginKey.create({ _id: id, subscriberId });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const held = await findByKey<LoginKeyDoc>(LoginKey, id);
    if (!held) continue;
    if (held.subscriberId.equals(subscriberId)) return true;
    const holder = await findByKey<SubscriberDoc>(Subscriber, held.subscriberId);
    const inUse = holder?.realm === realm && holder.login === login;
    if (inUse || Date.now() - held.createdAt.getTime() < LOGIN_SETTLE_MS) return false;
    await LoginKey.deleteOne({ _id: id });
  }
  return false;
}

/** Gives a login back, if the cabinet still holds it. */
async function releaseLogin(realm: string, login: string, subscriberId: Types.ObjectId): Promise<void> {
  const id = key(realm, login);
  const held = await findByKey<LoginKeyDoc>(LoginKey, id);
  if (held?.subscriberId.equals(subscriberId)) await LoginKey.deleteOne({ _id: id });
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

/**
 * Cabinets awaiting confirmation, due at their `confirmBy` (server/db/kernel/expiry.ts): in
 * buckets of ten minutes, read by the minutely auth sweep. Every write of a `confirmBy` registers
 * it first (`createPending`, `updateSubscriber`); the earlier version's are enrolled once.
 */
const UNCONFIRMED = queue('unconfirmed', 600_000, [Subscriber], async (register) => {
  const pending = Subscriber.find({ status: 'pending', confirmBy: mongoose.trusted({ $exists: true }) }, { confirmBy: 1 });
  for await (const sub of pending.lean<Pick<SubscriberDoc, '_id' | 'confirmBy'>>().cursor()) {
    await register(Subscriber, String(sub._id), sub.confirmBy!);
  }
});

/**
 * Creates a cabinet awaiting confirmation; null when the login is taken in the realm. Its due
 * record and the cabinet go first, the login key last: of concurrent registrations of one login,
 * exactly one gets the key, and the others remove their cabinet. A cabinet is found by its login
 * only through the key, so one whose process died before taking the key is never seen, and its
 * due record removes it at its deadline; a registration sent again (the answer was cut off) takes
 * the login at once. With the key first, a process that died after it held the login for
 * LOGIN_SETTLE_MS, and the registration sent again was answered without a confirmation.
 */
export async function createPending(input: NewSubscriber): Promise<SubscriberDoc | null> {
  const _id = new Types.ObjectId();
  await dueAt(UNCONFIRMED, Subscriber, String(_id), input.confirmBy);
  const doc = await Subscriber.create({
    ...input,
    _id,
    ...(input.loginKind === 'email' ? { email: input.login } : { phone: input.login }),
    status: 'pending',
    mustChangePassword: false,
  });
  if (await claimLogin(input.realm, input.login, _id)) return doc.toObject();
  await Subscriber.deleteOne({ _id });
  return null;
}

type Changes = {
  set?: Partial<Omit<SubscriberDoc, '_id' | 'realm' | 'createdAt' | 'updatedAt'>>;
  unset?: ('confirmBy' | 'passwordExpiresAt' | 'email' | 'phone')[];
};

/**
 * Applies changes to a cabinet found in its realm (by `findById` or `findByLogin`), by its `_id`;
 * returns it as it is now, or null when it was removed meanwhile.
 */
export async function updateSubscriber(sub: Pick<SubscriberDoc, '_id'>, changes: Changes): Promise<SubscriberDoc | null> {
  if (changes.set?.confirmBy) await dueAt(UNCONFIRMED, Subscriber, String(sub._id), changes.set.confirmBy);
  const update: Record<string, unknown> = {};
  if (changes.set && Object.keys(changes.set).length) update.$set = changes.set;
  if (changes.unset?.length) update.$unset = Object.fromEntries(changes.unset.map((f) => [f, 1]));
  return Subscriber.findByIdAndUpdate(sub._id, update, { returnDocument: 'after' }).lean<SubscriberDoc>();
}

/**
 * Removes a cabinet: every module's cleanup first (sessions, tokens, account links…), then the
 * subscriber with its personal data, then its login. Billing data of the supplier is not touched.
 */
export async function removeSubscriber(
  doc: Pick<SubscriberDoc, '_id' | 'realm' | 'tenantId' | 'login'>,
  reason: SubscriberDeleted['reason'],
): Promise<void> {
  await runSubscriberDeleted({ realm: doc.realm, subscriberId: doc._id, tenantId: doc.tenantId, reason });
  await Subscriber.deleteOne({ _id: doc._id });
  await releaseLogin(doc.realm, doc.login, doc._id);
}

/** Removes the cabinets of the due records that are still unconfirmed past their deadline; returns how many. */
async function removeUnconfirmed(due: Due[], now: Date): Promise<number> {
  let removed = 0;
  for (const { id } of due) {
    const sub = await findByKey<SubscriberDoc>(Subscriber, id);
    if (sub?.status !== 'pending' || !sub.confirmBy || sub.confirmBy > now) continue;
    await removeSubscriber(sub, 'unconfirmed');
    removed += 1;
  }
  return removed;
}

/** Removes cabinets not confirmed by their deadline, by the queue's records (`limit` a run); returns how many. */
export async function sweepUnconfirmed(now = new Date(), limit = 1000): Promise<number> {
  return sweepDue(UNCONFIRMED, now, limit, removeUnconfirmed);
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

/**
 * Gives the cabinet the new email or phone (a confirmed contact change); when it is the login,
 * the new login's key is taken first, so of two cabinets moving to one login one gets it (409
 * `login_taken` for the other), and the old login is given back after.
 */
export async function changeContact(
  sub: Pick<SubscriberDoc, '_id' | 'realm' | 'login' | 'loginKind'>,
  target: { field: 'email' | 'phone'; value: string },
): Promise<SubscriberDoc | null> {
  const set: Partial<SubscriberDoc> = { [target.field]: target.value };
  const newLogin = sub.loginKind === target.field && sub.login !== target.value;
  if (newLogin) {
    if (!(await claimLogin(sub.realm, target.value, sub._id))) throw new ConflictError('login_taken');
    set.login = target.value;
  }
  const updated = await updateSubscriber(sub, { set });
  if (newLogin) await releaseLogin(sub.realm, sub.login, sub._id);
  return updated;
}
