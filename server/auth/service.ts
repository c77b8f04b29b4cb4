import { setTimeout as sleep } from 'node:timers/promises';
import type { Types } from 'mongoose';
import { validate as runRules } from '../../contracts/rules/validators.ts';
import { passwordRules } from '../../contracts/rules/auth.ts';
import type { Ctx, SubscriberCtx } from '../http/context.ts';
import { AuthError, RuleViolation, ValidationError, type FieldErrors } from '../http/errors.ts';
import { claimAttempt, clearKey, consume, sweepLimits } from '../http/limits.ts';
import type { SubscriberDeletedHook } from '../subscribers/hooks.ts';
import {
  createPending,
  findById,
  findByLogin,
  normalizeLogin,
  removeSubscriber,
  sweepUnconfirmed,
  toMe,
  updateSubscriber,
  type Me,
} from '../subscribers/service.ts';
import type { SubscriberDoc } from '../subscribers/model.ts';
import type { LoginKind } from '../tenants/model.ts';
import type { Worker } from '../workers.ts';
import { sweepCaptcha, verifyCaptcha } from './captcha.ts';
import { channelOf, formatDeadline, sendAuthMessage } from './emails.ts';
import { checkCurrentPassword, failureKey } from './credentials.ts';
import { hashPassword, needsRehash, temporaryPassword, verifyPassword } from './passwords.ts';
import { authPolicy } from './policy.ts';
import { currentSubscriber, nextSessionGeneration, openSession, sweepSessions } from './sessions.ts';
import {
  consumeCode,
  consumeLinkToken,
  currentToken,
  dropTokens,
  issueCode,
  issueLinkToken,
  sweepTokens,
  type Consumed,
} from './tokens.ts';

const HOUR = 3_600_000;

/** Who is asking, for rate limits and the session list. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/** Where links in messages lead: a page with the widget on it (checked against the tenant's origins by the route). */
export interface LinkContext {
  client: ClientInfo;
  linkBase: string;
}

function linkTo(base: string, param: 'gaskit-confirm' | 'gaskit-reset', token: string): string {
  const url = new URL(base);
  url.searchParams.set(param, token);
  url.hash = '';
  return url.href;
}

/** Runs `work` and answers no sooner than the floor, so the branch taken does not show in the timing. */
async function withFloor<T>(work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    const left = authPolicy().responseFloorMs - (Date.now() - started);
    if (left > 0) await sleep(left);
  }
}

function loginOrFail(raw: string, kinds: readonly LoginKind[]): { login: string; kind: LoginKind } {
  const norm = normalizeLogin(raw, kinds);
  if ('error' in norm) throw new ValidationError({ login: { code: norm.error } });
  return norm;
}

function failIfAny(fields: FieldErrors): void {
  if (Object.keys(fields).length) throw new ValidationError(fields);
}

/** The tenant's password policy (and not the login), plus the repeat when given. */
function checkNewPassword(ctx: Ctx, fields: FieldErrors, password: string, repeat: string | undefined, login: string): void {
  const failure = runRules(password, passwordRules(ctx.tenant.registration.password, login));
  if (failure) fields.password = { code: failure.code, params: failure.params };
  else if (repeat !== undefined && repeat !== password) fields.passwordRepeat = { code: 'mismatch' };
}

function cooldownSeconds(): number {
  return Math.ceil(authPolicy().resendCooldownMs / 1000);
}

function sendKey(purpose: 'confirm' | 'reset', realm: string, login: string): string {
  return `send:${purpose}:${realm}:${login}`;
}

function expiredPending(sub: SubscriberDoc, now = new Date()): boolean {
  return sub.status === 'pending' && !!sub.confirmBy && sub.confirmBy <= now;
}

/** A confirmation link goes to email logins of link-flow tenants; everyone else gets a code. */
function confirmsByLink(ctx: Ctx, kind: LoginKind): boolean {
  return ctx.tenant.registration.confirmation === 'link' && kind === 'email';
}

/**
 * Issues and sends what confirms a pending cabinet: a link valid until its deadline, or a code. It
 * carries the password hash of the registration it confirms (none in the temporary-password flow),
 * which confirming sets: whoever registered the login earlier keeps no password of theirs.
 */
async function sendConfirmation(ctx: Ctx, sub: SubscriberDoc, linkBase: string, passwordHash: string | undefined): Promise<void> {
  const reg = ctx.tenant.registration;
  const base = { realm: sub.realm, tenantId: ctx.tenant._id, subscriberId: sub._id, purpose: 'confirm' as const, passwordHash };
  if (confirmsByLink(ctx, sub.loginKind) && sub.confirmBy) {
    const token = await issueLinkToken({ ...base, expiresAt: sub.confirmBy });
    await sendAuthMessage(ctx, sub.login, 'auth.confirm-link', {
      link: linkTo(linkBase, 'gaskit-confirm', token),
      deadline: formatDeadline(sub.confirmBy, ctx),
      login: sub.login,
    });
    return;
  }
  const code = await issueCode({ ...base, expiresAt: new Date(Date.now() + reg.codeTtlMinutes * 60_000) });
  const template = sub.passwordHash ? 'auth.confirm-code' : 'auth.register-code';
  await sendAuthMessage(ctx, sub.login, template, { code, minutes: reg.codeTtlMinutes, login: sub.login });
}

export interface RegisterInput {
  login: string;
  password?: string;
  passwordRepeat?: string;
  personType?: 'individual' | 'legal';
  consent?: boolean;
  captcha?: string;
}

/** The same answer whether the login was new, pending or taken. */
export interface PendingAnswer {
  status: 'pending';
  login: string;
  loginKind: LoginKind;
  channel: 'email' | 'sms';
  method: 'link' | 'code';
  /** The cabinet is removed if not confirmed by then. */
  confirmBy: string;
  /** Seconds before "send again" is accepted. */
  resendAfter: number;
}

/**
 * Opens a cabinet awaiting confirmation and sends the link or code of the tenant's flow. A login
 * that already has a confirmed cabinet gets a notice instead; one awaiting confirmation gets a new
 * link or code (the earlier one stops working) that confirms this registration's password. The
 * answer is the same in every case.
 */
export async function register(ctx: Ctx, input: RegisterInput, meta: LinkContext): Promise<PendingAnswer> {
  const reg = ctx.tenant.registration;
  const realm = ctx.tenant.realm;
  const withPassword = reg.confirmation !== 'code-temp-password';
  const fields: FieldErrors = {};
  const norm = normalizeLogin(input.login, reg.logins);
  if ('error' in norm) fields.login = { code: norm.error };
  if (withPassword) {
    checkNewPassword(ctx, fields, input.password ?? '', input.passwordRepeat, input.login);
    if (input.consent !== true) fields.consent = { code: 'consent_required' };
  }
  if (reg.personTypes && !input.personType) fields.personType = { code: 'required' };
  failIfAny(fields);
  const { login, kind } = norm as { login: string; kind: LoginKind };

  const limits = authPolicy().limits.register;
  await consume(`register:ip:${meta.client.ip}`, limits.ip);
  if (reg.captcha) await verifyCaptcha(ctx.tenant.slug, input.captcha);
  await consume(`register:login:${realm}:${login}`, limits.login);
  await consume(`register:tenant:${ctx.tenant._id}`, limits.tenant);

  const now = new Date();
  const confirmBy = new Date(now.getTime() + reg.linkTtlHours * HOUR);
  await withFloor(async () => {
    const passwordHash = withPassword ? await hashPassword(input.password!) : undefined;
    let existing = await findByLogin(realm, login);
    if (existing && expiredPending(existing, now)) {
      await removeSubscriber(existing, 'unconfirmed');
      existing = null;
    }
    if (!existing) {
      const created = await createPending({
        realm,
        tenantId: ctx.tenant._id,
        login,
        loginKind: kind,
        personType: reg.personTypes && input.personType ? input.personType : 'individual',
        passwordHash,
        locale: ctx.lng,
        consent: withPassword ? { version: reg.consent.version, url: reg.consent.url, acceptedAt: now } : undefined,
        confirmBy,
      });
      if (created) await sendConfirmation(ctx, created, meta.linkBase, passwordHash);
      else existing = await findByLogin(realm, login);
    }
    if (existing?.status === 'active') {
      await sendAuthMessage(ctx, login, 'auth.already-registered', { login });
    } else if (existing) {
      const renewed = await updateSubscriber(existing, { set: { confirmBy } });
      if (renewed) await sendConfirmation(ctx, renewed, meta.linkBase, passwordHash);
    }
  });
  return {
    status: 'pending',
    login,
    loginKind: kind,
    channel: channelOf(login),
    method: confirmsByLink(ctx, kind) ? 'link' : 'code',
    confirmBy: confirmBy.toISOString(),
    resendAfter: cooldownSeconds(),
  };
}

export interface ConfirmInput {
  token?: string;
  login?: string;
  code?: string;
  consent?: boolean;
}

export type ConfirmAnswer = { status: 'confirmed'; login: string } | { status: 'temporary_password_sent'; login: string };

function refusal(prefix: 'link' | 'code', used: Extract<Consumed, { ok: false }>): RuleViolation {
  if (used.reason === 'expired') return new RuleViolation(`${prefix}_expired`);
  if (used.reason === 'exhausted') return new RuleViolation('code_attempts_exceeded');
  return new RuleViolation(`${prefix}_invalid`);
}

/**
 * Confirms a pending cabinet with the password of the registration whose link or code was used,
 * and ends every session opened before (one write: the session generation), so nobody who signed
 * in with another registration's password stays in.
 */
async function activate(sub: SubscriberDoc, passwordHash: string | undefined): Promise<void> {
  const set: Partial<SubscriberDoc> = {
    status: 'active',
    confirmedAt: new Date(),
    sessionGeneration: await nextSessionGeneration(sub),
    ...(passwordHash ? { passwordHash } : {}),
  };
  await updateSubscriber(sub, { set, unset: ['confirmBy'] });
}

/** The email-code flow: consent recorded, a temporary password mailed, to be replaced at the first sign-in. */
async function issueTemporaryPassword(ctx: Ctx, sub: SubscriberDoc): Promise<void> {
  const reg = ctx.tenant.registration;
  const password = temporaryPassword(reg.password);
  const now = new Date();
  const passwordExpiresAt = new Date(now.getTime() + reg.linkTtlHours * HOUR);
  await updateSubscriber(sub, {
    set: {
      status: 'active',
      confirmedAt: now,
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
      passwordExpiresAt,
      consent: { version: reg.consent.version, url: reg.consent.url, acceptedAt: now },
    },
    unset: ['confirmBy'],
  });
  await sendAuthMessage(ctx, sub.login, 'auth.temporary-password', {
    login: sub.login,
    password,
    deadline: formatDeadline(passwordExpiresAt, ctx),
  });
}

/**
 * Confirms a pending cabinet by its emailed link (`token`) or by login + code. In the email-code
 * flow the code comes with consent to the access rules, and a temporary password is mailed.
 */
export async function confirm(ctx: Ctx, input: ConfirmInput, client: ClientInfo): Promise<ConfirmAnswer> {
  const realm = ctx.tenant.realm;
  if (input.token !== undefined) {
    await consume(`confirm:ip:${client.ip}`, authPolicy().limits.confirm.ip);
    const used = await consumeLinkToken(realm, 'confirm', input.token);
    if (!used.ok) throw refusal('link', used);
    const sub = await findById(realm, used.token.subscriberId);
    if (!sub) throw new RuleViolation('link_invalid');
    if (expiredPending(sub)) throw new RuleViolation('link_expired');
    await activate(sub, used.token.passwordHash);
    return { status: 'confirmed', login: sub.login };
  }

  const fields: FieldErrors = {};
  if (!input.login) fields.login = { code: 'required' };
  if (!input.code) fields.code = { code: 'required' };
  if (ctx.tenant.registration.confirmation === 'code-temp-password' && input.consent !== true) {
    fields.consent = { code: 'consent_required' };
  }
  failIfAny(fields);
  const { login } = loginOrFail(input.login!, ctx.tenant.registration.logins);
  await consume(`confirm:ip:${client.ip}`, authPolicy().limits.confirm.ip);
  const sub = await findByLogin(realm, login);
  if (!sub || sub.status !== 'pending' || expiredPending(sub)) throw new RuleViolation('code_invalid');
  const used = await consumeCode(realm, sub._id, 'confirm', input.code!, authPolicy().codeAttempts);
  if (!used.ok) throw refusal('code', used);
  if (!sub.passwordHash) {
    await issueTemporaryPassword(ctx, sub);
    return { status: 'temporary_password_sent', login: sub.login };
  }
  await activate(sub, used.token.passwordHash);
  return { status: 'confirmed', login: sub.login };
}

export interface ResendAnswer {
  status: 'sent';
  resendAfter: number;
}

/**
 * Sends the confirmation link or code again: to the signed-in person's own login (a cabinet
 * awaiting confirmation may sign in for that), or to a login typed in. It confirms the password
 * of the registration the earlier one confirmed. Same answer either way.
 */
export async function resend(
  ctx: Ctx,
  input: { login?: string; captcha?: string },
  meta: LinkContext & { sessionSubscriberId?: Types.ObjectId },
): Promise<ResendAnswer> {
  const realm = ctx.tenant.realm;
  const own = meta.sessionSubscriberId ? await findById(realm, meta.sessionSubscriberId) : null;
  if (!own && !input.login) throw new ValidationError({ login: { code: 'required' } });
  const login = own ? own.login : loginOrFail(input.login!, ctx.tenant.registration.logins).login;

  const limits = authPolicy().limits.resend;
  await consume(`resend:ip:${meta.client.ip}`, limits.ip);
  if (ctx.tenant.registration.captcha) await verifyCaptcha(ctx.tenant.slug, input.captcha);
  await consume(`resend:login:${realm}:${login}`, limits.login);
  await consume(sendKey('confirm', realm, login), { points: 1, windowMs: authPolicy().resendCooldownMs }, 'resend_too_soon');

  await withFloor(async () => {
    const sub = own ?? (await findByLogin(realm, login));
    if (sub && sub.status === 'pending' && !expiredPending(sub)) {
      const current = await currentToken(realm, sub._id, 'confirm');
      await sendConfirmation(ctx, sub, meta.linkBase, current?.passwordHash ?? sub.passwordHash);
    }
  });
  return { status: 'sent', resendAfter: cooldownSeconds() };
}

export interface SignInAnswer {
  token: string;
  expiresAt: string;
  me: Me;
}

/**
 * Password sign-in. Tries count per login (existing or not) before the password is checked, and
 * a right one forgets them; after the threshold each further try waits longer (429
 * `login_locked`), and of concurrent tries no more than the lockout allows are checked. A cabinet
 * awaiting confirmation may sign in (to resend its link); a temporary password must be replaced
 * before anything else.
 */
export async function signIn(ctx: Ctx, input: { login: string; password: string }, client: ClientInfo): Promise<SignInAnswer> {
  const realm = ctx.tenant.realm;
  await consume(`login:ip:${client.ip}`, authPolicy().limits.login.ip);
  const { login } = loginOrFail(input.login, ctx.tenant.registration.logins);
  const failKey = failureKey(realm, login);
  await claimAttempt(failKey, authPolicy().lockout, 'login_locked');

  const now = new Date();
  const found = await findByLogin(realm, login);
  const sub = found && !expiredPending(found, now) ? found : null;
  const ok = await verifyPassword(input.password, sub?.passwordHash);
  if (!ok || !sub) throw new AuthError('invalid_credentials');
  await clearKey(failKey);
  if (sub.mustChangePassword && sub.passwordExpiresAt && sub.passwordExpiresAt <= now) {
    throw new AuthError('temporary_password_expired');
  }
  const set: Partial<SubscriberDoc> = { lastSignInAt: now };
  if (needsRehash(sub.passwordHash!)) set.passwordHash = await hashPassword(input.password);
  const updated = (await updateSubscriber(sub, { set })) ?? sub;
  const session = await openSession({
    subscriberId: sub._id,
    realm,
    tenantId: ctx.tenant._id,
    generation: updated.sessionGeneration ?? 0,
    userAgent: client.userAgent,
    ip: client.ip,
  });
  return { token: session.token, expiresAt: session.expiresAt.toISOString(), me: toMe(updated) };
}

export interface ForgotAnswer {
  status: 'sent';
  channel: 'email' | 'sms';
  method: 'link' | 'code';
  resendAfter: number;
}

/** "Forgot password": a reset link by email (a code by SMS for phone logins). Same answer for every login. */
export async function forgotPassword(
  ctx: Ctx,
  input: { login: string; captcha?: string },
  meta: LinkContext,
): Promise<ForgotAnswer> {
  const realm = ctx.tenant.realm;
  const { login, kind } = loginOrFail(input.login, ctx.tenant.registration.logins);
  const limits = authPolicy().limits.forgot;
  await consume(`forgot:ip:${meta.client.ip}`, limits.ip);
  if (ctx.tenant.registration.captcha) await verifyCaptcha(ctx.tenant.slug, input.captcha);
  await consume(`forgot:login:${realm}:${login}`, limits.login);
  await consume(sendKey('reset', realm, login), { points: 1, windowMs: authPolicy().resendCooldownMs }, 'resend_too_soon');

  await withFloor(async () => {
    const sub = await findByLogin(realm, login);
    if (!sub?.passwordHash || expiredPending(sub)) return;
    const base = { realm, tenantId: ctx.tenant._id, subscriberId: sub._id, purpose: 'reset' as const };
    if (kind === 'email') {
      const token = await issueLinkToken({ ...base, expiresAt: new Date(Date.now() + authPolicy().resetLinkTtlMs) });
      await sendAuthMessage(ctx, login, 'auth.reset-link', {
        link: linkTo(meta.linkBase, 'gaskit-reset', token),
        minutes: Math.round(authPolicy().resetLinkTtlMs / 60_000),
      });
    } else {
      const minutes = ctx.tenant.registration.codeTtlMinutes;
      const code = await issueCode({ ...base, expiresAt: new Date(Date.now() + minutes * 60_000) });
      await sendAuthMessage(ctx, login, 'auth.reset-code', { code, minutes });
    }
  });
  return {
    status: 'sent',
    channel: channelOf(login),
    method: kind === 'email' ? 'link' : 'code',
    resendAfter: cooldownSeconds(),
  };
}

/**
 * After a password is set by reset or change: the new hash, no temporary password, every session
 * but `keepSession` ended (the same write: the session generation), a notice to the owner.
 */
async function storeNewPassword(
  ctx: Ctx,
  sub: SubscriberDoc,
  password: string,
  options: { activate: boolean; keepSession?: string },
): Promise<SubscriberDoc> {
  const now = new Date();
  const set: Partial<SubscriberDoc> = {
    passwordHash: await hashPassword(password),
    mustChangePassword: false,
    passwordChangedAt: now,
    sessionGeneration: await nextSessionGeneration(sub, options.keepSession),
  };
  const unset: ('passwordExpiresAt' | 'confirmBy')[] = ['passwordExpiresAt'];
  if (options.activate && sub.status === 'pending') {
    Object.assign(set, { status: 'active', confirmedAt: now });
    unset.push('confirmBy');
  }
  const updated = await updateSubscriber(sub, { set, unset });
  await sendAuthMessage(ctx, sub.login, 'auth.password-changed', { login: sub.login });
  return updated ?? sub;
}

/**
 * Sets a new password from a reset link (`token`) or login + SMS code. Proves the login too, so a
 * cabinet awaiting confirmation becomes confirmed. Every session of the person is ended.
 */
export async function resetPassword(
  ctx: Ctx,
  input: { token?: string; login?: string; code?: string; password: string; passwordRepeat?: string },
  client: ClientInfo,
): Promise<{ status: 'password_reset'; login: string }> {
  const realm = ctx.tenant.realm;
  await consume(`confirm:ip:${client.ip}`, authPolicy().limits.confirm.ip);
  let sub: SubscriberDoc | null;
  if (input.token !== undefined) {
    let owner: SubscriberDoc | null = null;
    const used = await consumeLinkToken(realm, 'reset', input.token, async (found) => {
      owner = await findById(realm, found.subscriberId);
      const fields: FieldErrors = {};
      checkNewPassword(ctx, fields, input.password, input.passwordRepeat, owner?.login ?? '');
      failIfAny(fields);
    });
    if (!used.ok) throw refusal('link', used);
    sub = owner;
  } else {
    const fields: FieldErrors = {};
    if (!input.login) fields.login = { code: 'required' };
    if (!input.code) fields.code = { code: 'required' };
    failIfAny(fields);
    const { login } = loginOrFail(input.login!, ctx.tenant.registration.logins);
    checkNewPassword(ctx, fields, input.password, input.passwordRepeat, login);
    failIfAny(fields);
    sub = await findByLogin(realm, login);
    if (!sub) throw new RuleViolation('code_invalid');
    const used = await consumeCode(realm, sub._id, 'reset', input.code!, authPolicy().codeAttempts);
    if (!used.ok) throw refusal('code', used);
  }
  if (!sub) throw new RuleViolation('link_invalid');
  await storeNewPassword(ctx, sub, input.password, { activate: true });
  await clearKey(failureKey(sub.realm, sub.login));
  return { status: 'password_reset', login: sub.login };
}

/**
 * Changes the password of the signed-in person (the current one required; a temporary one
 * included). Every other session of theirs is ended; this one stays.
 */
export async function changePassword(
  ctx: SubscriberCtx,
  input: { currentPassword: string; password: string; passwordRepeat?: string },
): Promise<Me> {
  const sub = await currentSubscriber(ctx);
  const fields: FieldErrors = {};
  checkNewPassword(ctx, fields, input.password, input.passwordRepeat, sub.login);
  if (!fields.password && input.password === input.currentPassword) fields.password = { code: 'password_same_as_current' };
  failIfAny(fields);
  await checkCurrentPassword(sub, input.currentPassword, 'currentPassword');
  const updated = await storeNewPassword(ctx, sub, input.password, { activate: false, keepSession: ctx.sessionHash });
  return toMe(updated);
}

/** A deleted cabinet's tokens go with it. */
export const dropTokensOfDeleted: SubscriberDeletedHook = async ({ realm, subscriberId }) => {
  await dropTokens(realm, subscriberId);
};

export const AUTH_SWEEP = 'auth.sweep';

/** Removes cabinets past their confirmation deadline and expired tokens, limits, captcha uses and sessions. */
export async function sweepAuth(now = new Date()): Promise<Record<string, number>> {
  return {
    unconfirmed: await sweepUnconfirmed(now),
    tokens: await sweepTokens(now),
    limits: await sweepLimits(now),
    captcha: await sweepCaptcha(now),
    sessions: await sweepSessions(now),
  };
}

export const authSweepWorker: Worker = {
  name: AUTH_SWEEP,
  intervalMs: 60_000,
  async run(logger) {
    const removed = await sweepAuth();
    if (Object.values(removed).some((n) => n > 0)) logger.info(removed, 'auth sweep');
  },
};
