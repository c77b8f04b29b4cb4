import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { migrationCtx } from '../../server/db/migrate.ts';
import { migration } from '../../server/tenants/migrate.ts';
import { clearTenantCache, getTenantBySlug, realmSuppliers } from '../../server/tenants/service.ts';
import { api } from '../helpers/server.ts';

describe('migration: tenants get their slug and realm keys', () => {
  it('makes tenants stored by the earlier version reachable by slug and listed in their realm, twice over', async () => {
    const db = mongoose.connection.db!;
    const stamp = Date.now().toString(36);
    const realm = `old-${stamp}`;
    const template = (await db.collection('tenants').findOne({ slug: 'vostok-gaz' }))!;
    const tenants = ['a', 'b'].map((x) => ({
      ...template,
      _id: new Types.ObjectId(),
      slug: `old-${stamp}-${x}`,
      name: `Старый газ ${x.toUpperCase()}`,
      realm,
    }));
    await db.collection('tenants').insertMany(tenants);
    clearTenantCache();
    expect((await api(`/api/v1/t/${tenants[0]!.slug}/config`)).status).to.equal(404);

    for (let run = 0; run < 2; run++) await migration.run(migrationCtx(db, () => {}));

    const config = await api(`/api/v1/t/${tenants[0]!.slug}/config`);
    expect(config.status).to.equal(200);
    expect(config.body.suppliers.map((s: { slug: string }) => s.slug)).to.deep.equal(tenants.map((t) => t.slug));
    expect(String((await getTenantBySlug(tenants[1]!.slug))._id)).to.equal(String(tenants[1]!._id));
    expect(await realmSuppliers(realm)).to.have.length(2);
  });
});
