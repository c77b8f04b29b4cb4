import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { SubscriberCtx } from '../../server/http/context.ts';
import { DomainError } from '../../server/http/errors.ts';
import { idempotent, sweepIdempotencyKeys } from '../../server/http/idempotency.ts';
import { translator } from '../../server/i18n/index.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';

async function ctxOf(subscriberId = String(new Types.ObjectId())): Promise<SubscriberCtx> {
  return {
    tenant: await getTenantBySlug('sever-gaz'),
    requestId: 'test',
    lng: 'ru',
    t: translator('ru'),
    subscriberId,
    sessionHash: 'test',
  };
}

const newKey = () => randomBytes(12).toString('hex');

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(DomainError);
  return err as DomainError;
}

describe('readings: the Idempotency-Key helper', () => {
  it('runs concurrent duplicates once: the others replay the result or are told it is in progress', async () => {
    const ctx = await ctxOf();
    const key = newKey();
    let runs = 0;
    const run = async () => {
      runs += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return { id: `result-${runs}` };
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () => idempotent(ctx, { scope: 'test', key, request: { a: 1 } }, run)),
    );
    expect(runs).to.equal(1);
    for (const o of outcomes) {
      if (o.status === 'fulfilled') expect(o.value.result).to.deep.equal({ id: 'result-1' });
      else expect((o.reason as DomainError).code).to.equal('idempotency_in_progress');
    }
    const replay = await idempotent(ctx, { scope: 'test', key, request: { a: 1 } }, run);
    expect(replay).to.deep.equal({ result: { id: 'result-1' }, replayed: true });
    expect(runs).to.equal(1);
  });

  it('refuses the same key with another request body', async () => {
    const ctx = await ctxOf();
    const key = newKey();
    await idempotent(ctx, { scope: 'test', key, request: { a: 1 } }, async () => 'first');
    const err = await failure(idempotent(ctx, { scope: 'test', key, request: { a: 2 } }, async () => 'second'));
    expect(err).to.include({ kind: 'rule', code: 'idempotency_key_reused' });
  });

  it('keeps keys apart per subscriber and per endpoint', async () => {
    const key = newKey();
    const a = await idempotent(await ctxOf(), { scope: 'test', key, request: {} }, async () => 'a');
    const b = await idempotent(await ctxOf(), { scope: 'test', key, request: {} }, async () => 'b');
    const ctx = await ctxOf();
    const c = await idempotent(ctx, { scope: 'one', key, request: {} }, async () => 'c');
    const d = await idempotent(ctx, { scope: 'two', key, request: {} }, async () => 'd');
    expect([a, b, c, d].map((r) => r.result)).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('remembers nothing of a request that failed, so its retry runs', async () => {
    const ctx = await ctxOf();
    const key = newKey();
    await failure(
      idempotent(ctx, { scope: 'test', key, request: {} }, async () => {
        throw new DomainError('rule', 'reading_below_last');
      }),
    );
    const retry = await idempotent(ctx, { scope: 'test', key, request: {} }, async () => 'stored');
    expect(retry).to.deep.equal({ result: 'stored', replayed: false });
  });

  it('reads beside the claim: a replay answers as stored whatever the check finds now, a refusal gives the key back', async () => {
    const ctx = await ctxOf();
    const key = newKey();
    const order: string[] = [];
    const first = await idempotent(
      ctx,
      {
        scope: 'test',
        key,
        request: {},
        beside: (async () => {
          order.push('check');
          return 41;
        })(),
      },
      async (checked) => {
        order.push('run');
        return checked + 1;
      },
    );
    expect(first).to.deep.equal({ result: 42, replayed: false });
    expect(order).to.deep.equal(['check', 'run']);
    // The account was unlinked since: the check refuses, the replay still answers as the first run did.
    const refusing = Promise.reject(new DomainError('not_found', 'account_not_linked'));
    const replay = await idempotent(ctx, { scope: 'test', key, request: {}, beside: refusing }, async () => {
      throw new Error('a replay runs nothing');
    });
    expect(replay).to.deep.equal({ result: 42, replayed: true });

    // A fresh key whose check refuses: the refusal is the answer, and the key is given back.
    const other = newKey();
    const err = await failure(
      idempotent(
        ctx,
        { scope: 'test', key: other, request: {}, beside: Promise.reject(new DomainError('rule', 'window_closed')) },
        async () => 'never',
      ),
    );
    expect(err).to.include({ kind: 'rule', code: 'window_closed' });
    const retry = await idempotent(
      ctx,
      { scope: 'test', key: other, request: {}, beside: Promise.resolve('open') },
      async (c) => c,
    );
    expect(retry).to.deep.equal({ result: 'open', replayed: false });
  });

  it('forgets keys once they expire', async () => {
    const ctx = await ctxOf();
    const key = newKey();
    await idempotent(ctx, { scope: 'test', key, request: {} }, async () => 'first');
    expect(await sweepIdempotencyKeys(new Date(Date.now() + 25 * 3600 * 1000))).to.be.greaterThan(0);
    const again = await idempotent(ctx, { scope: 'test', key, request: {} }, async () => 'second');
    expect(again).to.deep.equal({ result: 'second', replayed: false });
  });
});
