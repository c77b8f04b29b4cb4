import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { hashPassword } from '../../server/auth/passwords.ts';
import { migrationCtx } from '../../server/db/migrate.ts';
import { migration } from '../../server/subscribers/migrate.ts';
import { Subscriber } from '../../server/subscribers/model.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { bearer, solvedCaptcha, uniqueEmail, uniquePhone, useMailCatcher } from '../helpers/auth.ts';
import { api } from '../helpers/server.ts';

const T = '/api/v1/t/sever-gaz';

describe('migration: subscribers get login keys', () => {
  const { mail } = useMailCatcher();

  it('lets earlier cabinets sign in and be found by login, and runs again without change', async () => {
    const db = mongoose.connection.db!;
    const tenant = (await Tenant.findOne({ slug: 'sever-gaz' }).lean())!;
    const login = uniqueEmail('earlier');
    const phone = uniquePhone();
    const _id = new Types.ObjectId();
    const createdAt = new Date('2025-03-01T10:00:00Z');
    await db.collection('subscribers').insertOne({
      _id,
      realm: tenant.realm,
      tenantId: tenant._id,
      login,
      email: login,
      phone,
      loginKind: 'email',
      personType: 'legal',
      passwordHash: await hashPassword('old12'),
      mustChangePassword: false,
      status: 'active',
      fullName: 'Ранний Абонент',
      locale: 'ru',
      consent: { version: '2025-01', url: 'https://example.test/rules', acceptedAt: createdAt },
      confirmedAt: createdAt,
      createdAt,
      updatedAt: createdAt,
    });
    await db.collection('subscribers').createIndex({ realm: 1, login: 1 }, { unique: true });

    const first = await migration.run(migrationCtx(db, () => {}));
    expect(first.moved).to.be.at.least(1);
    expect((await db.collection('subscribers').indexes()).map((i) => i.name)).not.to.include('realm_1_login_1');

    const signed = await api(`${T}/auth/login`, { body: { login, password: 'old12' } });
    expect(signed.status).to.equal(200);
    const me = await api(`${T}/me`, { headers: bearer(signed.body.token) });
    expect(me.body).to.deep.equal({
      id: String(_id),
      login,
      loginKind: 'email',
      email: login,
      phone,
      fullName: 'Ранний Абонент',
      personType: 'legal',
      status: 'active',
      mustChangePassword: false,
      confirmBy: null,
      consent: { version: '2025-01', url: 'https://example.test/rules', acceptedAt: createdAt.toISOString() },
      createdAt: createdAt.toISOString(),
    });

    expect((await migration.run(migrationCtx(db, () => {}))).moved).to.equal(0);
    // Registering the login again finds the earlier cabinet by its key: a notice, no second cabinet.
    const captcha = await solvedCaptcha('sever-gaz');
    await api(`${T}/auth/register`, { body: { login, password: 'abc12', passwordRepeat: 'abc12', consent: true, captcha } });
    await mail().waitFor((m) => m.to.includes(login) && m.subject === 'Попытка повторной регистрации');
    expect(await Subscriber.countDocuments({ login })).to.equal(1);
  });
});
