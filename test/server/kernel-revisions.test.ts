import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Schema, type Model } from 'mongoose';
import { key } from '../../server/db/kernel/keys.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { Ticket } from '../../server/db/kernel/models.ts';
import { revise } from '../../server/db/kernel/revisions.ts';
import { watchOperations } from '../helpers/operations.ts';

interface ListDoc {
  _id: string;
  rev?: number;
  items: number[];
  count: number;
}
const listSchema = new Schema<ListDoc>(
  { _id: String, rev: Number, items: [Number], count: Number },
  { versionKey: false, collection: 'test_kernel_revisions' },
);
const List = (mongoose.models.TestKernelRevision ?? mongoose.model<ListDoc>('TestKernelRevision', listSchema)) as Model<ListDoc>;

const WRITERS = 50;

const ticket = (id: string, rev: number, generation: number) => key(key('test_kernel_revisions', id, rev), generation);

/** The database commands `run` makes, as `<collection> <method>`. */
async function commandsOf(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const stopWatching = watchOperations((collection: string, method: string) => void seen.push(`${collection} ${method}`));
  try {
    await run();
  } finally {
    stopWatching();
  }
  return seen;
}

describe('persistence kernel: revisions (50 concurrent writers on the embedded database)', function () {
  this.timeout(120_000);

  it('applies 50 concurrent read-modify-writes of one document one after another, losing none', async () => {
    const id = `list-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: WRITERS }, (_, writer) =>
        revise<ListDoc, number>(List, id, (current) => {
          const items = [...(current?.items ?? []), writer];
          return { set: { items, count: items.length }, result: items.length };
        }),
      ),
    );
    const doc = (await List.findById(id).lean())!;
    expect(doc.count).to.equal(WRITERS);
    expect(doc.rev).to.equal(WRITERS);
    expect([...doc.items].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: WRITERS }, (_, i) => i));
    expect([...results].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: WRITERS }, (_, i) => i + 1));
    const left = await Promise.all(Array.from({ length: WRITERS + 1 }, (_, rev) => Ticket.exists({ _id: ticket(id, rev, 0) })));
    expect(left.filter(Boolean), 'no tickets are left behind').to.have.length(0);
  });

  it('writes nothing when the change refuses or has nothing to change', async () => {
    const id = `refuse-${randomUUID()}`;
    await revise<ListDoc, null>(List, id, () => ({ set: { items: [1], count: 1 }, result: null }));
    const refused = await revise<ListDoc, null>(List, id, () => {
      throw new Error('no');
    }).catch((e: Error) => e.message);
    expect(refused).to.equal('no');
    expect(await revise<ListDoc, string>(List, id, () => ({ result: 'same' }))).to.equal('same');
    const doc = (await List.findById(id).lean())!;
    expect(doc).to.deep.include({ rev: 1, items: [1], count: 1 });
  });

  it('costs five commands a change and registers no expiry for its ticket: the holder removes it', async () => {
    const id = `cost-${randomUUID()}`;
    await revise<ListDoc, null>(List, id, () => ({ set: { items: [1], count: 1 }, result: null }));
    const commands = await commandsOf(() =>
      revise<ListDoc, null>(List, id, (current) => ({ set: { items: [...current!.items, 2], count: 2 }, result: null })),
    );
    expect(commands).to.deep.equal([
      'test_kernel_revisions findOne',
      'kernel_tickets insertOne',
      'test_kernel_revisions findOne',
      'test_kernel_revisions updateOne',
      'kernel_tickets deleteOne',
    ]);
    expect(await Ticket.exists({ _id: ticket(id, 1, 0) })).to.equal(null);
  });

  it('takes over a revision whose writer died holding it, and removes the dead ticket with its own', async () => {
    const id = `dead-${randomUUID()}`;
    await revise<ListDoc, null>(List, id, () => ({ set: { items: [1], count: 1 }, result: null }));
    // A writer claims revision 1 and dies before writing: its ticket stays until its lease runs out.
    const dead = await claim(key('test_kernel_revisions', id, 1), 400, { swept: false });
    expect(dead?.generation).to.equal(0);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, writer) =>
        revise<ListDoc, number>(List, id, (current) => {
          const items = [...current!.items, writer + 2];
          return { set: { items, count: items.length }, result: items.length };
        }),
      ),
    );
    expect([...results].sort((a, b) => a - b)).to.deep.equal([2, 3, 4, 5, 6]);
    const doc = (await List.findById(id).lean())!;
    expect(doc).to.deep.include({ rev: 6, count: 6 });
    const left = await Promise.all(
      [0, 1, 2].flatMap((g) => [1, 2, 3, 4, 5, 6].map((rev) => Ticket.exists({ _id: ticket(id, rev, g) }))),
    );
    expect(left.filter(Boolean), 'the dead ticket went with its successor').to.have.length(0);
  });

  it('leaves the generations below a takeover that wrote nothing, so that none can be claimed again beside a live one', async () => {
    const id = `idle-${randomUUID()}`;
    // A writer that died holding the revision, its lease over.
    const died = await claim(key('test_kernel_revisions', id, 0), 30_000, { swept: false });
    await died!.release();
    expect(await revise<ListDoc, string>(List, id, () => ({ result: 'nothing' }))).to.equal('nothing');
    const [dead, released] = await Promise.all([
      Ticket.findById(ticket(id, 0, 0)).lean(),
      Ticket.findById(ticket(id, 0, 1)).lean(),
    ]);
    expect(dead, 'the dead ticket stays below the released one').to.not.equal(null);
    expect(released!.leaseUntil.getTime()).to.equal(0);
    // The next writer takes the revision over once more, writes it and removes every ticket of it.
    await revise<ListDoc, null>(List, id, () => ({ set: { items: [1], count: 1 }, result: null }));
    const left = await Promise.all([0, 1, 2].map((g) => Ticket.exists({ _id: ticket(id, 0, g) })));
    expect(left.filter(Boolean)).to.have.length(0);
  });

  it('builds on the document as the caller has just read it, one lookup less, and reads a stale one again', async () => {
    const id = `seen-${randomUUID()}`;
    await revise<ListDoc, null>(List, id, () => ({ set: { items: [0], count: 1 }, result: null }));
    const read = (await List.findById(id).lean())!;
    const commands = await commandsOf(() =>
      revise<ListDoc, null>(List, id, (current) => ({ set: { items: [...current!.items, 1], count: 2 }, result: null }), {
        seen: read,
      }),
    );
    expect(commands).to.deep.equal([
      'kernel_tickets insertOne',
      'test_kernel_revisions findOne',
      'test_kernel_revisions updateOne',
      'kernel_tickets deleteOne',
    ]);
    // 50 writers that all read it before any of them wrote: each change still builds on the one before.
    await Promise.all(
      Array.from({ length: WRITERS }, (_, writer) =>
        revise<ListDoc, null>(
          List,
          id,
          (current) => {
            const items = [...current!.items, writer + 2];
            return { set: { items, count: items.length }, result: null };
          },
          { seen: read },
        ),
      ),
    );
    const doc = (await List.findById(id).lean())!;
    expect(doc).to.deep.include({ rev: 2 + WRITERS, count: 2 + WRITERS });
    expect([...doc.items].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: WRITERS + 2 }, (_, i) => i));
  });
});
