import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { migration } from '../../server/auth/migrate.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { migrationCtx } from '../../server/db/migrate.ts';
import { migration as subscribersMigration } from '../../server/subscribers/migrate.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { bearer, uniqueEmail, useMailCatcher } from '../helpers/auth.ts';
import { api } from '../helpers/server.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const token = () => randomBytes(32).toString('base64url');
const HOUR = 3600_000;

describe('migration: sessions and verification tokens by key', () => {
  useMailCatcher();

  it('keeps people signed in and their links and codes working, and runs again without change', async () => {
    const db = mongoose.connection.db!;
    const sever = (await Tenant.findOne({ slug: 'sever-gaz' }).lean())!;
    const yug = (await Tenant.findOne({ slug: 'yug-gaz' }).lean())!;
    const now = Date.now();
    const cabinet = async (tenant: typeof sever, status: 'active' | 'pending') => {
      const login = uniqueEmail('moved');
      const doc = {
        _id: new Types.ObjectId(),
        realm: tenant.realm,
        tenantId: tenant._id,
        login,
        email: login,
        loginKind: 'email',
        personType: 'individual',
        passwordHash: await hashPassword('old12'),
        mustChangePassword: false,
        status,
        fullName: 'Перенесённый',
        locale: 'ru',
        ...(status === 'pending' ? { confirmBy: new Date(now + 24 * HOUR) } : {}),
        createdAt: new Date(now - 48 * HOUR),
        updatedAt: new Date(now - 48 * HOUR),
      };
      await db.collection('subscribers').insertOne(doc);
      return doc;
    };
    const active = await cabinet(sever, 'active');
    const pending = await cabinet(sever, 'pending');
    const coded = await cabinet(yug, 'pending');

    const [phone, laptop, ended, old] = [token(), token(), token(), token()];
    const session = (t: string, ageHours: number, extra: Record<string, unknown> = {}) => ({
      _id: new Types.ObjectId(),
      tokenHash: sha256(t),
      subscriberId: active._id,
      realm: sever.realm,
      tenantId: sever._id,
      userAgent: `agent ${ageHours}`,
      ip: '10.0.0.7',
      createdAt: new Date(now - ageHours * HOUR),
      lastSeenAt: new Date(now - ageHours * HOUR + 60_000),
      expiresAt: new Date(now - ageHours * HOUR + 30 * 24 * HOUR),
      ...extra,
    });
    await db
      .collection('sessions')
      .insertMany([
        session(phone, 30),
        session(laptop, 3),
        session(ended, 2, { revokedAt: new Date(now - HOUR) }),
        session(old, 31 * 24),
      ]);

    const [resetLink, confirmLink] = [token(), token()];
    const salt = randomBytes(16).toString('base64url');
    const base = (sub: typeof active, purpose: string) => ({
      _id: new Types.ObjectId(),
      realm: sub.realm,
      tenantId: sub.tenantId,
      subscriberId: sub._id,
      purpose,
      expiresAt: new Date(now + HOUR),
      createdAt: new Date(now - 60_000),
    });
    await db.collection('verification_tokens').insertMany([
      { ...base(active, 'reset'), kind: 'link', hash: sha256(resetLink) },
      { ...base(pending, 'confirm'), kind: 'link', hash: sha256(confirmLink) },
      { ...base(coded, 'confirm'), kind: 'code', hash: sha256(`${salt}:482913`), salt },
    ]);

    const ctx = migrationCtx(db, () => {});
    await subscribersMigration.run(ctx);
    const first = await migration.run(ctx);
    expect(first.moved).to.be.at.least(5);

    const S = '/api/v1/t/sever-gaz';
    const me = await api(`${S}/me`, { headers: bearer(phone) });
    expect(me.status).to.equal(200);
    expect(me.body).to.include({ id: String(active._id), login: active.login, fullName: 'Перенесённый' });
    expect((await api(`${S}/me`, { headers: bearer(laptop) })).status).to.equal(200);
    for (const gone of [ended, old]) expect((await api(`${S}/me`, { headers: bearer(gone) })).status).to.equal(401);
    const list = await api(`${S}/me/sessions`, { headers: bearer(laptop) });
    expect(list.body.map((s: Record<string, unknown>) => [s.userAgent, s.ip, s.current, s.createdAt])).to.deep.equal([
      ['agent 3', '10.0.0.7', true, new Date(now - 3 * HOUR).toISOString()],
      ['agent 30', '10.0.0.7', false, new Date(now - 30 * HOUR).toISOString()],
    ]);

    expect((await migration.run(ctx)).moved).to.equal(0);

    expect((await api(`${S}/auth/confirm`, { body: { token: confirmLink } })).body).to.deep.equal({
      status: 'confirmed',
      login: pending.login,
    });
    expect((await api('/api/v1/t/yug-gaz/auth/confirm', { body: { login: coded.login, code: '482913' } })).body).to.deep.equal({
      status: 'confirmed',
      login: coded.login,
    });
    const reset = await api(`${S}/auth/password/reset`, { body: { token: resetLink, password: 'new12' } });
    expect(reset.body).to.deep.equal({ status: 'password_reset', login: active.login });
    // The reset ends the moved sessions as it ends any.
    expect((await api(`${S}/me`, { headers: bearer(phone) })).status).to.equal(401);
    expect((await api(`${S}/auth/login`, { body: { login: active.login, password: 'new12' } })).status).to.equal(200);
  });
});
