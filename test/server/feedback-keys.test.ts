import { expect } from 'chai';
import mongoose from 'mongoose';
import { seedAccount } from '../helpers/billing.ts';
import { operationsDuring } from '../helpers/operations.ts';
import { api, testApp } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

/** What a signed-in person's request touches: the session's cabinet, its links, billing, and the feedback and kernel records. */
const WATCHED = new Set([
  'subscribers',
  'account_link_lists',
  'billing_accounts',
  'billing_current',
  'billing_balances',
  'billing_past',
  'pay_pending',
  'feedback_requests',
  'feedback_changes',
  'feedback_own',
  'kernel_hits',
  'kernel_epochs',
  'kernel_numbers',
]);

interface Op {
  collection: string;
  method: string;
  filter: unknown;
}

/** The operations on the watched collections while `run` runs (the test server shares this process). */
async function recording(run: () => Promise<unknown>): Promise<Op[]> {
  const { ops } = await operationsDuring(run);
  return ops
    .filter((e) => WATCHED.has(e.collectionName))
    .map((e) => ({ collection: e.collectionName, method: e.method, filter: e.params[0] }));
}

function byIdAlone(op: Op): boolean {
  if (['insertOne', 'insertMany'].includes(op.method)) return true;
  const filter = op.filter as Record<string, unknown> | null;
  return (
    !!filter &&
    Object.keys(filter).join() === '_id' &&
    (typeof filter._id === 'string' || filter._id instanceof mongoose.Types.ObjectId)
  );
}

function perCollection(ops: Op[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of ops) counts[op.collection] = (counts[op.collection] ?? 0) + 1;
  return counts;
}

describe('feedback: a signed-in person’s request reads and writes by key', function () {
  this.timeout(60_000);

  it('sends a request about a linked account without reading the cabinet’s accounts, debts or the request back', async () => {
    const account = await seedAccount('sever-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    const linked = await api('/api/v1/t/sever-gaz/accounts', {
      body: { supplier: 'sever-gaz', number: account.number },
      headers: auth,
    });
    expect(linked.status).to.equal(201);
    const body = { topic: 'meters', message: 'Счётчик показывает странные цифры.', accountNumber: account.number };
    // The first request finds the ends of the cabinet's streams; the second is the steady state.
    expect((await api('/api/v1/t/sever-gaz/feedback', { body, headers: auth })).status).to.equal(201);

    let res: { status: number; body: any } | undefined;
    const ops = await recording(async () => {
      res = await api('/api/v1/t/sever-gaz/feedback', { body, headers: auth });
    });
    expect(res!.status, JSON.stringify(res!.body)).to.equal(201);
    expect(res!.body.accountNumber).to.equal(account.number);
    expect(ops.filter((op) => !byIdAlone(op))).to.deep.equal([]);
    const { kernel_hits: hits = 0, kernel_epochs: epochs = 0, ...rest } = perCollection(ops);
    // The cabinet as the session guard read it, its link list, a number, the request, and its entries
    // in the supplier's changes and the cabinet's list (each an insert past the end the first
    // request found).
    expect(rest).to.deep.equal({
      subscribers: 1,
      account_link_lists: 1,
      kernel_numbers: 1,
      feedback_requests: 1,
      feedback_changes: 1,
      feedback_own: 1,
    });
    // The sending limit: the key's epoch, the ends of its two windows, the hit.
    expect(hits + epochs).to.be.at.most(5);
  });

  it('still refuses a signed-in sender over the limit, counted once per request', async () => {
    testApp().feedback.limits.subscriber = { points: 1, windowMs: 60_000 };
    try {
      const { auth } = await signedInSubscriber('sever-gaz');
      const send = () =>
        api('/api/v1/t/sever-gaz/feedback', { body: { topic: 'other', message: 'Лимит кабинета' }, headers: auth });
      expect((await send()).status).to.equal(201);
      const limited = await send();
      expect(limited.status).to.equal(429);
      expect(limited.headers.get('retry-after')).to.match(/^\d+$/);
    } finally {
      testApp().feedback.limits.subscriber = { points: 30, windowMs: 3600_000 };
    }
  });
});
