import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { openSession } from '../../server/auth/sessions.ts';
import { key } from '../../server/db/kernel/keys.ts';
import { LoginKey, Subscriber } from '../../server/subscribers/model.ts';
import { Tenant } from '../../server/tenants/model.ts';

/**
 * A confirmed subscriber of a tenant with an open session, made directly through the models,
 * for tests of modules that only need someone signed in (the auth flows have their own tests).
 */
export async function signedInSubscriber(slug: string, overrides: { email?: string } = {}) {
  const tenant = await Tenant.findOne({ slug }).lean();
  if (!tenant) throw new Error(`no tenant ${slug}`);
  const email = overrides.email ?? `s-${randomBytes(6).toString('hex')}@example.test`;
  const _id = new Types.ObjectId();
  await LoginKey.create({ _id: key(tenant.realm, email), subscriberId: _id });
  const subscriber = await Subscriber.create({
    _id,
    realm: tenant.realm,
    tenantId: tenant._id,
    login: email,
    email,
    loginKind: 'email',
    status: 'active',
    fullName: 'Тестовый Абонент',
  });
  const { token } = await openSession({ subscriberId: subscriber._id, realm: tenant.realm, tenantId: tenant._id });
  return { subscriber, token, tenant, auth: { Authorization: `Bearer ${token}` } };
}
