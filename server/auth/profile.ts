import type { SubscriberCtx } from '../http/context.ts';
import { RuleViolation, ValidationError, type FieldErrors } from '../http/errors.ts';
import { consume } from '../http/limits.ts';
import type { SubscriberDoc } from '../subscribers/model.ts';
import {
  changeContact,
  normalizeEmail,
  normalizePhone,
  removeSubscriber,
  toMe,
  updateSubscriber,
  type Me,
} from '../subscribers/service.ts';
import { checkCurrentPassword } from './credentials.ts';
import { maskContact, sendAuthMessage } from './emails.ts';
import { authPolicy } from './policy.ts';
import { currentSubscriber } from './sessions.ts';
import { consumeCode, issueCode } from './tokens.ts';

/**
 * `me`: the signed-in person's own cabinet. Changes that need the person's proof (a code sent
 * to a new contact, the password again) are auth's; the cabinet's record is the subscribers
 * module's.
 */

export async function getMe(ctx: SubscriberCtx): Promise<Me> {
  return toMe(await currentSubscriber(ctx));
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
export async function updateProfile(ctx: SubscriberCtx, input: ProfileInput): Promise<ProfileAnswer> {
  const sub = await currentSubscriber(ctx);
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

  const updated = Object.keys(set).length || unset.length ? await updateSubscriber(sub, { set, unset }) : sub;
  const change = changes[0] ?? null;
  if (change) {
    await consume(
      `send:contact:${sub.realm}:${sub._id}`,
      { points: 1, windowMs: authPolicy().resendCooldownMs },
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
export async function confirmContact(ctx: SubscriberCtx, input: { code: string }): Promise<Me> {
  const sub = await currentSubscriber(ctx);
  const used = await consumeCode(sub.realm, sub._id, 'contact', input.code, authPolicy().codeAttempts);
  if (!used.ok) {
    throw new RuleViolation(
      used.reason === 'expired' ? 'code_expired' : used.reason === 'exhausted' ? 'code_attempts_exceeded' : 'code_invalid',
    );
  }
  const target = used.token.target;
  if (!target?.field || !target.value) throw new RuleViolation('code_invalid');
  const updated = await changeContact(sub, { field: target.field, value: target.value });
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

/**
 * Deletes the cabinet (and so withdraws consent to the processing of personal data): the
 * password is asked again, a notice goes to the login, then every module's data about the person
 * and the person's record are removed. The supplier's billing data stays.
 */
export async function deleteCabinet(ctx: SubscriberCtx, input: { password: string }): Promise<void> {
  const sub = await currentSubscriber(ctx);
  await checkCurrentPassword(sub, input.password, 'password');
  await sendAuthMessage(ctx, sub.login, 'auth.cabinet-deleted', { login: sub.login });
  await removeSubscriber(sub, 'deleted');
}
