import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { migrationCtx } from '../../server/db/migrate.ts';
import { LEGACY_OUTBOX_CLAIMS, migration } from '../../server/notify/migrate.ts';
import { OutboxJob } from '../../server/notify/model.ts';
import { deliverDue } from '../../server/notify/service.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';
import { waitFor } from '../helpers/process.ts';
import { testApp } from '../helpers/server.ts';

describe('migration: the outbox', () => {
  it('delivers the pending jobs of the earlier version once, whatever its claim tickets said', async () => {
    const db = mongoose.connection.db!;
    const tenant = await getTenantBySlug('sever-gaz');
    const stamp = Date.now();
    const queued = new Types.ObjectId();
    const stalled = new Types.ObjectId();
    const job = (id: Types.ObjectId, text: string, extra: object) => ({
      _id: id,
      tenantId: tenant._id,
      kind: 'sms',
      to: '+79990000900',
      template: 'test.hello',
      subject: '',
      payload: { text },
      createdAt: new Date(stamp - 60_000),
      updatedAt: new Date(stamp - 60_000),
      ...extra,
    });
    await db.collection('outbox').insertMany([
      job(queued, `queued ${stamp}`, { status: 'queued', attempts: 0, nextAttemptAt: new Date(stamp - 1000) }),
      // Its worker stopped with the earlier server: the lease end has passed, its ticket says otherwise.
      job(stalled, `stalled ${stamp}`, { status: 'sending', attempts: 1, nextAttemptAt: new Date(stamp - 1000) }),
    ]);
    await db.collection(LEGACY_OUTBOX_CLAIMS).insertOne({
      _id: `${stalled}:0:0` as never,
      jobId: stalled,
      attempt: 0,
      generation: 0,
      leaseUntil: new Date(stamp + 3600_000),
    });

    expect(migration.legacyCollections).to.deep.equal([LEGACY_OUTBOX_CLAIMS]);
    // The transport is set before the migration registers the jobs: the server's own delivery
    // worker may take one of them before these runs do, and must send it the same way.
    const previous = testApp().notify.settings();
    const sent: string[] = [];
    testApp().notify.configure({ sms: { send: async (_to, text) => void sent.push(text) } });
    try {
      await migration.run(migrationCtx(db, () => {}));
      await Promise.all([deliverDue(Infinity), deliverDue(Infinity)]);
      // A job the worker holds is finished by the worker.
      await waitFor(async () => {
        const jobs = await Promise.all([queued, stalled].map((id) => OutboxJob.findById(id).lean()));
        return jobs.every((j) => j?.status === 'sent');
      });
    } finally {
      testApp().notify.configure(previous);
    }
    expect(sent.filter((t) => t.endsWith(String(stamp))).sort()).to.deep.equal([`queued ${stamp}`, `stalled ${stamp}`]);
    expect((await OutboxJob.findById(queued).lean())!).to.include({ status: 'sent', attempts: 1 });
    expect((await OutboxJob.findById(stalled).lean())!).to.include({ status: 'sent', attempts: 2 });
  });
});
