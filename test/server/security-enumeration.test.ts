import { expect } from 'chai';
import { LOOKUP_LIMITS } from '../../server/accounts/service.ts';
import { freshNumber, seedAccount } from '../helpers/billing.ts';
import { api, apiFrom, ownAddress } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

type Auth = Record<string, string>;

/** POST accounts/check from a client address of its own. */
function checkFrom(localAddress: string, auth: Auth, number: string): Promise<{ status: number; body: any }> {
  return apiFrom(localAddress, '/api/v1/t/sever-gaz/accounts/check', { body: { supplier: 'sever-gaz', number }, headers: auth });
}

/** Issue 14, item 6: walking through consecutive account numbers to collect names and addresses. */
describe('security: account numbers cannot be enumerated (issue 14, item 6)', () => {
  it('answers a cabinet at most its limit of lookups an hour, then refuses checks and links alike', async () => {
    const { auth } = await signedInSubscriber('sever-gaz');
    const start = Number(freshNumber()) - LOOKUP_LIMITS.cabinet.points;
    const statuses: number[] = [];
    for (let i = 0; i <= LOOKUP_LIMITS.cabinet.points; i++) {
      const res = await api('/api/v1/t/sever-gaz/accounts/check', {
        body: { supplier: 'sever-gaz', number: String(start + i) },
        headers: auth,
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.error.code).to.equal('account_lookups_limited');
        expect(Number(res.headers.get('retry-after'))).to.be.greaterThan(0);
      }
    }
    expect(statuses.slice(0, -1).every((s) => s === 404 || s === 200)).to.equal(true);
    expect(statuses.at(-1)).to.equal(429);
    const { number } = await seedAccount('sever-gaz');
    const link = await api('/api/v1/t/sever-gaz/accounts', { body: { supplier: 'sever-gaz', number }, headers: auth });
    expect(link.status).to.equal(429);
    expect(link.body.error.code).to.equal('account_lookups_limited');
  });

  it('answers one client address at most its limit of checks an hour, whatever the cabinets', async () => {
    const address = ownAddress();
    const start = Number(freshNumber());
    const cabinets = Math.ceil(LOOKUP_LIMITS.ip.points / LOOKUP_LIMITS.cabinet.points) + 1;
    const statuses: number[] = [];
    for (let c = 0; c < cabinets; c++) {
      const { auth } = await signedInSubscriber('sever-gaz');
      for (let i = 0; i < LOOKUP_LIMITS.cabinet.points && statuses.length <= LOOKUP_LIMITS.ip.points; i++) {
        const res = await checkFrom(address, auth, String(start + statuses.length));
        statuses.push(res.status);
        if (res.status === 429) expect(res.body.error.code).to.equal('account_lookups_limited');
      }
    }
    expect(statuses).to.have.length(LOOKUP_LIMITS.ip.points + 1);
    expect(statuses.filter((s) => s === 429)).to.deep.equal([429]);
    expect(statuses.at(-1)).to.equal(429);
    const { auth: fresh } = await signedInSubscriber('sever-gaz');
    expect(
      (
        await api('/api/v1/t/sever-gaz/accounts/check', {
          body: { supplier: 'sever-gaz', number: String(start) },
          headers: fresh,
        })
      ).status,
    ).to.equal(404);
  });

  it('shows street and house without the flat, and surname with initials, until the PIN is entered', async () => {
    const { number, pin } = await seedAccount('sever-gaz', { holder: 'Голубева Мария Андреевна' });
    const { auth } = await signedInSubscriber('sever-gaz');
    const checked = await api('/api/v1/t/sever-gaz/accounts/check', { body: { supplier: 'sever-gaz', number }, headers: auth });
    expect(checked.status).to.equal(200);
    expect(checked.body).to.deep.include({ address: 'г. Демо, ул. Газовая, д. 7', holder: 'Голубева М. А.' });

    const linked = await api('/api/v1/t/sever-gaz/accounts', { body: { supplier: 'sever-gaz', number }, headers: auth });
    expect(linked.body).to.deep.include({ mode: 'basic', address: 'г. Демо, ул. Газовая, д. 7', holder: 'Голубева М. А.' });
    const summary = await api(`/api/v1/t/sever-gaz/accounts/${linked.body.id}/summary`, { headers: auth });
    expect(summary.body.account).to.deep.include({ address: 'г. Демо, ул. Газовая, д. 7', holder: 'Голубева М. А.' });

    const extended = await api(`/api/v1/t/sever-gaz/accounts/${linked.body.id}/pin`, { body: { pin }, headers: auth });
    expect(extended.body).to.deep.include({
      mode: 'extended',
      address: 'г. Демо, ул. Газовая, д. 7, кв. 12',
      holder: 'Голубева Мария Андреевна',
    });
  });
});
