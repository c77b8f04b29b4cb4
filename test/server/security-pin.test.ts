import { expect } from 'chai';
import pino, { type Logger } from 'pino';
import { seedAccount } from '../helpers/billing.ts';
import { api, testApp } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

type Auth = Record<string, string>;

/** The value of `gaskit_pin_lockouts_total` for a tenant and scope, as /metrics shows it. */
async function lockouts(tenant: string, scope: string): Promise<number> {
  const text = (await api('/metrics')).body as string;
  const line = text
    .split('\n')
    .find(
      (l) => l.startsWith('gaskit_pin_lockouts_total{') && l.includes(`tenant="${tenant}"`) && l.includes(`scope="${scope}"`),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/**
 * Issue 14, item 2: a stranger who knows an account number links it without the PIN and guesses,
 * unlinking and linking again to start over; more cabinets join in. The guesses are counted per
 * cabinet and account and per account whatever the link, and the supplier is told.
 */
describe('security: PIN guessing through unlink and relink (issue 14, item 2)', () => {
  const logged: Record<string, unknown>[] = [];
  let previous: Logger | undefined;
  before(() => {
    previous = testApp().alerts.logger;
    testApp().alerts.logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  });
  after(() => {
    testApp().alerts.logger = previous;
  });

  async function stranger(number: string, keep: string) {
    const { auth, subscriber } = await signedInSubscriber('yug-gaz');
    // Another account stays linked, so the target can be unlinked again and again.
    await api('/api/v1/t/yug-gaz/accounts', { body: { supplier: 'yug-gaz', number: keep }, headers: auth });
    const linked = await api('/api/v1/t/yug-gaz/accounts', { body: { supplier: 'yug-gaz', number }, headers: auth });
    expect(linked.status).to.equal(201);
    return { auth, subscriberId: String(subscriber._id), id: linked.body.id as string };
  }

  async function guess(auth: Auth, id: string, pin: string) {
    return api(`/api/v1/t/yug-gaz/accounts/${id}/pin`, { body: { pin }, headers: auth });
  }

  async function relink(auth: Auth, id: string, number: string) {
    expect((await api(`/api/v1/t/yug-gaz/accounts/${id}`, { method: 'DELETE', headers: auth })).status).to.equal(204);
    expect((await api('/api/v1/t/yug-gaz/accounts', { body: { supplier: 'yug-gaz', number }, headers: auth })).status).to.equal(
      201,
    );
  }

  it('locks the PIN across relinks and cabinets, and reports each lockout as a metric and a warn line without the PIN', async () => {
    const { number, pin } = await seedAccount('yug-gaz', { pin: '7319' });
    const { number: keep } = await seedAccount('yug-gaz');
    const guesses = Array.from({ length: 30 }, (_, i) => String(1000 + i * 7));
    const before = { cabinet: await lockouts('yug-gaz', 'cabinet'), account: await lockouts('yug-gaz', 'account') };

    const first = await stranger(number, keep);
    const statuses: number[] = [];
    let tried = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) statuses.push((await guess(first.auth, first.id, guesses[tried++]!)).status);
      await relink(first.auth, first.id, number);
    }
    expect(statuses).to.deep.equal([400, 400, 400, 400, 400, 429, 429, 429, 429, 429, 429, 429]);
    const lockedOut = await guess(first.auth, first.id, pin);
    expect(lockedOut.status, 'the right PIN after the relinks').to.equal(429);
    expect(lockedOut.body.error.code).to.equal('pin_locked');

    const second = await stranger(number, keep);
    for (let i = 0; i < 5; i++) expect((await guess(second.auth, second.id, guesses[tried++]!)).status).to.equal(400);
    const third = await stranger(number, keep);
    const accountLocked = await guess(third.auth, third.id, pin);
    expect(accountLocked.status, 'the account has had its ten guesses').to.equal(429);

    expect(await lockouts('yug-gaz', 'cabinet')).to.equal(before.cabinet + 2);
    expect(await lockouts('yug-gaz', 'account')).to.equal(before.account + 1);
    const alerts = logged.filter((l) => l.alert === 'pin_locked' && l.account === number);
    expect(alerts.map((a) => [a.level, a.tenant, a.scope, a.subscriberId])).to.deep.equal([
      [40, 'yug-gaz', 'cabinet', first.subscriberId],
      [40, 'yug-gaz', 'cabinet', second.subscriberId],
      [40, 'yug-gaz', 'account', second.subscriberId],
    ]);
    const secrets = new Set([pin, ...guesses]);
    for (const a of alerts) {
      expect(a).not.to.have.property('pin');
      for (const value of Object.values(a)) expect(secrets.has(String(value)), String(value)).to.equal(false);
    }
  });
});
