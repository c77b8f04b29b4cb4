import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { migrationCtx } from '../../server/db/migrate.ts';
import type { SubscriberCtx } from '../../server/http/context.ts';
import { idempotent } from '../../server/http/idempotency.ts';
import { migration } from '../../server/http/migrate.ts';
import { translator } from '../../server/i18n/index.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';

const fingerprint = (request: unknown) => createHash('sha256').update(JSON.stringify(request)).digest('hex');

describe('migration: idempotency keys as kernel records', () => {
  it('replays a result stored before the upgrade, runs a request that was still running, and runs again without change', async () => {
    const db = mongoose.connection.db!;
    const tenant = await getTenantBySlug('sever-gaz');
    const subscriberId = String(new Types.ObjectId());
    const ctx: SubscriberCtx = { tenant, requestId: 'test', lng: 'ru', t: translator('ru'), subscriberId, sessionHash: 'test' };
    const [done, running] = [randomBytes(12).toString('hex'), randomBytes(12).toString('hex')];
    const request = { value: 1234.5 };
    const now = Date.now();
    const record = (key: string, state: 'done' | 'pending') => ({
      _id: new Types.ObjectId(),
      tenantId: tenant._id,
      subscriberId,
      scope: 'readings',
      key,
      fingerprint: fingerprint(request),
      state,
      ...(state === 'done' ? { response: JSON.stringify({ id: 'reading-1' }) } : {}),
      lockedUntil: new Date(now - 1000),
      expiresAt: new Date(now + 3600_000),
    });
    await db.collection('idempotencykeys').insertMany([record(done, 'done'), record(running, 'pending')]);

    expect((await migration.run(migrationCtx(db, () => {}))).moved).to.equal(1);
    expect((await migration.run(migrationCtx(db, () => {}))).moved).to.equal(0);

    const replay = await idempotent(ctx, { scope: 'readings', key: done, request }, async () => ({ id: 'again' }));
    expect(replay).to.deep.equal({ result: { id: 'reading-1' }, replayed: true });
    const rerun = await idempotent(ctx, { scope: 'readings', key: running, request }, async () => ({ id: 'reading-2' }));
    expect(rerun).to.deep.equal({ result: { id: 'reading-2' }, replayed: false });
  });
});
