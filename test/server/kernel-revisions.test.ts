import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Schema, type Model } from 'mongoose';
import { key } from '../../server/db/kernel/keys.ts';
import { Ticket } from '../../server/db/kernel/models.ts';
import { revise } from '../../server/db/kernel/revisions.ts';

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
    const left = await Promise.all(
      Array.from({ length: WRITERS + 1 }, (_, rev) => Ticket.exists({ _id: key(key('test_kernel_revisions', id, rev), 0) })),
    );
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
});
