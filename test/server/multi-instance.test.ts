import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { startEmbeddedDb, type EmbeddedDb } from '../../server/db/embedded.ts';
import { freshNumber } from '../helpers/billing.ts';
import { linkParam, startMailCatcher, type CaughtMail, type MailCatcher } from '../helpers/mail.ts';
import { card, idempotencyKey } from '../helpers/payments.ts';
import { spawnServer, waitFor, type ServerProcess } from '../helpers/process.ts';
import { startReverseProxy, type ReverseProxy } from '../helpers/proxy.ts';
import { requestFrom, testServer } from '../helpers/server.ts';

const SLUG = 'sever-gaz';
const T = `/api/v1/t/${SLUG}`;
const SUBSCRIBERS = 100;
/** Subscribers at work at a time: the machine has two cores for the test, two servers and the database. */
const CONCURRENCY = 8;
const BILLING = { Authorization: `Bearer demo-${SLUG}` };

interface Reply {
  status: number;
  body: any;
  /** Seconds of a Retry-After header, when the reply has one. */
  retryAfter?: number;
}

/**
 * One request through the proxy from `clientIp` (a loopback address of its own, so per-IP limits
 * count each subscriber apart, as behind a real balancer). A 502 means the instance that had the
 * request died: requests that carry an Idempotency-Key are sent again, as a client would retry.
 */
function call(base: string, clientIp: string, pathname: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const once = async (): Promise<Reply> => {
    const { status, body, headers } = await requestFrom(clientIp, new URL(pathname, base).href, init);
    const retryAfter = Number(headers['retry-after']);
    return { status, body, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}) };
  };
  // A client retries a write it gave an Idempotency-Key: at once after a 502 (the proxy lost its
  // instance), after a pause while another attempt holds the key (409 idempotency_in_progress;
  // a dead instance's hold ends after 30 s), and after the Retry-After of a 503 (the survivor lost
  // its database connection for a moment while the machine was loaded by the kill).
  const retry = Boolean(init.headers?.['Idempotency-Key']);
  return (async () => {
    for (let tries = 1; ; tries++) {
      const reply = await once();
      const held =
        reply.status === 409 && (reply.body as { error?: { code?: string } }).error?.code === 'idempotency_in_progress';
      const unavailable = reply.status === 503 && reply.retryAfter !== undefined;
      if (!retry || tries === 60 || (reply.status !== 502 && !held && !unavailable)) return reply;
      if (held) await new Promise((r) => setTimeout(r, 1000));
      if (unavailable) await new Promise((r) => setTimeout(r, reply.retryAfter! * 1000));
    }
  })();
}

/** Runs `work` for each item, `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

function expectStatus(reply: Reply, status: number, what: string): void {
  if (reply.status !== status) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
}

interface Subscriber {
  ip: string;
  email: string;
  number: string;
  token?: string;
  accountId?: string;
  meterId?: string;
}

/** Every entry of an export stream, read a page at a time from cursor 0 through the integration API. */
async function readExport(base: string, kind: 'readings' | 'payments'): Promise<{ seq: number; id: string }[]> {
  const entries: { seq: number; id: string }[] = [];
  let cursor = '0';
  for (;;) {
    const page = await call(base, '127.0.0.1', `${T}/integration/export/${kind}?limit=100&cursor=${cursor}`, {
      headers: BILLING,
    });
    expectStatus(page, 200, `export ${kind}`);
    for (const item of page.body.items as { seq: number; id?: string; paymentId?: string }[])
      entries.push({ seq: item.seq, id: String(item.id ?? item.paymentId) });
    cursor = page.body.cursor as string;
    if (!page.body.hasMore) return entries;
  }
}

function expectGapFree(entries: { seq: number; id: string }[], what: string): void {
  expect(
    entries.map((e) => e.seq),
    `${what}: seqs`,
  ).to.deep.equal(entries.map((_, i) => i + 1));
  expect(new Set(entries.map((e) => e.id)).size, `${what}: each entry once`).to.equal(entries.length);
}

/**
 * Two server processes on one database behind a round-robin proxy (issue 15): the outbox, the
 * periodic jobs and the export streams stay exact when two instances share the work, and when
 * one of them is killed in the middle of it.
 */
describe('several instances on one database', function () {
  this.timeout(240_000);
  let dataDir: string;
  let db: EmbeddedDb;
  let mail: MailCatcher;
  const servers: ServerProcess[] = [];
  let proxy: ReverseProxy;
  let data: mongoose.Connection;
  const subscribers: Subscriber[] = [];
  const readingIds = new Set<string>();
  const paymentIds = new Set<string>();

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-multi-'));
    db = await startEmbeddedDb({ dataDir, cacheDir: testServer().config.cacheDir, log: () => undefined });
    mail = await startMailCatcher();
    data = await mongoose.createConnection(db.uri).asPromise();
    const env = {
      MONGODB_URI: db.uri,
      GASKIT_DEMO: '1',
      SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
      TRUST_PROXY: 'loopback',
      GASKIT_LEASE_MS: '5000',
    };
    // The first instance seeds the demo suppliers; the second starts on the seeded database.
    servers.push(await spawnServer(env));
    // Registration without the captcha (its proof of work would take the test's two cores) and
    // readings taken any day of the month: the supplier's settings, written as an operator would.
    await data
      .collection('tenants')
      .updateOne(
        { slug: SLUG },
        { $set: { 'registration.captcha': false, 'readings.windowStartDay': 1, 'readings.windowEndDay': 31 } },
      );
    servers.push(await spawnServer(env));
    // Each instance keeps a supplier's settings for a few seconds: wait until both serve the new ones.
    const settled = await waitFor(
      async () => {
        const configs = await Promise.all(servers.map((s) => call(`http://127.0.0.1:${s.port}`, '127.0.0.1', `${T}/config`)));
        return configs.every(
          (c) => c.status === 200 && c.body.registration.captcha === false && c.body.readings.windowEndDay === 31,
        );
      },
      30_000,
      500,
    );
    expect(settled, 'both instances serve the changed settings').to.equal(true);
    proxy = await startReverseProxy({ upstreams: servers.map((s) => `http://127.0.0.1:${s.port}`) });
    for (let i = 0; i < SUBSCRIBERS; i++)
      subscribers.push({ ip: `127.0.1.${i + 1}`, email: `multi-${i}-${Date.now()}@example.test`, number: freshNumber() });
    const billing = async (kind: string, items: unknown[]) =>
      expectStatus(
        await call(proxy.url, '127.0.0.1', `${T}/integration/${kind}`, { body: { items }, headers: BILLING }),
        200,
        kind,
      );
    await billing(
      'accounts',
      subscribers.map((s) => ({ number: s.number, holder: 'Многоэкземплярный Иван Иванович', address: 'ул. Тестовая, 1' })),
    );
    await billing(
      'meters',
      subscribers.map((s) => ({
        meterId: `m-${s.number}`,
        accountNumber: s.number,
        serialNumber: `SN${s.number}`,
        digits: 5,
        decimals: 0,
        lastReading: 1000,
        tariff: 850,
      })),
    );
    await billing(
      'balances',
      subscribers.map((s) => ({
        accountNumber: s.number,
        period: '2026-10',
        opening: 0,
        charged: 150_000,
        paid: 0,
        closing: 150_000,
        penalties: 0,
      })),
    );
  });

  after(async () => {
    await proxy?.close();
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    await data?.close();
    await mail?.stop();
    await db?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const ask = (s: Subscriber, pathname: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(proxy.url, s.ip, `${T}/${pathname}`, {
      ...(body === undefined ? {} : { body }),
      headers: { ...(s.token ? { Authorization: `Bearer ${s.token}` } : {}), ...headers },
    });

  async function submitReading(s: Subscriber, value: number): Promise<Reply> {
    const reply = await ask(
      s,
      'readings',
      { accountId: s.accountId, readings: [{ meterId: s.meterId, value }] },
      { 'Idempotency-Key': idempotencyKey() },
    );
    if (reply.status === 201) readingIds.add(String(reply.body.readings[0].id));
    return reply;
  }

  async function pay(s: Subscriber, amount: number): Promise<{ id: string; status: string }> {
    const created = await ask(
      s,
      'payments',
      { items: [{ accountId: s.accountId, amount, penalties: 0 }] },
      { 'Idempotency-Key': idempotencyKey() },
    );
    expectStatus(created, 201, 'payment');
    const id = String(created.body.payment.id);
    const confirmed = await ask(s, `payments/${id}/demo/confirm`, card('4242424242424242'), {
      'Idempotency-Key': idempotencyKey(),
    });
    expectStatus(confirmed, 200, 'confirm');
    if (confirmed.body.status === 'succeeded') paymentIds.add(id);
    return { id, status: confirmed.body.status as string };
  }

  /** The outbox as stored, and the copies of each of its emails that reached the SMTP server. */
  async function outbox() {
    const jobs = await data
      .collection<{ _id: mongoose.Types.ObjectId; kind: string; status: string; attempts: number; to: string }>('outbox')
      .find({})
      .toArray();
    const copies = new Map<string, CaughtMail[]>();
    for (const m of mail.messages) copies.set(m.messageId, [...(copies.get(m.messageId) ?? []), m]);
    return { jobs, copies, messageId: (id: mongoose.Types.ObjectId) => `<outbox.${String(id)}@gaskit.localhost>` };
  }

  it('serves 100 subscribers from two instances: each mail once, exports gap-free, each job run by one instance', async () => {
    await eachLimited(subscribers, CONCURRENCY, async (s) => {
      const registered = await ask(s, 'auth/register', {
        login: s.email,
        password: 'abc12',
        passwordRepeat: 'abc12',
        consent: true,
      });
      expectStatus(registered, 202, 'register');
      const confirmation = await mail.waitForTo(s.email, 60_000);
      expectStatus(await ask(s, 'auth/confirm', { token: linkParam(confirmation, 'gaskit-confirm') }), 200, 'confirm');
      const signed = await ask(s, 'auth/login', { login: s.email, password: 'abc12' });
      expectStatus(signed, 200, 'login');
      s.token = signed.body.token as string;
      const linked = await ask(s, 'accounts', { supplier: SLUG, number: s.number });
      expectStatus(linked, 201, 'link');
      s.accountId = String(linked.body.id);
      const meters = await ask(s, `accounts/${s.accountId}/meters`);
      s.meterId = String(meters.body.items[0].id);
      expectStatus(await submitReading(s, 1010), 201, 'reading');
      expect((await pay(s, 50_000)).status).to.equal('succeeded');
      expectStatus(await ask(s, 'auth/password/forgot', { login: s.email }), 202, 'forgot');
    });
    expect(proxy.served.every((n) => n > 0)).to.equal(true);

    for (const s of subscribers) await mail.waitFor((m) => m.to.includes(s.email) && m.text.includes('gaskit-reset'), 60_000);
    // Each payment's follow-up (its receipt's email, its export entry) runs after the card's answer.
    await waitFor(
      async () =>
        (await data
          .collection<{ _id: string; fulfilment: string }>('pay_payments')
          .countDocuments({ _id: { $in: [...paymentIds] }, fulfilment: 'done' })) === paymentIds.size,
      60_000,
      250,
    );
    await waitFor(async () => (await outbox()).jobs.every((j) => j.status === 'sent'), 60_000, 250);
    const { jobs, copies, messageId } = await outbox();
    const emails = jobs.filter((j) => j.kind === 'email');
    expect(emails.length).to.be.at.least(2 * SUBSCRIBERS);
    expect(emails.filter((j) => j.status !== 'sent' || j.attempts !== 1)).to.deep.equal([]);
    expect(emails.filter((j) => copies.get(messageId(j._id))?.length !== 1).map((j) => j.to)).to.deep.equal([]);
    expect(mail.messages).to.have.length(emails.length);

    const readings = await readExport(proxy.url, 'readings');
    expectGapFree(readings, 'readings export');
    expect(readings.filter((e) => readingIds.has(e.id))).to.have.length(SUBSCRIBERS);
    const payments = await readExport(proxy.url, 'payments');
    expectGapFree(payments, 'payments export');
    expect(payments.filter((e) => paymentIds.has(e.id))).to.have.length(SUBSCRIBERS);

    // Each periodic run holds the first ticket of its job's slice of the clock; a later ticket of
    // the same slice is a claimer that came after the run and stepped aside (its lease ended at once).
    const tickets = await data
      .collection<{ _id: string; generation: number; leaseUntil: Date }>('kernel_tickets')
      .find({ work: { $regex: '^job:' } })
      .toArray();
    expect(tickets.filter((t) => t.generation === 0).length).to.be.greaterThan(0);
    expect(tickets.filter((t) => t.generation > 0 && t.leaseUntil.getTime() !== 0)).to.deep.equal([]);
  });

  it('finishes the work of an instance killed with SIGKILL mid-run and loses nothing', async () => {
    const wave = subscribers.slice(0, 40);
    const newcomers: Subscriber[] = Array.from({ length: 40 }, (_, i) => ({
      ip: `127.0.2.${i + 1}`,
      email: `late-${i}-${Date.now()}@example.test`,
      number: freshNumber(),
    }));
    const registered: Subscriber[] = [];
    const unconfirmed: string[] = [];
    const before = mail.messages.length;
    const [victim, survivor] = servers as [ServerProcess, ServerProcess];
    const killed = (async () => {
      await waitFor(() => mail.messages.length >= before + 5, 60_000, 20);
      victim.child.kill('SIGKILL');
      await victim.exited;
    })();
    await eachLimited(wave, CONCURRENCY, async (s, i) => {
      const reading = await submitReading(s, 1020);
      // A request cut off by the kill after it stored the value is refused on retry as counted
      // already (409 reading_duplicate): an answer, never an acknowledgement of something not stored.
      if (reading.status === 409) expect(reading.body.error?.code, 'reading').to.equal('reading_duplicate');
      else expect([201, 502], 'reading').to.include(reading.status);
      const payment = await pay(s, 10_000);
      // The demo provider's events live in the request: one cut off by the kill leaves its payment
      // processing, where Stripe would deliver the webhook again.
      if (payment.status !== 'succeeded') unconfirmed.push(payment.id);
      const newcomer = newcomers[i]!;
      // Registering again is harmless (it never says whether the login exists), so a client may retry.
      let answer = await ask(newcomer, 'auth/register', {
        login: newcomer.email,
        password: 'abc12',
        passwordRepeat: 'abc12',
        consent: true,
      });
      if (answer.status === 502)
        answer = await ask(newcomer, 'auth/register', {
          login: newcomer.email,
          password: 'abc12',
          passwordRepeat: 'abc12',
          consent: true,
        });
      if (answer.status === 202) registered.push(newcomer);
      else expect(answer.status, 'register').to.equal(502);
    });
    await killed;
    expect(survivor.child.exitCode).to.equal(null);

    // The survivor takes over what the dead instance held once its leases run out (GASKIT_LEASE_MS,
    // 5 s here: outbox attempts and payment fulfilments alike) and its jobs come round again.
    let payments: { seq: number; id: string }[] = [];
    await waitFor(
      async () =>
        (payments = await readExport(proxy.url, 'payments')).filter((e) => paymentIds.has(e.id)).length === paymentIds.size,
      150_000,
      1000,
    );
    await waitFor(async () => (await outbox()).jobs.every((j) => j.status === 'sent'), 60_000, 250);
    const { jobs, copies, messageId } = await outbox();
    expect(jobs.filter((j) => j.status !== 'sent')).to.deep.equal([]);
    // At least once: a copy may arrive twice only when its first sender died before recording it,
    // and then both carry the job's Message-ID.
    for (const j of jobs.filter((job) => job.kind === 'email')) {
      const n = copies.get(messageId(j._id))?.length ?? 0;
      expect(n, `copies of ${j.to}`).to.be.within(1, j.attempts);
    }
    const known = new Set(jobs.map((j) => messageId(j._id)));
    expect(mail.messages.filter((m) => !known.has(m.messageId))).to.deep.equal([]);
    expect(registered.length).to.be.greaterThan(0);
    for (const s of registered)
      expect(
        mail.messages.filter((m) => m.to.includes(s.email)),
        s.email,
      ).to.not.deep.equal([]);

    const readings = await readExport(proxy.url, 'readings');
    expectGapFree(readings, 'readings export');
    expect(readings.filter((e) => readingIds.has(e.id))).to.have.length(readingIds.size);
    expectGapFree(payments, 'payments export');
    expect(payments.filter((e) => paymentIds.has(e.id))).to.have.length(paymentIds.size);
    expect(paymentIds.size + unconfirmed.length).to.equal(SUBSCRIBERS + wave.length);
    expect(payments.filter((e) => unconfirmed.includes(e.id))).to.deep.equal([]);
  });
});
