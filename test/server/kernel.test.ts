import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Schema, type Model } from 'mongoose';
import { nextNumber } from '../../server/db/kernel/counters.ts';
import { claimKey } from '../../server/db/kernel/idempotency.ts';
import { operationsDuring, watchOperations } from '../helpers/operations.ts';
import { duplicateIndexes, isDuplicateKey, key, type KeyedModel } from '../../server/db/kernel/keys.ts';
import { dueAt } from '../../server/db/kernel/expiry.ts';
import { claim, forget, releaseLease, runExclusive, sweepTickets, TICKET_EXPIRY } from '../../server/db/kernel/leases.ts';
import { clear, hit, peek, record } from '../../server/db/kernel/limits.ts';
import { StreamMark, Ticket } from '../../server/db/kernel/models.ts';
import {
  append,
  appendNext,
  appendOnce,
  appendWithin,
  lastSeq,
  onceMarkId,
  readAfter,
  readBefore,
} from '../../server/db/kernel/streams.ts';

/** 50 writers at once, on the real embedded database (FerretDB v1), as the kernel's guarantees are stated for. */
const WRITERS = 50;
const parallel = <T>(n: number, fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

interface EntryDoc {
  _id: string;
  stream: string;
  seq: number;
  owner?: string;
  slot?: number;
  writer: number;
  once?: string;
  total?: number;
}
const entrySchema = new Schema<EntryDoc>(
  { _id: String, stream: String, seq: Number, owner: String, slot: Number, writer: Number, once: String, total: Number },
  { versionKey: false, collection: 'test_kernel_entries' },
);
const Entry = (mongoose.models.TestKernelEntry ?? mongoose.model<EntryDoc>('TestKernelEntry', entrySchema)) as Model<EntryDoc>;
const entries: KeyedModel = Entry;

describe('persistence kernel (50 concurrent writers on the embedded database)', function () {
  this.timeout(120_000);

  it('tells a duplicate key from other write errors, for single and bulk inserts', async () => {
    const id = `dup-${randomUUID()}`;
    await Entry.create({ _id: id, writer: 0 });
    const single = await Entry.create({ _id: id, writer: 1 }).catch((e: unknown) => e);
    expect(isDuplicateKey(single)).to.equal(true);
    expect(isDuplicateKey(new Error('connection reset'))).to.equal(false);
    expect(isDuplicateKey({ message: 'UNIQUE constraint failed: x._id' })).to.equal(true);
    const bulk = await Entry.insertMany(
      [
        { _id: `new-${randomUUID()}`, writer: 2 },
        { _id: id, writer: 3 },
      ],
      { ordered: false },
    ).catch((e: unknown) => e);
    expect(duplicateIndexes(bulk)).to.deep.equal([1]);
    expect(key('realm', 'x:y@example.test')).to.equal('realm:x:y@example.test');
  });

  it('appends to a gap-free stream: every number given once, none skipped, readable in pages', async () => {
    const stream = `s-${randomUUID().slice(0, 8)}`;
    const seqs = await parallel(WRITERS, (writer) => append(entries, stream, { writer }));
    expect([...seqs].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: WRITERS }, (_, i) => i + 1));
    expect(await lastSeq(entries, stream)).to.equal(WRITERS);
    const page = await readAfter<EntryDoc>(entries, stream, 10, 15);
    expect(page.map((e) => e.seq)).to.deep.equal(Array.from({ length: 15 }, (_, i) => 11 + i));
    const all = await readAfter<EntryDoc>(entries, stream, 0, WRITERS + 5);
    expect(new Set(all.map((e) => e.writer)).size).to.equal(WRITERS);
    const newest = await readBefore<EntryDoc>(entries, stream, 20);
    expect(newest.rows.map((e) => e.seq)).to.deep.equal(Array.from({ length: 20 }, (_, i) => WRITERS - i));
    expect(newest.next).to.equal(WRITERS - 20);
    const oldest = await readBefore<EntryDoc>(entries, stream, 20, 5);
    expect(oldest.rows.map((e) => e.seq)).to.deep.equal([5, 4, 3, 2, 1]);
    expect(oldest.next).to.equal(null);
  });

  it('looks up no entry twice to read the newest page or to build on the last entry', async () => {
    const stream = `once-${randomUUID().slice(0, 8)}`;
    for (let writer = 0; writer < 5; writer += 1) await append(entries, stream, { writer });
    const lookedUp = async (run: () => Promise<unknown>) => {
      const { ops } = await operationsDuring(run);
      return ops.flatMap((e) => {
        const filter = e.params[0] as { _id?: unknown } | undefined;
        return e.collectionName === 'test_kernel_entries' && e.method !== 'insertOne' && typeof filter?._id === 'string'
          ? [filter._id]
          : [];
      });
    };
    const page = await lookedUp(() => readBefore<EntryDoc>(entries, stream, 5));
    expect(page.filter((id, i) => page.indexOf(id) !== i)).to.deep.equal([]);
    expect(page).to.include.members([1, 2, 3, 4, 5].map((seq) => `${stream}:${seq}`));
    const next = await lookedUp(() =>
      appendNext<EntryDoc, { writer: number; total: number }>(entries, stream, async (last) => ({
        writer: 9,
        total: (last?.seq ?? 0) * 10,
      })),
    );
    expect(next.filter((id, i) => next.indexOf(id) !== i)).to.deep.equal([]);
    expect((await Entry.findById(`${stream}:6`).lean<EntryDoc>())?.total).to.equal(50);
  });

  it('appends past the end it saw last with one insert, and past one another instance moved from where its insert failed', async () => {
    const stream = `warm-${randomUUID().slice(0, 8)}`;
    for (let writer = 0; writer < 3; writer += 1) await append(entries, stream, { writer });
    const sent = async (run: () => Promise<unknown>) =>
      (await operationsDuring(run)).ops
        .filter((e) => e.collectionName === 'test_kernel_entries')
        .map((e) => `${e.method} ${String((e.params[0] as { _id?: unknown } | undefined)?._id)}`);
    expect(await sent(() => append(entries, stream, { writer: 3 }))).to.deep.equal([`insertOne ${stream}:4`]);
    // Another instance appended 5 and 6: the guess finds 5 taken, the end is looked for from there.
    await Entry.insertMany([5, 6].map((seq) => ({ _id: `${stream}:${seq}`, stream, seq, writer: 100 })));
    const moved = await sent(() => append(entries, stream, { writer: 4 }));
    expect(moved[0]).to.equal(`insertOne ${stream}:5`);
    expect(moved.at(-1)).to.equal(`insertOne ${stream}:7`);
    expect(moved.filter((c) => c.startsWith('insertOne'))).to.have.length(2);
    expect((await readAfter<EntryDoc>(entries, stream, 0, 10)).map((e) => e.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it('takes the appends of one process to a stream in turn: 50 at once are 50 inserts, none refused', async () => {
    const stream = `turns-${randomUUID().slice(0, 8)}`;
    await append(entries, stream, { writer: -1 });
    const { ops } = await operationsDuring(() => parallel(WRITERS, (writer) => append(entries, stream, { writer })));
    const inserts = ops.filter((e) => e.collectionName === 'test_kernel_entries' && e.method === 'insertOne');
    expect(inserts).to.have.length(WRITERS);
    expect((await readAfter<EntryDoc>(entries, stream, 0, WRITERS + 5)).map((e) => e.seq)).to.deep.equal(
      Array.from({ length: WRITERS + 1 }, (_, i) => i + 1),
    );
  });

  it('finds the end of a long stream it has never seen (another instance wrote it)', async () => {
    const stream = `cold-${randomUUID().slice(0, 8)}`;
    await Entry.insertMany(Array.from({ length: 777 }, (_, i) => ({ _id: `${stream}:${i + 1}`, stream, seq: i + 1, writer: 0 })));
    expect(await lastSeq(entries, stream)).to.equal(777);
    expect(await append(entries, stream, { writer: 1 })).to.equal(778);
  });

  it('appends once per identity: 50 racing identities dense, a retry adds nothing, a reservation left by a crash is kept or moved', async () => {
    const stream = `once-${randomUUID().slice(0, 8)}`;
    const seqs = await parallel(WRITERS, (writer) => appendOnce(entries, stream, `id-${writer}`, { writer }));
    expect([...seqs].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: WRITERS }, (_, i) => i + 1));
    expect(await appendOnce(entries, stream, 'id-7', { writer: 7 })).to.equal(seqs[7]);
    expect(await lastSeq(entries, stream)).to.equal(WRITERS);

    // A writer reserved the next position and died before inserting: its retry inserts there.
    await StreamMark.create({ _id: onceMarkId(entries, stream, 'crashed'), seq: WRITERS + 1 });
    expect(await appendOnce(entries, stream, 'crashed', { writer: 100 })).to.equal(WRITERS + 1);
    // Another appender took a reserved position meanwhile: the retry appends at the end instead.
    await StreamMark.create({ _id: onceMarkId(entries, stream, 'overtaken'), seq: WRITERS + 2 });
    expect(await append(entries, stream, { writer: 101 })).to.equal(WRITERS + 2);
    expect(await appendOnce(entries, stream, 'overtaken', { writer: 102 })).to.equal(WRITERS + 3);
    const all = await readAfter<EntryDoc>(entries, stream, 0, WRITERS + 10);
    expect(all.map((e) => e.seq)).to.deep.equal(Array.from({ length: WRITERS + 3 }, (_, i) => i + 1));
    expect(all.filter((e) => e.once === 'overtaken')).to.have.length(1);
  });

  it('builds each entry on the last one: 50 concurrent changes to a running total are all kept', async () => {
    const stream = `total-${randomUUID().slice(0, 8)}`;
    await parallel(WRITERS, (writer) =>
      appendNext<EntryDoc, { writer: number; total: number }>(entries, stream, async (last) => ({
        writer,
        total: (last?.total ?? 0) + 1,
      })),
    );
    const { rows } = await readBefore<EntryDoc>(entries, stream, 1);
    expect(rows[0]).to.include({ seq: WRITERS, total: WRITERS });
    expect(await appendNext<EntryDoc, EntryDoc>(entries, stream, async () => null)).to.equal(null);
    expect(await lastSeq(entries, stream)).to.equal(WRITERS);
  });

  it('appends within a bound: of 50 concurrent appenders exactly the room gets in, the rest write nothing', async () => {
    const stream = `bounded-${randomUUID().slice(0, 8)}`;
    await append(entries, stream, { writer: -1 });
    const seqs = await parallel(WRITERS, (writer) => appendWithin(entries, stream, { writer }, 7));
    expect(seqs.filter((s) => s !== null).sort()).to.deep.equal([2, 3, 4, 5, 6, 7]);
    expect(await lastSeq(entries, stream)).to.equal(7);
    expect(await Entry.countDocuments({ stream })).to.equal(7);
  });

  it('gives counter numbers 1…50 to 50 concurrent callers', async () => {
    const name = `requests-${randomUUID().slice(0, 8)}`;
    const numbers = await parallel(WRITERS, () => nextNumber(name));
    expect([...numbers].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: WRITERS }, (_, i) => i + 1));
  });

  it('gives a lease to one of 50 claimers, hands it over after it runs out, and tells a replaced holder', async () => {
    const work = `job-${randomUUID().slice(0, 8)}`;
    // Long enough to outlast 50 claims on a loaded machine; the takeover waits it out.
    const started = Date.now();
    const leases = await parallel(WRITERS, () => claim(work, 3000));
    const holders = leases.filter((l) => l !== null);
    expect(holders).to.have.length(1);
    const first = holders[0]!;
    expect(await first.stillHeld()).to.equal(true);
    expect(await claim(work, 3000)).to.equal(null);
    await new Promise((r) => setTimeout(r, Math.max(0, started + 3100 - Date.now())));
    const takeovers = (await parallel(WRITERS, () => claim(work, 5000))).filter((l) => l !== null);
    expect(takeovers).to.have.length(1);
    expect(takeovers[0]!.generation).to.equal(1);
    expect(await first.stillHeld()).to.equal(false);
    await takeovers[0]!.release();
    const next = await claim(work, 5000);
    expect(next?.generation).to.equal(2);
    await forget(work);
    expect((await claim(work, 5000))?.generation).to.equal(0);
  });

  it('registers the sweep of a lease held up to a bound once, at its claim: a renewal within it writes the ticket alone', async () => {
    const work = `hold-${randomUUID().slice(0, 8)}`;
    const HOUR = 3_600_000;
    const commands: string[] = [];
    const due: Date[] = [];
    const stopWatching = watchOperations((collection: string, method: string, doc: { at?: Date }) => {
      commands.push(`${collection} ${method}`);
      if (collection === 'kernel_expiries' && method === 'insertOne') due.push(doc.at!);
    });
    try {
      const from = Date.now();
      const held = (await claim(work, 60_000, { holdUpTo: HOUR }))!;
      // The ticket is kept a day past its lease, as any; its sweep is registered for the longest hold.
      expect(due).to.have.length(1);
      expect(due[0]!.getTime()).to.be.within(from + 60_000 + HOUR + 24 * HOUR, Date.now() + 60_000 + HOUR + 24 * HOUR);
      commands.length = 0;
      await held.renew(HOUR);
      expect(commands).to.deep.equal(['kernel_tickets updateOne']);
      expect(await held.stillHeld()).to.equal(true);
      // Beyond the bound it registers again, so the ticket is not swept while held.
      commands.length = 0;
      await held.renew(2 * HOUR);
      expect(due).to.have.length(2);
      expect(due[1]!.getTime()).to.be.above(due[0]!.getTime());
    } finally {
      stopWatching();
    }
  });

  it('ends a lease by its generation from elsewhere, and leaves a newer generation held', async () => {
    const work = `held-${randomUUID().slice(0, 8)}`;
    const first = await claim(work, 3_600_000);
    expect(first?.generation).to.equal(0);
    await releaseLease(work, 0);
    const takeovers = (await parallel(WRITERS, () => claim(work, 3_600_000))).filter((l) => l !== null);
    expect(takeovers.map((l) => l.generation)).to.deep.equal([1]);
    await releaseLease(work, 0);
    expect(await claim(work, 3_600_000)).to.equal(null);
    expect(await takeovers[0]!.stillHeld()).to.equal(true);
  });

  it('runs a periodic job once per interval across 50 would-be runners', async () => {
    const name = `sweep-${randomUUID().slice(0, 8)}`;
    let runs = 0;
    const ran = await parallel(WRITERS, () =>
      runExclusive(name, 60_000, 10_000, async () => {
        runs += 1;
        await new Promise((r) => setTimeout(r, 50));
      }),
    );
    expect(runs).to.equal(1);
    expect(ran.filter(Boolean)).to.have.length(1);
  });

  it('does not start a periodic job again while a run from several intervals ago still holds its lease', async () => {
    const name = `long-${randomUUID().slice(0, 8)}`;
    const intervalMs = 200;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let started = -1;
    const first = runExclusive(name, intervalMs, 60_000, async () => {
      started = Math.floor(Date.now() / intervalMs);
      await gate;
    });
    while (started < 0) await new Promise((r) => setTimeout(r, 10));
    const tried = new Set<number>();
    let others = 0;
    while (tried.size < 4) {
      const slice = Math.floor(Date.now() / intervalMs);
      if (await runExclusive(name, intervalMs, 60_000, async () => void (others += 1))) break;
      if (slice > started) tried.add(slice);
      await new Promise((r) => setTimeout(r, 40));
    }
    open();
    expect(await first).to.equal(true);
    expect(others).to.equal(0);
  });

  it('runs the first of 50 concurrent requests with one idempotency key and replays its result', async () => {
    const id = `idem-${randomUUID()}`;
    let runs = 0;
    const outcomes = await parallel(WRITERS, async () => {
      const o = await claimKey(id, 'body-1', 60_000, 30_000);
      if ('complete' in o) {
        runs += 1;
        await new Promise((r) => setTimeout(r, 100));
        await o.complete({ ok: runs });
      }
      return o;
    });
    expect(runs).to.equal(1);
    expect(outcomes.every((o) => 'complete' in o || 'inProgress' in o || 'replay' in o)).to.equal(true);
    expect(await claimKey(id, 'body-1', 60_000, 30_000)).to.deep.equal({ replay: JSON.stringify({ ok: 1 }) });
    expect(await claimKey(id, 'body-2', 60_000, 30_000)).to.deep.equal({ reused: true });
  });

  it('lets a request run again after a failed run, and takes over one whose server died', async () => {
    const id = `idem-${randomUUID()}`;
    const first = await claimKey(id, 'b', 60_000, 300);
    if (!('fail' in first)) throw new Error('first claim did not run');
    await first.fail();
    const second = await claimKey(id, 'b', 60_000, 300);
    expect(second).to.have.property('complete');
    expect(await claimKey(id, 'b', 60_000, 300)).to.deep.equal({ inProgress: true });
    await new Promise((r) => setTimeout(r, 400));
    const third = await claimKey(id, 'b', 60_000, 300);
    expect(third).to.have.property('complete');
  });

  it('runs a first request with a lookup, an insert and a write of its record, and lets one of 50 takers run a dead one', async () => {
    const id = `idem-${randomUUID()}`;
    const { ops } = await operationsDuring(async () => {
      const first = await claimKey(id, 'b', 60_000, 300);
      if (!('complete' in first)) throw new Error('first claim did not run');
      await first.complete({ ok: 1 });
    });
    expect(ops.filter((e) => e.collectionName === 'kernel_idempotency').map((e) => e.method)).to.deep.equal([
      'findOne',
      'insertOne',
      'updateOne',
    ]);
    // A run whose server died: its record stays pending past its lock; 50 retries race for it.
    const dead = `idem-${randomUUID()}`;
    expect(await claimKey(dead, 'b', 60_000, 300)).to.have.property('complete');
    await new Promise((r) => setTimeout(r, 400));
    const takers = await parallel(WRITERS, () => claimKey(dead, 'b', 60_000, 30_000));
    const running = takers.filter((o): o is Extract<typeof o, { complete: unknown }> => 'complete' in o);
    expect(running).to.have.length(1);
    expect(takers.filter((o) => 'inProgress' in o)).to.have.length(WRITERS - 1);
    await running[0]!.complete({ ok: 2 });
    expect(await claimKey(dead, 'b', 60_000, 30_000)).to.deep.equal({ replay: JSON.stringify({ ok: 2 }) });
  });

  it('counts at most the limit of 50 concurrent hits, refuses the rest without writing, and starts afresh when cleared', async () => {
    const name = `login:realm:${randomUUID()}@example.test`;
    const rule = { points: 5, windowMs: 60_000 };
    const results = await parallel(WRITERS, () => hit(name, rule));
    expect(results.filter((r) => r.allowed)).to.have.length(5);
    const refused = results.filter((r) => !r.allowed);
    expect(refused.every((r) => r.state.retryInMs > 0)).to.equal(true);
    const state = await peek(name, rule);
    expect(state.count).to.be.at.least(5);
    expect(state.retryInMs).to.be.greaterThan(0);
    const stored = await mongoose.connection
      .collection('kernel_hits')
      .countDocuments({ stream: { $regex: `^limit:${encodeURIComponent(name)}` } });
    expect(stored).to.be.at.most(WRITERS).and.at.least(5);
    for (let i = 0; i < 20; i += 1) expect((await hit(name, rule)).allowed).to.equal(false);
    const after = await mongoose.connection
      .collection('kernel_hits')
      .countDocuments({ stream: { $regex: `^limit:${encodeURIComponent(name)}` } });
    expect(after).to.equal(stored);
    await clear(name, rule.windowMs);
    expect((await hit(name, rule)).allowed).to.equal(true);
    expect((await peek(name, rule)).count).to.equal(1);
  });

  it('counts the hits of the sliding window exactly across the fixed windows, and says when it frees up', async () => {
    const name = `send:${randomUUID()}`;
    const rule = { points: 3, windowMs: 60_000 };
    const left = rule.windowMs - (Date.now() % rule.windowMs);
    if (left < 3000) await new Promise((r) => setTimeout(r, left + 10));
    const now = Date.now();
    // The previous window's hits: one has left the sliding window, two are still in it.
    const previous = `limit:${encodeURIComponent(name)}:0:${Math.floor(now / rule.windowMs) - 1}`;
    await mongoose.connection.collection<{ _id: string }>('kernel_hits').insertMany(
      [70_000, 40_000, 30_000].map((ago, i) => ({
        _id: `${previous}:${i + 1}`,
        stream: previous,
        seq: i + 1,
        at: new Date(now - ago),
        expiresAt: new Date(now + 60_000),
      })),
    );
    expect((await peek(name, rule)).count).to.equal(2);
    expect((await hit(name, rule)).allowed).to.equal(true);
    const refused = await hit(name, rule);
    expect(refused.allowed).to.equal(false);
    // The oldest of the three counted hits (40 s ago) leaves the window in 20 s.
    expect(refused.state.retryInMs).to.be.within(19_000, 20_000);
    const state = await peek(name, rule);
    expect(state.count).to.equal(3);
    expect(state.retryInMs).to.be.within(19_000, 20_000);
  });

  it('keeps the hits counted after a clear for their whole window, however briefly the clear was kept', async () => {
    const name = `fail:${randomUUID()}`;
    const rule = { points: 5, windowMs: 60_000 };
    await clear(name, 100);
    await record(name, rule);
    await new Promise((r) => setTimeout(r, 400));
    expect((await peek(name, rule)).count).to.equal(1);
  });

  it('records failures whatever the limit, with the time of the last one', async () => {
    const name = `pin:${randomUUID()}`;
    const rule = { points: 3, windowMs: 60_000 };
    await parallel(10, () => record(name, rule));
    const state = await peek(name, rule);
    expect(state.count).to.equal(10);
    expect(state.lastAt).to.be.instanceOf(Date);
    expect(Date.now() - state.lastAt!.getTime()).to.be.lessThan(10_000);
  });

  it('lets writers in one at a time in the order they come, so no writer waits behind the others (the embedded database)', async () => {
    // SQLite has one writer at a time; left to its busy handler, a writer that found the database
    // locked sleeps and tries again while later writers get in first, and falls far behind.
    const writers = 20;
    const each = 30;
    const done = Array.from({ length: writers }, () => 0);
    let othersWhenFirstFinished: number[] | undefined;
    await parallel(writers, async (w) => {
      for (let k = 0; k < each; k += 1) {
        await Entry.create({ _id: `fair-${randomUUID()}`, writer: w, seq: k });
        done[w] = (done[w] ?? 0) + 1;
      }
      othersWhenFirstFinished ??= done.filter((_, i) => i !== w);
    });
    // In arrival order every writer has about as many done as the first when it finishes (a few
    // behind where this process was slow to send a writer's next write); left to SQLite's busy
    // handler, some had written none.
    expect(Math.min(...othersWhenFirstFinished!)).to.be.at.least(each / 2);
  });

  it('sweeps lease tickets long past their lease, and keeps the others', async () => {
    const old = `swept-${randomUUID().slice(0, 8)}`;
    const live = `kept-${randomUUID().slice(0, 8)}`;
    const expiresAt = new Date(Date.now() - 1000);
    await dueAt(TICKET_EXPIRY, Ticket, `${old}:0`, expiresAt);
    await Ticket.create({ _id: `${old}:0`, work: old, generation: 0, holder: 'h', leaseUntil: new Date(0), expiresAt });
    const held = await claim(live, 60_000);
    // Its bucket (of ten minutes) is walked once two more have passed.
    expect(await sweepTickets(new Date(Date.now() + 3 * TICKET_EXPIRY.bucketMs))).to.be.at.least(1);
    expect(await Ticket.exists({ _id: `${old}:0` })).to.equal(null);
    expect(await held!.stillHeld()).to.equal(true);
  });
});
