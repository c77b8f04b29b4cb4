import { expect } from 'chai';
import { Types } from 'mongoose';
import { MAX_SESSIONS, openSession } from '../../server/auth/sessions.ts';
import { key } from '../../server/db/kernel/keys.ts';
import { LoginKey, Subscriber } from '../../server/subscribers/model.ts';
import { findById } from '../../server/subscribers/service.ts';
import {
  bearer,
  codeIn,
  confirmedByLink,
  linkParam,
  solvedCaptcha,
  subscriberByLogin,
  uniqueEmail,
  useMailCatcher,
} from '../helpers/auth.ts';
import { operationsDuring } from '../helpers/operations.ts';
import { api, apiFrom, ownAddress } from '../helpers/server.ts';

const T = '/api/v1/t/sever-gaz';

/** The collections of auth, subscribers and the kernel records they use. */
const OURS = new Set([
  'subscribers',
  'subscriber_logins',
  'auth_sessions',
  'auth_session_entries',
  'auth_tokens',
  'auth_current_tokens',
  'captcha_uses',
  'server_secrets',
  'kernel_hits',
  'kernel_epochs',
  'kernel_idempotency',
  'kernel_tickets',
  'kernel_expiries',
  'kernel_expiry_cursors',
]);
const READS = new Set(['find', 'findOne', 'countDocuments', 'aggregate', 'distinct']);
const INSERTS = new Set(['insertOne', 'insertMany']);

interface Op {
  collection: string;
  method: string;
  filter: unknown;
}

/** The database operations on our collections while `run` runs. */
async function operations(run: () => Promise<unknown>): Promise<Op[]> {
  const { ops } = await operationsDuring(run);
  return ops
    .filter((e) => OURS.has(e.collectionName))
    .map((e) => ({ collection: e.collectionName, method: e.method, filter: e.params[0] }));
}

/** A filter that is exactly `{ _id: value }`: the only one FerretDB v1 serves from its index. */
function byKey(op: Op): boolean {
  if (INSERTS.has(op.method)) return true;
  const filter = op.filter as Record<string, unknown> | null;
  if (!filter || Object.keys(filter).join() !== '_id') return false;
  const id = filter._id;
  return typeof id === 'string' || id instanceof Types.ObjectId;
}

function expectByKey(name: string, ops: Op[]): void {
  const other = ops.filter((op) => !byKey(op) || op.method === 'countDocuments');
  expect(other, `${name}: ${JSON.stringify(other)}`).to.deep.equal([]);
}

describe('auth and settings by key', function () {
  this.timeout(60_000);
  const { mail } = useMailCatcher();

  it('finds every document of sign-in, the session check, me, settings and the sessions list by its _id', async () => {
    const { login, password, token } = await confirmedByLink(mail());
    const me = await operations(() => api(`${T}/me`, { headers: bearer(token) }));
    expectByKey('GET me', me);
    // The session check is the session and the cabinet; `me` reuses the cabinet the guard read.
    expect(me.filter((op) => READS.has(op.method))).to.have.length(2);
    expect(me.filter((op) => !READS.has(op.method))).to.deep.equal([]);

    // Sign-ins come from a client address of their own: the address's windows hold their hits alone.
    const client = ownAddress();
    const flows: [string, () => Promise<unknown>][] = [
      ['sign-in', () => apiFrom(client, `${T}/auth/login`, { body: { login, password } })],
      ['PATCH me', () => api(`${T}/me`, { method: 'PATCH', headers: bearer(token), body: { fullName: 'По Ключу' } })],
      ['GET me/sessions', () => api(`${T}/me/sessions`, { headers: bearer(token) })],
      ['wrong password', () => apiFrom(client, `${T}/auth/login`, { body: { login, password: 'wrong1' } })],
    ];
    // At most this many operations each: sign-in is its two limits (the client address: its two
    // windows' ends and the hit, the address's key never being cleared; the login's failures: the
    // key's epoch, its two windows' ends and the hit), the login and its cabinet, the failures
    // cleared, the cabinet saved, and the session opened on its list; and the expiry of the two
    // new windows (the address's first sign-in, the login's), the cleared epoch and the session
    // registered (expiry.ts: a lookup of the bucket's end and an insert each).
    const most: Record<string, number> = { 'sign-in': 15 + 4 * 2, 'PATCH me': 3, 'GET me/sessions': 8, 'wrong password': 9 + 2 };
    for (const [name, run] of flows) {
      const ops = await operations(run);
      expectByKey(name, ops);
      expect(ops.length, `${name}: ${JSON.stringify(ops)}`).to.be.at.most(most[name]!);
    }

    const next = uniqueEmail('keyed');
    expectByKey(
      'PATCH me (email)',
      await operations(() => api(`${T}/me`, { method: 'PATCH', headers: bearer(token), body: { email: next } })),
    );
    const code = codeIn((await mail().waitForTo(next)).text);
    expectByKey(
      'contact confirm',
      await operations(() => api(`${T}/me/contact/confirm`, { headers: bearer(token), body: { code } })),
    );
    const list = await api(`${T}/me/sessions`, { headers: bearer(token) });
    const other = list.body.find((s: { current: boolean }) => !s.current);
    expectByKey(
      'end a session',
      await operations(() => api(`${T}/me/sessions/${other.id}`, { method: 'DELETE', headers: bearer(token) })),
    );
    expectByKey(
      'change password',
      await operations(() =>
        api(`${T}/auth/password/change`, {
          headers: bearer(token),
          body: { currentPassword: password, password: 'keyed1', passwordRepeat: 'keyed1' },
        }),
      ),
    );
    expectByKey(
      'delete the cabinet',
      await operations(() => api(`${T}/me`, { method: 'DELETE', headers: bearer(token), body: { password: 'keyed1' } })),
    );
  });

  it('finds every document of register, confirm, forgot and reset by its _id', async () => {
    const login = uniqueEmail('keys');
    const captcha = await solvedCaptcha('sever-gaz');
    expectByKey(
      'register',
      await operations(() =>
        api(`${T}/auth/register`, { body: { login, password: 'abc12', passwordRepeat: 'abc12', consent: true, captcha } }),
      ),
    );
    const confirmToken = linkParam(await mail().waitForTo(login), 'gaskit-confirm');
    expectByKey('confirm', await operations(() => api(`${T}/auth/confirm`, { body: { token: confirmToken } })));
    const forgotCaptcha = await solvedCaptcha('sever-gaz');
    expectByKey('forgot', await operations(() => api(`${T}/auth/password/forgot`, { body: { login, captcha: forgotCaptcha } })));
    const message = await mail().waitFor((m) => m.to.includes(login) && m.subject === 'Восстановление пароля');
    const reset = linkParam(message, 'gaskit-reset');
    expectByKey('reset', await operations(() => api(`${T}/auth/password/reset`, { body: { token: reset, password: 'new12' } })));
  });

  it('lets one of ten concurrent registrations of a login open the cabinet', async () => {
    const login = uniqueEmail('race');
    const bodies = await Promise.all(
      Array.from({ length: 10 }, async () => ({
        login,
        password: 'abc12',
        passwordRepeat: 'abc12',
        consent: true,
        captcha: await solvedCaptcha('sever-gaz'),
      })),
    );
    const answers = await Promise.all(bodies.map((body) => api(`${T}/auth/register`, { body })));
    for (const a of answers) expect(a.status).to.equal(202);
    expect(await Subscriber.countDocuments({ login })).to.equal(1);
    const sub = await subscriberByLogin('sever-gaz', login);
    expect((await LoginKey.findById(key('gazregion', login)).lean())?.subscriberId.equals(sub!._id)).to.equal(true);
  });

  it('takes over a login key left behind by a registration that stopped halfway', async () => {
    const login = uniqueEmail('left');
    await LoginKey.create({
      _id: key('gazregion', login),
      subscriberId: new Types.ObjectId(),
      createdAt: new Date(Date.now() - 5 * 60_000),
    });
    const captcha = await solvedCaptcha('sever-gaz');
    const res = await api(`${T}/auth/register`, {
      body: { login, password: 'abc12', passwordRepeat: 'abc12', consent: true, captcha },
    });
    expect(res.status).to.equal(202);
    await mail().waitFor((m) => m.to.includes(login) && m.text.includes('gaskit-confirm='));
    expect((await subscriberByLogin('sever-gaz', login))?.status).to.equal('pending');
  });

  it('writes the cabinet before its login key, so a registration sent again after its server died is confirmed at once', async () => {
    const login = uniqueEmail('died');
    const body = async () => ({
      login,
      password: 'abc12',
      passwordRepeat: 'abc12',
      consent: true,
      captcha: await solvedCaptcha('sever-gaz'),
    });
    const first = body();
    const ops = await operations(async () =>
      expect((await api(`${T}/auth/register`, { body: await first })).status).to.equal(202),
    );
    const inserts = ops.filter((op) => INSERTS.has(op.method)).map((op) => op.collection);
    expect(inserts.indexOf('subscribers')).to.be.within(0, inserts.indexOf('subscriber_logins') - 1);
    await mail().waitFor((m) => m.to.includes(login) && m.text.includes('gaskit-confirm='));

    // A server that died between the two left a cabinet no login leads to: the next registration
    // of the login is not held up by it, and its confirmation comes.
    const again = uniqueEmail('died-again');
    const orphan = await Subscriber.create({
      _id: new Types.ObjectId(),
      realm: 'gazregion',
      tenantId: (await Subscriber.findById((await subscriberByLogin('sever-gaz', login))!._id).lean())!.tenantId,
      login: again,
      loginKind: 'email',
      email: again,
      personType: 'individual',
      locale: 'ru',
      status: 'pending',
      mustChangePassword: false,
      confirmBy: new Date(Date.now() + 3_600_000),
    });
    const res = await api(`${T}/auth/register`, { body: { ...(await body()), login: again } });
    expect(res.status).to.equal(202);
    await mail().waitFor((m) => m.to.includes(again) && m.text.includes('gaskit-confirm='));
    const sub = await subscriberByLogin('sever-gaz', again);
    expect(sub?.status).to.equal('pending');
    expect(sub!._id.equals(orphan._id)).to.equal(false);
    // What the sweep of unconfirmed cabinets does at its deadline.
    await Subscriber.deleteOne({ _id: orphan._id });
  });

  it(`keeps at most ${MAX_SESSIONS} sessions of a cabinet: a sign-in beyond ends the oldest`, async () => {
    const { login, password, token: first, me } = await confirmedByLink(mail());
    const sub = (await findById('gazregion', me.id))!;
    const tokens: string[] = [first];
    // Sessions 2…20 opened as sign-in opens them (without 19 password checks), then the 21st sign-in.
    for (let i = 2; i < MAX_SESSIONS; i += 1) {
      tokens.push((await openSession({ subscriberId: sub._id, realm: sub.realm, tenantId: sub.tenantId })).token);
    }
    tokens.push((await api(`${T}/auth/login`, { body: { login, password } })).body.token);
    expect((await api(`${T}/me`, { headers: bearer(tokens[1]!) })).status).to.equal(200);
    const last = (await api(`${T}/auth/login`, { body: { login, password } })).body.token;
    expect((await api(`${T}/me`, { headers: bearer(first) })).body.error.code).to.equal('session_expired');
    const list = await api(`${T}/me/sessions`, { headers: bearer(last) });
    expect(list.body).to.have.length(MAX_SESSIONS);
    // Public ids are places in the list, never token hashes.
    for (const s of list.body as { id: string }[]) expect(s.id).to.match(/^\d+\.\d+\.[0-9a-f]{16}$/);
    expect((await api(`${T}/me`, { headers: bearer(tokens[1]!) })).status).to.equal(200);
    expect(list.body.filter((s: { current: boolean }) => s.current)).to.have.length(1);
  });
});
