import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { migrationCtx } from '../../server/db/migrate.ts';
import { listApiKeys, revokeApiKey } from '../../server/integration/keys.ts';
import { LEGACY_API_KEYS, migration } from '../../server/integration/migrate.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';
import { api } from '../helpers/server.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('migration: integration keys', () => {
  it('keeps the keys suppliers hold working, with their ids, names, scopes and revocations, twice over', async () => {
    const db = mongoose.connection.db!;
    const tenant = await getTenantBySlug('vostok-gaz');
    const live = `gk_${randomBytes(24).toString('base64url')}`;
    const revoked = `gk_${randomBytes(24).toString('base64url')}`;
    const liveId = new Types.ObjectId();
    const revokedId = new Types.ObjectId();
    const createdAt = new Date('2026-01-15T10:00:00Z');
    await db.collection(LEGACY_API_KEYS).insertMany([
      {
        _id: liveId,
        tenantId: tenant._id,
        name: 'Старый биллинг',
        prefix: live.slice(0, 10),
        keyHash: sha256(live),
        scopes: ['export:read'],
        createdAt,
      },
      {
        _id: revokedId,
        tenantId: tenant._id,
        name: 'Отозванный',
        prefix: revoked.slice(0, 10),
        keyHash: sha256(revoked),
        scopes: ['export:read'],
        createdAt,
        revokedAt: new Date('2026-02-01T00:00:00Z'),
      },
    ]);

    for (let run = 0; run < 2; run++) await migration.run(migrationCtx(db, () => {}));

    const ok = await api('/api/v1/t/vostok-gaz/integration/feedback', { headers: { Authorization: `Bearer ${live}` } });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    const refused = await api('/api/v1/t/vostok-gaz/integration/feedback', { headers: { Authorization: `Bearer ${revoked}` } });
    expect(refused.status).to.equal(401);
    expect(refused.body.error.code).to.equal('api_key_invalid');
    const foreign = await api('/api/v1/t/sever-gaz/integration/feedback', { headers: { Authorization: `Bearer ${live}` } });
    expect(foreign.body.error.code).to.equal('api_key_invalid');

    const listed = (await listApiKeys(tenant._id)).find((k) => k.id === String(liveId))!;
    expect(listed).to.deep.include({
      name: 'Старый биллинг',
      prefix: live.slice(0, 10),
      scopes: ['export:read'],
      createdAt,
      revokedAt: null,
    });
    expect(listed.lastUsedAt).to.be.instanceOf(Date);
    await revokeApiKey(tenant._id, String(liveId));
    expect(
      (await api('/api/v1/t/vostok-gaz/integration/feedback', { headers: { Authorization: `Bearer ${live}` } })).status,
    ).to.equal(401);
  });
});
