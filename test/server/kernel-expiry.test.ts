import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Schema, Types, type Model } from 'mongoose';
import { dueAt, expireStreamAt, expiry, queue, sweepDue, sweepExpired, type Schedule } from '../../server/db/kernel/expiry.ts';
import { key, type KeyedModel } from '../../server/db/kernel/keys.ts';
import { ExpiryCursor, ExpiryEntry, type ExpiryCursorDoc } from '../../server/db/kernel/models.ts';
import { append, lastSeq, streamId } from '../../server/db/kernel/streams.ts';
import { verifyCaptcha } from '../../server/auth/captcha.ts';
import { hashToken, openSession, sessionList, sessionPeriod } from '../../server/auth/sessions.ts';
import { currentTokenId, issueCode } from '../../server/auth/tokens.ts';
import { claimKey } from '../../server/db/kernel/idempotency.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { clear, hit } from '../../server/db/kernel/limits.ts';
import { solvedCaptcha } from '../helpers/auth.ts';
import { watchOperations } from '../helpers/operations.ts';

/** 50 writers at once, on the real embedded database (FerretDB v1), as the kernel's guarantees are stated for. */
const WRITERS = 50;
const parallel = <T>(n: number, fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

/** Narrow buckets, so that a test waits a few of them out instead of hours. */
const BUCKET_MS = 100;

interface ExpiringDoc {
  _id: string;
  stream?: string;
  seq?: number;
  expiresAt: Date;
}
const expiringSchema = new Schema<ExpiringDoc>(
  { _id: String, stream: String, seq: Number, expiresAt: Date },
  { versionKey: false, collection: 'test_kernel_expiring' },
);
const Expiring = (mongoose.models.TestKernelExpiring ??
  mongoose.model<ExpiringDoc>('TestKernelExpiring', expiringSchema)) as Model<ExpiringDoc>;
const expiring: KeyedModel = Expiring;

const schedule = (): Schedule => expiry(`test-${randomUUID().slice(0, 8)}`, BUCKET_MS, [expiring]);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until the buckets of everything written so far are ones a sweep walks (two buckets past). */
const bucketsPass = () => pause(3 * BUCKET_MS + 20);

/** Writes a document with an expiry the way every writer does: its record first. */
async function write(e: Schedule, id: string, at: Date): Promise<void> {
  await dueAt(e, expiring, id, at);
  await Expiring.updateOne({ _id: id }, { $set: { expiresAt: at } }, { upsert: true });
}

const present = async (ids: string[]) =>
  (await Promise.all(ids.map((id) => Expiring.exists({ _id: id })))).filter((d) => d !== null).length;

interface Op {
  method: string;
  filters: unknown[];
}

/** The database operations on the sweep's collections while `run` runs (mongoose's debug hook sees every one). */
async function operations<T>(run: () => Promise<T>): Promise<{ result: T; ops: Op[] }> {
  const watched = new Set(['kernel_expiries', 'kernel_expiry_cursors', 'test_kernel_expiring']);
  const ops: Op[] = [];
  const stopWatching = watchOperations((collection: string, method: string, ...args: unknown[]) => {
    if (!watched.has(collection)) return;
    const filters =
      method === 'bulkWrite'
        ? (args[0] as { deleteOne?: { filter: unknown } }[]).map((op) => op.deleteOne?.filter)
        : method.startsWith('insert')
          ? []
          : [args[0]];
    ops.push({ method, filters });
  });
  try {
    return { result: await run(), ops };
  } finally {
    stopWatching();
  }
}

/** A filter that is exactly `{ _id: value }`: the only one FerretDB v1 serves from its index. */
const byKey = (filter: unknown) =>
  filter !== null &&
  typeof filter === 'object' &&
  Object.keys(filter).join() === '_id' &&
  (typeof (filter as { _id: unknown })._id === 'string' || (filter as { _id: unknown })._id instanceof Types.ObjectId);

describe('persistence kernel: expiry in proportion to what expires (50 concurrent writers)', function () {
  this.timeout(120_000);

  it('removes exactly the expired documents of 50 concurrent writers, keeps renewed and live ones, by _id only', async () => {
    const e = schedule();
    // The first sweep of a schedule enrols what its collections held before (see the last test).
    await sweepExpired(e);
    const run = randomUUID().slice(0, 8);
    const id = (i: number) => `${run}:${i}`;
    const now = Date.now();
    // Every third expires at once, every third later, every third at once but is renewed for later.
    await parallel(WRITERS, (i) => write(e, id(i), new Date(i % 3 === 1 ? now + 3600_000 : now)));
    const renewed = Array.from({ length: WRITERS }, (_, i) => i).filter((i) => i % 3 === 2);
    await Promise.all(renewed.map((i) => write(e, id(i), new Date(now + 3600_000))));
    await bucketsPass();

    const { result: removed, ops } = await operations(() => sweepExpired(e));
    const expired = Array.from({ length: WRITERS }, (_, i) => i).filter((i) => i % 3 === 0);
    expect(removed).to.equal(expired.length);
    expect(await present(expired.map(id))).to.equal(0);
    expect(
      await present(
        Array.from({ length: WRITERS }, (_, i) => i)
          .filter((i) => i % 3 !== 0)
          .map(id),
      ),
    ).to.equal(WRITERS - expired.length);
    const notByKey = ops.filter((op) => !op.filters.every(byKey));
    expect(notByKey, JSON.stringify(notByKey)).to.deep.equal([]);
    // The walked buckets' records are gone; the later records (renewals, live ones) wait in theirs.
    expect(await ExpiryEntry.countDocuments({ stream: mongoose.trusted({ $regex: `^${e.name}:` }) })).to.equal(
      WRITERS - expired.length,
    );
    expect(await sweepExpired(e)).to.equal(0);
  });

  it('removes a stream whole once its time has come, registered once by the first of 50 concurrent appenders', async () => {
    const e = schedule();
    const gone = `gone-${randomUUID()}`;
    const kept = `kept-${randomUUID()}`;
    const now = Date.now();
    const appendTo = (stream: string, at: Date) =>
      append(expiring, stream, { expiresAt: at }, { beforeFirst: () => expireStreamAt(e, expiring, stream, at) });
    await parallel(WRITERS, (i) => appendTo(i % 2 ? gone : kept, new Date(i % 2 ? now : now + 3600_000)));
    expect(await lastSeq(expiring, gone)).to.equal(WRITERS / 2);
    // Concurrent first appenders may each register it; one held up past its bucket registers twice.
    const registered = await ExpiryEntry.countDocuments({ target: gone });
    expect(registered).to.be.at.least(1).and.at.most(WRITERS);
    await bucketsPass();

    expect(await sweepExpired(e)).to.equal(WRITERS / 2);
    expect(await present(Array.from({ length: WRITERS / 2 }, (_, i) => streamId(gone, i + 1)))).to.equal(0);
    expect(await lastSeq(expiring, kept)).to.equal(WRITERS / 2);
  });

  it('resumes from its cursor: a sweep stopped part-way goes on, one whose progress was lost repeats harmlessly', async () => {
    const e = schedule();
    const run = randomUUID().slice(0, 8);
    const ids = Array.from({ length: 30 }, (_, i) => `${run}:${i}`);
    const before = await ExpiryCursor.findById(`expiry:${e.name}`).lean<ExpiryCursorDoc>();
    expect(before).to.equal(null);
    // The first sweep enrols what the collection held before (see below), and removes what of it is due.
    await sweepExpired(e);
    await Promise.all(ids.map((id) => write(e, id, new Date())));
    const start = await ExpiryCursor.findById(`expiry:${e.name}`).lean<ExpiryCursorDoc>();
    await bucketsPass();

    // A run that stops after 10 records, as one cut short does, has saved where it got to.
    expect(await sweepExpired(e, new Date(), 10)).to.equal(10);
    const saved = await ExpiryCursor.findById(`expiry:${e.name}`).lean<ExpiryCursorDoc>();
    expect(saved!.seq).to.be.greaterThan(0);
    expect(await present(ids)).to.equal(20);
    expect(await sweepExpired(e)).to.equal(20);
    expect(await present(ids)).to.equal(0);

    // A run that crashed before saving starts again from the earlier cursor: nothing left to remove, no error.
    await ExpiryCursor.updateOne({ _id: `expiry:${e.name}` }, { $set: { bucket: start!.bucket, shard: 0, seq: 0 } });
    expect(await sweepExpired(e)).to.equal(0);
    expect(await ExpiryCursor.findById(`expiry:${e.name}`).lean<ExpiryCursorDoc>()).to.include({ seq: 0 });
  });

  it('enrols documents written before the schedule existed, once, and then sweeps them like the rest', async () => {
    const run = randomUUID().slice(0, 8);
    const old = `${run}:old`;
    const live = `${run}:live`;
    await Expiring.create([
      { _id: old, expiresAt: new Date(Date.now() - 1000) },
      { _id: live, expiresAt: new Date(Date.now() + 3600_000) },
    ]);
    const e = schedule();
    // The first sweep enrols both and removes the one that is due at once.
    expect(await sweepExpired(e)).to.be.at.least(1);
    expect(await Expiring.exists({ _id: old })).to.equal(null);
    expect(await ExpiryEntry.countDocuments({ target: live })).to.equal(1);

    // Once: later sweeps read records by _id, and enrol nothing again.
    await bucketsPass();
    const { ops } = await operations(() => sweepExpired(e));
    expect(await ExpiryEntry.countDocuments({ target: live })).to.equal(1);
    expect(await Expiring.exists({ _id: live })).to.not.equal(null);
    expect(ops.filter((op) => !op.filters.every(byKey))).to.deep.equal([]);
  });

  it('hands a queue’s job the documents of 50 concurrent writers from their time on: the due ones at once, the later ones when due, then nothing', async () => {
    const q = queue(`test-${randomUUID().slice(0, 8)}`, BUCKET_MS, [expiring], async () => undefined);
    const run = randomUUID().slice(0, 8);
    const id = (i: number) => `${run}:${i}`;
    // The later half is due in 100 buckets; a sweep reaches it with a `now` that far ahead.
    const later = new Date(Date.now() + 100 * BUCKET_MS);
    await parallel(WRITERS, (i) => dueAt(q, expiring, id(i), i % 2 ? new Date() : later));
    const take = async (now: Date) => {
      const handed = new Set<string>();
      const { ops } = await operations(() =>
        sweepDue(q, now, Infinity, async (due) => {
          for (const d of due) handed.add(d.id);
          return due.length;
        }),
      );
      expect(ops.filter((op) => !op.filters.every(byKey))).to.deep.equal([]);
      return [...handed].sort();
    };
    const all = Array.from({ length: WRITERS }, (_, i) => i);
    expect(await take(new Date())).to.deep.equal(
      all
        .filter((i) => i % 2)
        .map(id)
        .sort(),
    );
    const then = new Date(later.getTime() + BUCKET_MS);
    expect(await take(then)).to.deep.equal(
      all
        .filter((i) => i % 2 === 0)
        .map(id)
        .sort(),
    );
    expect(await take(then)).to.deep.equal([]);
  });

  it('hands a queue’s due records over at once and once, also those behind one registered earlier for a later moment of their bucket', async () => {
    const wide = 600_000;
    const q = queue(`test-${randomUUID().slice(0, 8)}`, wide, [expiring], async () => undefined);
    const run = randomUUID().slice(0, 8);
    const bucket = Math.floor(Date.now() / wide);
    // A lease's end late in this bucket, registered when its attempt started: every shard gets one.
    const lateInBucket = new Date((bucket + 1) * wide - 1);
    const shards = Array.from({ length: 8 }, (_, sh) => key(q.name, bucket, sh));
    while ((await Promise.all(shards.map((st) => lastSeq(ExpiryEntry, st)))).some((n) => n === 0)) {
      await dueAt(q, expiring, `${run}:lease-end`, lateInBucket);
    }
    const ids = Array.from({ length: 16 }, (_, i) => `${run}:${i}`);
    for (const id of ids) await dueAt(q, expiring, id, new Date());
    const take = async (now: Date) => {
      const handed: string[] = [];
      await sweepDue(q, now, Infinity, async (due) => {
        handed.push(...due.map((d) => d.id));
        return due.length;
      });
      return handed.sort();
    };
    expect(await take(new Date())).to.deep.equal([...ids].sort());
    expect(await take(new Date())).to.deep.equal([]);
    const ends = await take(new Date(lateInBucket.getTime() + 1));
    expect(ends.length).to.be.at.least(8);
    expect(new Set(ends)).to.deep.equal(new Set([`${run}:lease-end`]));
  });

  it('leaves an enrolment to the run making it, and enrols once that run has stopped renewing it', async () => {
    const old = `${randomUUID().slice(0, 8)}:old`;
    await Expiring.create({ _id: old, expiresAt: new Date(Date.now() - 1000) });
    const e = schedule();
    // Another run started enrolling a moment ago: its cursor says so.
    await ExpiryCursor.create({
      _id: `expiry:${e.name}`,
      bucket: Math.floor(Date.now() / BUCKET_MS),
      shard: 0,
      seq: 0,
      enrolling: new Date(Date.now() + 60_000),
    });
    expect(await sweepExpired(e)).to.equal(0);
    expect(await Expiring.exists({ _id: old })).to.not.equal(null);

    // That run stopped without finishing: once its time is over, the next sweep enrols.
    await ExpiryCursor.updateOne({ _id: `expiry:${e.name}` }, { $set: { enrolling: new Date(Date.now() - 1) } });
    expect(await sweepExpired(e)).to.be.at.least(1);
    expect(await Expiring.exists({ _id: old })).to.equal(null);
    expect(await ExpiryCursor.findById(`expiry:${e.name}`).lean<ExpiryCursorDoc>()).to.include({ enrolled: true });
  });

  it('has every writer of an expiring document register it: sessions and their lists, tokens, captcha uses, hits, epochs, tickets, idempotency records', async () => {
    const registered = async (target: string) => (await ExpiryEntry.exists({ target })) !== null;
    const subscriberId = new Types.ObjectId();
    const { token } = await openSession({ subscriberId, realm: 'expiry-test', tenantId: new Types.ObjectId(), generation: 0 });
    expect(await registered(hashToken(token))).to.equal(true);
    expect(await registered(sessionList(subscriberId, sessionPeriod(Date.now())))).to.equal(true);

    const purpose = 'confirm';
    await issueCode({
      realm: 'expiry-test',
      tenantId: new Types.ObjectId(),
      subscriberId,
      purpose,
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await registered(currentTokenId('expiry-test', subscriberId, purpose))).to.equal(true);

    const payload = await solvedCaptcha('sever-gaz');
    await verifyCaptcha('sever-gaz', payload);
    const nonce = (
      JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { challenge: { parameters: { nonce: string } } }
    ).challenge.parameters.nonce;
    expect(await registered(nonce)).to.equal(true);

    const name = `expiry-${randomUUID()}`;
    const rule = { points: 5, windowMs: 60_000 };
    await hit(name, rule);
    expect(await ExpiryEntry.exists({ target: mongoose.trusted({ $regex: `^limit:${name}:0:` }), whole: true })).to.not.equal(
      null,
    );
    await clear(name, 60_000);
    expect(await registered(`limit:${name}`)).to.equal(true);

    const work = `expiry-${randomUUID()}`;
    await claim(work, 60_000);
    expect(await registered(`${work}:0`)).to.equal(true);

    const idem = `expiry-${randomUUID()}`;
    const outcome = await claimKey(idem, 'f', 60_000, 30_000);
    expect(await registered(idem)).to.equal(true);
    if ('complete' in outcome) await outcome.complete('done');
  });
});
