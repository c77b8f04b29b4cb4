import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { migration } from '../../server/accounts/migrate.ts';
import { migration as billingMigration } from '../../server/billing/migrate.ts';
import { pinHash } from '../../server/billing/writer.ts';
import { migrationCtx } from '../../server/db/migrate.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { freshNumber, seedAccount } from '../helpers/billing.ts';
import { api } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

const { ObjectId } = mongoose.Types;

describe('migration: account links to cabinet link lists', function () {
  this.timeout(60_000);

  it('moves a cabinet’s links with their modes and places, so the cabinet sees the same accounts, and may run again', async () => {
    const slug = `migl-${randomBytes(4).toString('hex')}`;
    const tenant = (
      await Tenant.create({ slug, name: `Связьгаз ${slug}`, legalName: 'ООО «Связьгаз»', realm: slug })
    ).toObject() as TenantDoc;
    const { subscriber, auth } = await signedInSubscriber(slug);
    const db = mongoose.connection.db!;
    const numbers = [freshNumber(), freshNumber(), freshNumber()];
    const accountIds = numbers.map(() => new ObjectId());
    await db.collection('accounts').insertMany(
      numbers.map((number, i) => ({
        _id: accountIds[i],
        tenantId: tenant._id,
        number,
        holder: `Связев${i} Сергей Сергеевич`,
        address: `г. Прежний, д. ${i}`,
        pinHash: pinHash(tenant._id, '1357'),
        services: ['gas'],
        updatedAt: new Date(),
      })),
    );
    // Linked in the order 2, 0 (slot 1, then slot 0 after an unlink freed it); account 1 is gone from billing.
    const link = (i: number, slot: number, mode: string, createdAt: string) => ({
      _id: new ObjectId(),
      tenantId: tenant._id,
      realm: slug,
      subscriberId: subscriber._id,
      accountId: accountIds[i],
      accountNumber: numbers[i],
      mode,
      slot,
      createdAt: new Date(createdAt),
    });
    await db
      .collection('accountlinks')
      .insertMany([
        link(2, 1, 'extended', '2026-01-10T10:00:00Z'),
        link(0, 0, 'basic', '2026-02-10T10:00:00Z'),
        link(1, 2, 'basic', '2026-03-10T10:00:00Z'),
      ]);
    await db.collection('linkslots').insertMany([0, 1, 2].map((slot) => ({ subscriberId: subscriber._id, slot })));
    await db.collection('accounts').deleteOne({ _id: accountIds[1] });

    const ctx = migrationCtx(db, () => {});
    await billingMigration.run(ctx);
    expect((await migration.run(ctx)).moved).to.be.at.least(2);

    const list = await api(`/api/v1/t/${slug}/accounts`, { headers: auth });
    expect(list.status).to.equal(200);
    expect(list.body.items.map((a: { number: string; mode: string }) => [a.number, a.mode])).to.deep.equal([
      [numbers[2], 'extended'],
      [numbers[0], 'basic'],
    ]);
    const extended = list.body.items[0];
    expect(extended).to.include({ id: `${String(tenant._id)}:${numbers[2]}`, holder: 'Связев2 Сергей Сергеевич' });
    expect((await api(`/api/v1/t/${slug}/accounts/${extended.id}/charges`, { headers: auth })).status).to.equal(200);

    expect((await migration.run(migrationCtx(db, () => {}))).moved, 'nothing is moved twice').to.equal(0);
    expect((await api(`/api/v1/t/${slug}/accounts`, { headers: auth })).body.items).to.have.length(2);
    const again = await api(`/api/v1/t/${slug}/accounts`, { body: { supplier: slug, number: numbers[0] }, headers: auth });
    expect(again.status, 'a moved link is known by its key').to.equal(409);
    const unlink = await api(`/api/v1/t/${slug}/accounts/${list.body.items[1].id}`, { method: 'DELETE', headers: auth });
    expect(unlink.status).to.equal(204);
    const last = await api(`/api/v1/t/${slug}/accounts/${extended.id}`, { method: 'DELETE', headers: auth });
    expect(last.body.error.code).to.equal('last_account');
  });

  it('moves links held in cabinet slots to the cabinet’s list, oldest first with their modes, and may run again', async () => {
    const slug = 'yug-gaz';
    const { subscriber, auth, tenant } = await signedInSubscriber(slug);
    const [first, second] = [await seedAccount(slug), await seedAccount(slug)];
    const db = mongoose.connection.db!;
    const owner = String(subscriber._id);
    // Written by the slot version: slot 0 freed by an unlink and taken again later, so slot order is not link order.
    const slot = (n: number, number: string, mode: string, linkedAt: string) => ({
      _id: `${owner}:${n}`,
      owner,
      slot: n,
      subscriberId: subscriber._id,
      realm: tenant.realm,
      tenantId: tenant._id,
      accountId: `${String(tenant._id)}:${number}`,
      accountNumber: number,
      mode,
      linkedAt: new Date(linkedAt),
    });
    await db
      .collection<{ _id: string }>('account_links')
      .insertMany([
        slot(0, second.number, 'basic', '2026-03-01T10:00:00Z'),
        slot(1, first.number, 'extended', '2026-01-01T10:00:00Z'),
      ]);
    await db.collection<{ _id: string; subscriberId: unknown; slot: number }>('account_link_keys').insertMany([
      { _id: `${owner}:${String(tenant._id)}:${second.number}`, subscriberId: subscriber._id, slot: 0 },
      { _id: `${owner}:${String(tenant._id)}:${first.number}`, subscriberId: subscriber._id, slot: 1 },
    ]);

    expect((await migration.run(migrationCtx(db, () => {}))).moved).to.be.at.least(2);
    const list = await api(`/api/v1/t/${slug}/accounts`, { headers: auth });
    expect(list.body.items.map((a: { number: string; mode: string }) => [a.number, a.mode])).to.deep.equal([
      [first.number, 'extended'],
      [second.number, 'basic'],
    ]);
    expect(list.body.items[0].holder, 'extended mode kept').to.equal('Петров Пётр Петрович');

    expect((await migration.run(migrationCtx(db, () => {}))).moved, 'nothing is moved twice').to.equal(0);
    const again = await api(`/api/v1/t/${slug}/accounts`, { body: { supplier: slug, number: second.number }, headers: auth });
    expect(again.status, 'a moved link is known').to.equal(409);
    expect(
      (await api(`/api/v1/t/${slug}/accounts/${list.body.items[1].id}`, { method: 'DELETE', headers: auth })).status,
    ).to.equal(204);
  });
});
