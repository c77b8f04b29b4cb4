import type mongoose from 'mongoose';
import type { Types } from 'mongoose';
import { streamId } from '../db/kernel/streams.ts';
import { insertMissing, type Migration, type MigrationCtx } from '../db/migrate.ts';
import { Subscriber } from '../subscribers/model.ts';
import { Session, SessionEntry, type SessionDoc, type SessionEntryDoc } from './session-model.ts';
import { MAX_SESSIONS, sessionList, sessionListExpiry, sessionPeriod } from './sessions.ts';
import { CurrentToken, VerificationToken, type CurrentTokenDoc, type VerificationTokenDoc } from './token-model.ts';
import { currentTokenId } from './tokens.ts';

/** Sessions were documents with an ObjectId `_id` and the token's hash in `tokenHash`; ended ones had `revokedAt`. */
const LEGACY_SESSIONS = 'sessions';
/** Links and codes were documents with an ObjectId `_id`, found by `hash` or by (realm, subscriber, purpose). */
const LEGACY_TOKENS = 'verification_tokens';
/** Rate-limit events were one document each under a `key`: short-lived, not moved (the counts start afresh). */
const LEGACY_LIMITS = 'ratelimits';
const BATCH = 500;

/**
 * Sessions by their token's hash, on their cabinet's list, so nobody is signed out by the
 * upgrade (a cabinet with more than `MAX_SESSIONS` live sessions keeps its newest); ended and
 * expired ones stay behind. Each cabinet's list is numbered in the order its sessions were
 * opened, so a second run writes the same entries.
 */
async function moveSessions(ctx: MigrationCtx, now: Date): Promise<number> {
  const bySubscriber = new Map<string, mongoose.mongo.Document[]>();
  const live = ctx.db.collection(LEGACY_SESSIONS).find({ expiresAt: { $gt: now }, revokedAt: { $exists: false } });
  for await (const s of live) {
    const id = String(s.subscriberId);
    const group = bySubscriber.get(id) ?? [];
    group.push(s);
    bySubscriber.set(id, group);
  }
  const subscribers = ctx.db.collection(Subscriber.collection.collectionName);
  const sessions = ctx.db.collection<SessionDoc>(Session.collection.collectionName);
  const entries = ctx.db.collection<SessionEntryDoc>(SessionEntry.collection.collectionName);
  let moved = 0;
  for (const group of bySubscriber.values()) {
    const subscriberId = group[0]!.subscriberId as Types.ObjectId;
    const sub = await subscribers.findOne({ _id: subscriberId }, { projection: { sessionGeneration: 1 } });
    if (!sub) continue;
    const kept = group.sort((a, b) => (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime()).slice(-MAX_SESSIONS);
    moved += await insertMissing(
      sessions,
      kept.map((s) => ({
        _id: String(s.tokenHash),
        subscriberId,
        realm: String(s.realm),
        tenantId: s.tenantId as Types.ObjectId,
        generation: (sub.sessionGeneration as number | undefined) ?? 0,
        userAgent: String(s.userAgent ?? ''),
        ip: String(s.ip ?? ''),
        createdAt: s.createdAt as Date,
        lastSeenAt: (s.lastSeenAt as Date | undefined) ?? (s.createdAt as Date),
        expiresAt: s.expiresAt as Date,
      })),
    );
    const seqs = new Map<number, number>();
    await insertMissing(
      entries,
      kept.map((s) => {
        const period = sessionPeriod((s.createdAt as Date).getTime());
        const seq = (seqs.get(period) ?? 0) + 1;
        seqs.set(period, seq);
        const stream = sessionList(subscriberId, period);
        return { _id: streamId(stream, seq), stream, seq, sessionId: String(s.tokenHash), expiresAt: sessionListExpiry(period) };
      }),
    );
  }
  ctx.log(`sessions: ${moved}`);
  return moved;
}

/**
 * Links and codes still valid: each by its hash, and as its cabinet's current one of its purpose
 * (the newest, where an earlier race left two). Emailed links and sent codes keep working.
 */
async function moveTokens(ctx: MigrationCtx, now: Date): Promise<number> {
  const current = new Map<string, mongoose.mongo.Document>();
  for await (const t of ctx.db.collection(LEGACY_TOKENS).find({ expiresAt: { $gt: now } })) {
    const id = currentTokenId(String(t.realm), t.subscriberId as Types.ObjectId, t.purpose as CurrentTokenDoc['purpose']);
    const seen = current.get(id);
    if (!seen || (seen.createdAt as Date) < (t.createdAt as Date)) current.set(id, t);
  }
  const issued = ctx.db.collection<VerificationTokenDoc>(VerificationToken.collection.collectionName);
  const currents = ctx.db.collection<CurrentTokenDoc>(CurrentToken.collection.collectionName);
  const all = [...current.entries()];
  let moved = 0;
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH);
    await insertMissing(
      issued,
      batch.map(([, t]) => ({
        _id: String(t.hash),
        realm: String(t.realm),
        subscriberId: t.subscriberId as Types.ObjectId,
        purpose: t.purpose as CurrentTokenDoc['purpose'],
        expiresAt: t.expiresAt as Date,
      })),
    );
    moved += await insertMissing(
      currents,
      batch.map(([id, t]) => ({
        _id: id,
        realm: String(t.realm),
        tenantId: t.tenantId as Types.ObjectId,
        subscriberId: t.subscriberId as Types.ObjectId,
        purpose: t.purpose as CurrentTokenDoc['purpose'],
        kind: t.kind as CurrentTokenDoc['kind'],
        hash: String(t.hash),
        ...(t.salt ? { salt: String(t.salt) } : {}),
        ...(t.target?.field ? { target: { field: t.target.field as 'email' | 'phone', value: String(t.target.value) } } : {}),
        expiresAt: t.expiresAt as Date,
        createdAt: (t.createdAt as Date | undefined) ?? now,
      })),
    );
  }
  ctx.log(`verification tokens: ${moved}`);
  return moved;
}

export const migration: Migration = {
  name: 'auth',
  legacyCollections: [LEGACY_SESSIONS, LEGACY_TOKENS, LEGACY_LIMITS],
  async run(ctx) {
    const now = new Date();
    return { moved: (await moveSessions(ctx, now)) + (await moveTokens(ctx, now)) };
  },
};
