import { expect } from 'chai';
import {
  accountNumber,
  accountPin,
  createClient,
  verificationState,
  type GaskitClient,
  type GaskitError,
} from '../../sdk/index.ts';
import { seedAccount } from '../helpers/billing.ts';
import { testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

async function signedInClient(slug: string): Promise<GaskitClient> {
  const { token } = await signedInSubscriber(slug);
  const client = createClient({ apiBase: testServer().baseUrl, tenant: slug, locale: 'ru' });
  client.session.setToken(token);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<GaskitError> {
  return promise.then(
    () => expect.fail('the call must fail'),
    (error: unknown) => error as GaskitError,
  );
}

describe('SDK client.accounts against the real server', () => {
  it('checks, links, lists and unlinks accounts, trimming the typed number', async () => {
    const first = await seedAccount('sever-gaz', { holder: 'Сидорова Анна Викторовна' });
    const second = await seedAccount('sever-gaz');
    const client = await signedInClient('sever-gaz');

    const checked = await client.accounts.check({ supplier: 'sever-gaz', number: ` ${first.number}  ` });
    expect(checked).to.deep.include({ number: first.number, holder: 'Сидорова А. В.', alreadyLinked: false });

    const linked = await client.accounts.link({ supplier: 'sever-gaz', number: first.number }, 'link-key-0001');
    const retried = await client.accounts.link({ supplier: 'sever-gaz', number: first.number }, 'link-key-0001');
    expect(retried.id).to.equal(linked.id);
    const other = await client.accounts.link({ supplier: 'sever-gaz', number: second.number });
    expect((await client.accounts.list()).map((a) => a.number)).to.deep.equal([first.number, second.number]);

    await client.accounts.unlink(other.id);
    expect((await client.accounts.list()).map((a) => a.id)).to.deep.equal([linked.id]);
    const last = await failure(client.accounts.unlink(linked.id));
    expect(last).to.include({ code: 'last_account', status: 422 });
  });

  it('reports the number rule as a field error code', async () => {
    const client = await signedInClient('sever-gaz');
    const error = await failure(client.accounts.check({ supplier: 'sever-gaz', number: '12345678901' }));
    expect(error.fields).to.deep.equal({ number: 'account_number_format' });
  });

  it('switches to extended mode with the PIN and then reads summary, charges and meters', async () => {
    const { number, pin } = await seedAccount('sever-gaz');
    const client = await signedInClient('sever-gaz');
    const account = await client.accounts.link({ supplier: 'sever-gaz', number });
    expect((await failure(client.accounts.charges(account.id))).code).to.equal('pin_required');
    const wrong = await failure(client.accounts.enterPin(account.id, '0000'));
    expect(wrong.fields).to.deep.equal({ pin: 'pin_wrong' });

    expect(await client.accounts.enterPin(account.id, ` ${pin} `)).to.include({ mode: 'extended' });
    const summary = await client.accounts.summary(account.id, '2026-09');
    expect(summary).to.deep.include({ period: '2026-09', periods: { first: '2026-09', last: '2026-10' } });
    expect(summary.account.mode).to.equal('extended');
    const charges = await client.accounts.charges(account.id, { from: '2026-10', to: '2026-10' });
    expect(charges.map((c) => c.period)).to.deep.equal(['2026-10']);
    const meters = await client.accounts.meters(account.id);
    expect(meters[0]).to.deep.include({ serialNumber: `SN${number}`, decimals: 3 });
    expect(meters[0]!.lastReading!.valueMilli).to.equal(1234500);
  });
});

describe('account rules shared by the widgets and the server', () => {
  it('accepts a number matching the whole tenant rule with surrounding spaces, refuses letters and 11 digits', () => {
    const rule = { pattern: '^\\d{1,10}$' };
    expect(accountNumber.execute(' 1234567890 ', rule)).to.equal(null);
    expect(accountNumber.execute('12a45', rule)).to.equal('account_number_format');
    expect(accountNumber.execute('12345678901', rule)).to.equal('account_number_format');
    expect(accountNumber.execute('12345678901', { pattern: '\\d{1,10}' })).to.equal('account_number_format');
  });

  it('takes a PIN of 4 to 8 digits', () => {
    expect(accountPin.execute('4321', undefined)).to.equal(null);
    expect(accountPin.execute('123', undefined)).to.equal('pin_format');
    expect(accountPin.execute('12a4', undefined)).to.equal('pin_format');
  });

  it('calls a verification overdue after its date and soon within 60 days of it', () => {
    const now = new Date(2026, 9, 20);
    expect(verificationState('2026-10-19T00:00:00.000Z', now)).to.equal('overdue');
    expect(verificationState('2026-10-20T00:00:00.000Z', now)).to.equal('soon');
    expect(verificationState('2026-12-19T00:00:00.000Z', now)).to.equal('soon');
    expect(verificationState('2026-12-20T00:00:00.000Z', now)).to.equal('ok');
    expect(verificationState(null, now)).to.equal('unknown');
  });
});
