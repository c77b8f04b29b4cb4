import { expect } from 'chai';
import mongoose from 'mongoose';
import { Readable } from 'node:stream';
import { importBillingCsv } from '../../server/billing/csv.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';
import { freshNumber, integrationUpsert, seedAccount } from '../helpers/billing.ts';
import { operationsDuring } from '../helpers/operations.ts';
import { api } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

/** The collections of accounts and billing (a current month is read with its balance stream past it), and the kernel's rate-limit windows the PIN and lookups use. */
const WATCHED = [
  'billing_accounts',
  'billing_current',
  'billing_balances',
  'billing_past',
  'account_link_lists',
  'kernel_hits',
  'kernel_epochs',
];

interface Op {
  collection: string;
  method: string;
  filters: unknown[];
}

/** The operations on the watched collections while `run` runs (the test server shares this process). */
async function recording<T>(run: () => Promise<T>): Promise<{ result: T; ops: Op[] }> {
  const { result, ops } = await operationsDuring(run);
  return {
    result,
    ops: ops
      .filter((e) => WATCHED.includes(e.collectionName))
      .map((e) => {
        const [first] = e.params;
        const filters =
          e.method === 'bulkWrite'
            ? (first as Record<string, { filter?: unknown }>[]).map((op) => Object.values(op)[0]!.filter)
            : ['insertOne', 'insertMany'].includes(e.method)
              ? []
              : [first];
        return { collection: e.collectionName, method: e.method, filters };
      }),
  };
}

function byIdAlone(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object' || Object.keys(filter).join() !== '_id') return false;
  const id = (filter as { _id: unknown })._id;
  return typeof id === 'string' || id instanceof mongoose.Types.ObjectId;
}

/** Lookups by `_id` per collection; fails on any filter that is not `{ _id }` alone. */
function lookups(ops: Op[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of ops) {
    for (const f of op.filters) expect(byIdAlone(f), `${op.collection}.${op.method}(${JSON.stringify(f)})`).to.equal(true);
    if (['findOne', 'find'].includes(op.method)) counts[op.collection] = (counts[op.collection] ?? 0) + 1;
  }
  return counts;
}

/** The lookups outside the rate-limit windows, and how many the windows took (bounded, by `_id` too). */
function splitLimits(counts: Record<string, number>): { rest: Record<string, number>; limits: number } {
  const { kernel_hits: hits = 0, kernel_epochs: epochs = 0, ...rest } = counts;
  return { rest, limits: hits + epochs };
}

describe('accounts and billing: every request reads and writes by key', function () {
  this.timeout(60_000);

  it('serves the cabinet’s requests with a bounded number of lookups by _id', async () => {
    const [first, second] = [await seedAccount('sever-gaz'), await seedAccount('sever-gaz')];
    // The balances came after their month's charges, as one entry each, which the fold job leaves
    // (writer.ts FOLD_FROM): a current month is read with two lookups past it, the entry and the
    // number after it.
    const { auth } = await signedInSubscriber('sever-gaz');
    const ref = (number: string) => ({ supplier: 'sever-gaz', number });

    const check = await recording(() => api('/api/v1/t/sever-gaz/accounts/check', { body: ref(first.number), headers: auth }));
    expect(check.result.status).to.equal(200);
    const checked = splitLimits(lookups(check.ops));
    expect(checked.rest).to.deep.equal({ billing_accounts: 1, account_link_lists: 1 });
    expect(checked.limits).to.be.at.most(20);

    const link = await recording(() => api('/api/v1/t/sever-gaz/accounts', { body: ref(first.number), headers: auth }));
    expect(link.result.status).to.equal(201);
    const linked = splitLimits(lookups(link.ops));
    // The list read by the check, then twice by its revision.
    expect(linked.rest).to.deep.equal({ billing_accounts: 1, account_link_lists: 3, billing_current: 1, billing_balances: 2 });
    expect(linked.limits).to.be.at.most(10);
    await api('/api/v1/t/sever-gaz/accounts', { body: ref(second.number), headers: auth });
    const id = link.result.body.id as string;

    const list = await recording(() => api('/api/v1/t/sever-gaz/accounts', { headers: auth }));
    expect(list.result.body.items).to.have.length(2);
    expect(lookups(list.ops)).to.deep.equal({
      account_link_lists: 1,
      billing_accounts: 2,
      billing_current: 2,
      billing_balances: 4,
    });

    const pin = await recording(() => api(`/api/v1/t/sever-gaz/accounts/${id}/pin`, { body: { pin: first.pin }, headers: auth }));
    expect(pin.result.body.mode).to.equal('extended');
    const pinLookups = lookups(pin.ops);
    expect(pinLookups).to.include({ account_link_lists: 3, billing_accounts: 1, billing_current: 1, billing_balances: 2 });
    expect(pinLookups.kernel_hits! + pinLookups.kernel_epochs!).to.be.at.most(20);

    for (const [path, counts] of [
      ['summary', { account_link_lists: 1, billing_accounts: 1, billing_current: 1, billing_balances: 2, billing_past: 1 }],
      ['charges', { account_link_lists: 1, billing_accounts: 1, billing_current: 1, billing_balances: 2, billing_past: 1 }],
      ['meters', { account_link_lists: 1, billing_accounts: 1 }],
    ] as const) {
      const res = await recording(() => api(`/api/v1/t/sever-gaz/accounts/${id}/${path}`, { headers: auth }));
      expect(res.result.status, path).to.equal(200);
      expect(lookups(res.ops), path).to.deep.equal(counts);
    }

    // Readings start from the link and the account, its meters and tariff included: one lookup each.
    const meterId = `${id}:m-${first.number}`;
    for (const [name, run] of [
      ['readings', () => api(`/api/v1/t/sever-gaz/accounts/${id}/readings`, { headers: auth })],
      [
        'preview',
        () =>
          api('/api/v1/t/sever-gaz/readings/preview', {
            body: { accountId: id, readings: [{ meterId, value: '1240' }] },
            headers: auth,
          }),
      ],
    ] as const) {
      const res = await recording(run);
      expect(res.result.status, `${name}: ${JSON.stringify(res.result.body)}`).to.equal(200);
      expect(lookups(res.ops), name).to.deep.equal({ account_link_lists: 1, billing_accounts: 1 });
    }

    const unlink = await recording(() => api(`/api/v1/t/sever-gaz/accounts/${id}`, { method: 'DELETE', headers: auth }));
    expect(unlink.result.status).to.equal(204);
    // A revision of the list: read, and read again under its lease.
    expect(lookups(unlink.ops)).to.deep.equal({ account_link_lists: 2 });
  });

  it('writes an integration batch with lookups by _id only, as many as its items whatever the supplier holds', async () => {
    const numbers = Array.from({ length: 30 }, () => freshNumber());
    const accounts = await recording(() =>
      integrationUpsert(
        'yug-gaz',
        'accounts',
        numbers.map((number) => ({ number, holder: 'Ключев К. К.' })),
      ),
    );
    expect(accounts.result).to.include({ upserted: 30 });
    expect(lookups(accounts.ops)).to.deep.equal({ billing_accounts: 30 });

    const meters = await recording(() =>
      integrationUpsert(
        'yug-gaz',
        'meters',
        numbers.map((accountNumber) => ({ meterId: `m-${accountNumber}`, accountNumber })),
      ),
    );
    expect(meters.result).to.include({ upserted: 30 });
    expect(lookups(meters.ops)).to.deep.equal({ billing_accounts: 30 });

    const balance = (accountNumber: string, paid: number) => ({
      accountNumber,
      period: '2026-10',
      opening: 0,
      charged: 100,
      paid,
      closing: 100 - paid,
    });
    const created = await recording(() =>
      integrationUpsert(
        'yug-gaz',
        'balances',
        numbers.map((n) => balance(n, 0)),
      ),
    );
    expect(created.result).to.include({ upserted: 30 });
    expect(lookups(created.ops)).to.deep.equal({ billing_current: 30, billing_accounts: 30 });
    const updated = await recording(() =>
      integrationUpsert(
        'yug-gaz',
        'balances',
        numbers.map((n) => balance(n, 50)),
      ),
    );
    expect(updated.result).to.include({ modified: 30 });
    expect(
      lookups(updated.ops),
      'an account with a current month is known by it, its past is not read, and a correction is inserted after the balance it holds',
    ).to.deep.equal({ billing_current: 30 });
    expect(updated.ops.filter((o) => o.collection === 'billing_balances').map((o) => o.method)).to.deep.equal(['insertMany']);
  });

  it('imports a CSV of corrections with one lookup by _id a line and one insert of entries a batch, whatever the supplier holds', async () => {
    const tenant = (await getTenantBySlug('yug-gaz'))!;
    const numbers = Array.from({ length: 40 }, () => freshNumber());
    const row = (n: string, paid: number) => `${n},2026-10,0,100,${paid},${100 - paid},0`;
    const file = (paid: number) =>
      Readable.from([
        ['accountNumber,period,opening,charged,paid,closing,penalties', ...numbers.map((n) => row(n, paid))].join('\n'),
      ]);
    await integrationUpsert(
      'yug-gaz',
      'accounts',
      numbers.map((number) => ({ number })),
    );
    expect(await importBillingCsv(tenant, 'balances', file(0), { batchSize: 20 })).to.include({ created: 40 });
    const corrected = await recording(() => importBillingCsv(tenant, 'balances', file(30), { batchSize: 20 }));
    expect(corrected.result).to.include({ imported: 40, changed: 40, failed: 0 });
    expect(lookups(corrected.ops), 'the current month of each line, nothing else').to.deep.equal({ billing_current: 40 });
    expect(corrected.ops.filter((o) => o.collection === 'billing_balances').map((o) => o.method)).to.deep.equal([
      'insertMany',
      'insertMany',
    ]);
  });
});
