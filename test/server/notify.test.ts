import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Types } from 'mongoose';
import pino from 'pino';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { dueAt, enrol } from '../../server/db/kernel/expiry.ts';
import { key } from '../../server/db/kernel/keys.ts';
import { claim } from '../../server/db/kernel/leases.ts';
import { Ticket } from '../../server/db/kernel/models.ts';
import { startDevMailbox, type DevMailbox } from '../../server/notify/devmailbox.ts';
import { DevMail, OutboxJob } from '../../server/notify/model.ts';
import {
  attemptWork,
  backoffMs,
  type NotifyOptions,
  deliverDue,
  enqueue,
  messageIdOf,
  OUTBOX_FINISHED,
  OUTBOX_QUEUE,
  OUTBOX_STATS,
  sweepOutbox,
} from '../../server/notify/service.ts';
import { HttpSmsGateway } from '../../server/notify/transports.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { startEndpoint } from '../helpers/endpoint.ts';
import { startMailCatcher, type MailCatcher } from '../helpers/mail.ts';
import { waitFor } from '../helpers/process.ts';
import { api, testApp, testServer } from '../helpers/server.ts';
import { testFiles } from '../helpers/test-module.ts';

async function tenant(slug: string): Promise<TenantDoc> {
  return (await Tenant.findOne({ slug }).lean<TenantDoc>())!;
}

/** The value of one sample on /metrics (0 when the series is not there yet). */
async function metric(series: string): Promise<number> {
  const text = (await api('/metrics')).body as string;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Makes a job due now, as every writer of `nextAttemptAt` does: its queue record first. */
async function dueNow(id: Types.ObjectId | string): Promise<void> {
  const at = new Date();
  await dueAt(OUTBOX_QUEUE, OutboxJob, String(id), at);
  await OutboxJob.updateOne({ _id: id }, { $set: { nextAttemptAt: at } });
}

/** Writes a queued job as `enqueue` does (its queue record first), without the immediate attempt. */
async function queuedJob(fields: { tenantId: Types.ObjectId; to: string; text: string }): Promise<Types.ObjectId> {
  const _id = new Types.ObjectId();
  const at = new Date();
  await dueAt(OUTBOX_QUEUE, OutboxJob, String(_id), at);
  await OutboxJob.create({
    _id,
    tenantId: fields.tenantId,
    kind: 'sms',
    to: fields.to,
    template: 'test.hello',
    payload: { text: fields.text },
    status: 'queued',
    attempts: 0,
    nextAttemptAt: at,
  });
  return _id;
}

/** Every due record, however many other tests left in the queue (the worker takes `DUE_BATCH` a run). */
const deliverAll = () => deliverDue(Infinity);

async function waitUntil(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  if (!(await waitFor(cond, ms, 50))) throw new Error('condition not met in time');
}

describe('notify: outbox, delivery worker, templates, dev mailbox', () => {
  let mail: MailCatcher;
  let previous: NotifyOptions = {};

  before(async () => {
    previous = testApp().notify.settings();
    mail = await startMailCatcher();
    testApp().notify.configure({ smtp: mail.smtp, retry: { maxAttempts: 3, baseDelayMs: 30_000 } });
  });
  after(async () => {
    testApp().notify.configure(previous);
    await mail.stop();
  });

  it('renders a localized, tenant-branded email (HTML and text) with the data escaped and a Reply-To', async () => {
    const yug = await tenant('yug-gaz');
    await enqueue(
      { tenant: yug, lng: 'en' },
      {
        kind: 'email',
        to: 'brand@example.test',
        template: 'test.hello',
        replyTo: 'answers@yug.example',
        data: { n: 1, name: '<b>Ann</b> & co', url: 'https://x.example/?a=1&b=2', code: '123456' },
      },
    );
    const m = await mail.waitForTo('brand@example.test');
    expect(m.subject).to.equal('Confirm your registration 1');
    expect(m.from).to.equal('no-reply@gaskit.localhost');
    expect(m.replyTo).to.equal('answers@yug.example');
    expect(m.html).to.include('#b4440e').and.include('Южгаз (демо)');
    expect(m.html).to.include('Hello &lt;b&gt;Ann&lt;/b&gt; &amp; co').and.not.include('<b>Ann</b>');
    expect(m.html).to.include('href="https://x.example/?a=1&amp;b=2"');
    expect(m.text).to.include('Hello <b>Ann</b> & co').and.include('https://x.example/?a=1&b=2').and.include('123456');
    expect(m.text).to.include('This message was sent automatically');

    const job = await OutboxJob.findOne({ to: 'brand@example.test' }).lean();
    await waitUntil(async () => (await OutboxJob.findById(job!._id).lean())!.status === 'sent');
    const sent = (await OutboxJob.findById(job!._id).lean())!;
    expect(sent.payload).to.equal(undefined);
    expect(sent.subject).to.equal('Confirm your registration 1');
  });

  it('refuses to put a non-http link in a message', async () => {
    const sever = await tenant('sever-gaz');
    let error: unknown;
    try {
      await enqueue(
        { tenant: sever },
        {
          kind: 'email',
          to: 'x@example.test',
          template: 'test.hello',
          data: { n: 2, name: 'x', url: 'javascript:alert(1)', code: '1' },
        },
      );
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.include('refusing a javascript: link');
  });

  it('retries a failed delivery with exponential backoff and delivers once the server is back', async () => {
    testApp().notify.configure({ smtp: { host: '127.0.0.1', port: 1, secure: false, ignoreTLS: true } });
    const sever = await tenant('sever-gaz');
    const { id } = await enqueue(
      { tenant: sever },
      {
        kind: 'email',
        to: 'retry@example.test',
        template: 'test.hello',
        data: { n: 3, name: 'r', url: 'https://x.example', code: '1' },
      },
    );
    await waitUntil(
      async () =>
        (await OutboxJob.findById(id).lean())!.attempts === 1 && (await OutboxJob.findById(id).lean())!.status === 'queued',
    );
    const failed = (await OutboxJob.findById(id).lean())!;
    expect(failed.lastError).to.match(/ECONNREFUSED|connect/);
    const delay = failed.nextAttemptAt!.getTime() - Date.now();
    expect(delay).to.be.within(20_000, 37_000);
    expect(backoffMs(3, { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 3_600_000, leaseMs: 1 })).to.be.within(
      96_000,
      144_000,
    );

    expect(await deliverAll()).to.equal(0);
    testApp().notify.configure({ smtp: mail.smtp });
    await dueNow(id);
    expect(await deliverAll()).to.be.at.least(1);
    expect((await mail.waitForTo('retry@example.test')).subject).to.equal('Подтвердите регистрацию в личном кабинете 3');
    expect((await OutboxJob.findById(id).lean())!).to.include({ status: 'sent', attempts: 2 });
  });

  it('gives up after the last attempt and drops the message body', async () => {
    testApp().notify.configure({ smtp: { host: '127.0.0.1', port: 1, secure: false, ignoreTLS: true } });
    try {
      const { id } = await enqueue(
        { tenant: await tenant('sever-gaz') },
        {
          kind: 'email',
          to: 'never@example.test',
          template: 'test.hello',
          data: { n: 4, name: 'n', url: 'https://x.example', code: '1' },
        },
      );
      await waitUntil(async () => (await OutboxJob.findById(id).lean())!.attempts === 1);
      for (let i = 0; i < 2; i++) {
        await waitUntil(async () => (await OutboxJob.findById(id).lean())!.status === 'queued');
        await dueNow(id);
        await deliverAll();
      }
      const job = (await OutboxJob.findById(id).lean())!;
      expect(job).to.include({ status: 'failed', attempts: 3 });
      expect(job.payload).to.equal(undefined);
      expect(job.nextAttemptAt).to.equal(undefined);
    } finally {
      testApp().notify.configure({ smtp: mail.smtp });
    }
  });

  it('never sends twice when several workers claim the same jobs at once', async () => {
    const sever = await tenant('sever-gaz');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await queuedJob({ tenantId: sever._id, to: `+7999000000${i}`, text: `once ${i}` }));
    const sent: string[] = [];
    testApp().notify.configure({ sms: { send: async (_to, text) => void sent.push(text) } });
    await Promise.all(Array.from({ length: 6 }, () => deliverAll()));
    expect(sent.sort()).to.deep.equal(['once 0', 'once 1', 'once 2']);
    for (const id of ids) expect((await OutboxJob.findById(id).lean())!.status).to.equal('sent');
  });

  it('takes over a job whose worker died holding it, once its lease has run out', async () => {
    const sever = await tenant('sever-gaz');
    const job = { _id: await queuedJob({ tenantId: sever._id, to: '+79990000100', text: 'orphan' }) };
    const dead = (await claim(attemptWork(job._id, 0), 60_000))!;
    const sent: string[] = [];
    testApp().notify.configure({ sms: { send: async (_to, text) => void sent.push(text) } });
    await deliverAll();
    expect(sent).to.deep.equal([]);

    // The lease runs out (its ticket says so), and the worker that found it held looks again then.
    await Ticket.updateOne({ _id: key(attemptWork(job._id, 0), 0) }, { $set: { leaseUntil: new Date(Date.now() - 1) } });
    await deliverDue(Infinity, new Date(Date.now() + testApp().notify.settings().retry!.leaseMs! + 1000));
    expect(sent).to.deep.equal(['orphan']);
    expect(await dead.stillHeld()).to.equal(false);
  });

  it('leaves no claim tickets behind once an attempt is over', async () => {
    const sever = await tenant('sever-gaz');
    const job = { _id: await queuedJob({ tenantId: sever._id, to: '+79990000101', text: 'tidy' }) };
    testApp().notify.configure({ sms: { send: async () => undefined } });
    await Promise.all([deliverAll(), deliverAll(), deliverAll()]);
    expect((await OutboxJob.findById(job._id).lean())!.status).to.equal('sent');
    for (const generation of [0, 1])
      expect(await Ticket.exists({ _id: key(attemptWork(job._id, 0), generation) })).to.equal(null);
  });

  it('sends SMS through the HTTP gateway with its bearer token, the supplier named first, retrying on gateway errors', async () => {
    const gateway = await startEndpoint([503, 200]);
    testApp().notify.configure({ sms: new HttpSmsGateway(gateway.url, 'tok') });
    try {
      const { id } = await enqueue(
        { tenant: await tenant('yug-gaz') },
        { kind: 'sms', to: '+79990000200', template: 'test.hello', data: { n: 5, name: '', url: 'https://x.example', code: '' } },
      );
      await waitUntil(
        async () =>
          (await OutboxJob.findById(id).lean())!.attempts === 1 && (await OutboxJob.findById(id).lean())!.status === 'queued',
      );
      expect((await OutboxJob.findById(id).lean())!.lastError).to.equal('SMS gateway answered 503');
      await dueNow(id);
      await deliverAll();
      expect(gateway.hits).to.have.length(2);
      expect(gateway.hits[1]!.headers.authorization).to.equal('Bearer tok');
      // The supplier's name comes first: the person sees whose message it is.
      expect(JSON.parse(gateway.hits[1]!.body)).to.deep.equal({ to: '+79990000200', text: 'Южгаз (демо): SMS 5' });
    } finally {
      await gateway.close();
    }
  });

  it('posts webhooks as JSON signed with HMAC-SHA256 over the timestamp and body', async () => {
    const hook = await startEndpoint([200]);
    try {
      const { id } = await enqueue(
        { tenant: await tenant('sever-gaz') },
        { kind: 'webhook', url: hook.url, event: 'payment.succeeded', data: { amount: 150000 }, secret: 'whsec' },
      );
      await waitUntil(async () => hook.hits.length === 1);
      const [hit] = hook.hits;
      const signature = String(hit!.headers['x-gaskit-signature']);
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
      expect(v1).to.equal(createHmac('sha256', 'whsec').update(`${t}.${hit!.body}`).digest('hex'));
      expect(hit!.headers['x-gaskit-event']).to.equal('payment.succeeded');
      expect(hit!.headers['x-gaskit-delivery']).to.equal(id);
      expect(JSON.parse(hit!.body))
        .to.include({ event: 'payment.succeeded' })
        .and.deep.include({ data: { amount: 150000 } });
    } finally {
      await hook.close();
    }
  });

  it('sends every attempt of an email with the same Message-ID, taken from its outbox id', async () => {
    // The first copy arrives but the server answers with an error, as when a sender crashes
    // between sending and recording it: the outbox sends again (at least once).
    const copies: string[] = [];
    const flaky = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          void PostalMime.parse(Buffer.concat(chunks)).then((m) => {
            copies.push(m.messageId ?? '');
            callback(copies.length === 1 ? Object.assign(new Error('try again later'), { responseCode: 451 }) : null);
          });
        });
      },
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', () => resolve()));
    testApp().notify.configure({
      smtp: { host: '127.0.0.1', port: (flaky.server.address() as AddressInfo).port, secure: false, ignoreTLS: true },
    });
    try {
      const { id } = await enqueue(
        { tenant: await tenant('sever-gaz') },
        {
          kind: 'email',
          to: 'twice@example.test',
          template: 'test.hello',
          data: { n: 6, name: 't', url: 'https://x.example', code: '1' },
        },
      );
      await waitUntil(async () => (await OutboxJob.findById(id).lean())!.status === 'queued' && copies.length === 1);
      await dueNow(id);
      await deliverAll();
      expect((await OutboxJob.findById(id).lean())!).to.include({ status: 'sent', attempts: 2 });
      expect(messageIdOf(id)).to.equal(`<outbox.${id}@gaskit.localhost>`);
      expect(copies).to.deep.equal([messageIdOf(id), messageIdOf(id)]);
    } finally {
      testApp().notify.configure({ smtp: mail.smtp });
      await new Promise<void>((resolve) => flaky.close(() => resolve()));
    }
  });

  it('sends a burst over one pool of at most maxConnections SMTP connections, delivering that many jobs at a time', async () => {
    const held: (() => void)[] = [];
    let releasing = false;
    const slow = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => (releasing ? callback() : held.push(() => callback())));
      },
    });
    let connections = 0;
    slow.on('connect', () => (connections += 1));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
    const smtp = {
      host: '127.0.0.1',
      port: (slow.server.address() as AddressInfo).port,
      secure: false,
      ignoreTLS: true as const,
    };
    testApp().notify.configure({ smtp, smtpPool: { maxConnections: 2, maxMessages: 100 } });
    try {
      const sever = await tenant('sever-gaz');
      const ids = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          enqueue(
            { tenant: sever },
            {
              kind: 'email',
              to: `burst${i}@example.test`,
              template: 'test.hello',
              data: { n: i, name: 'b', url: 'https://x.example', code: '1' },
            },
          ).then((j) => j.id),
        ),
      );
      await waitUntil(async () => held.length === 2);
      const states = await Promise.all(ids.map(async (id) => (await OutboxJob.findById(id).lean())!.status));
      expect(states.filter((s) => s === 'sending')).to.have.length(2);
      expect(states.filter((s) => s === 'queued')).to.have.length(10);
      releasing = true;
      for (const release of held.splice(0)) release();
      await waitUntil(async () =>
        (await Promise.all(ids.map((id) => OutboxJob.findById(id).lean()))).every((j) => j!.status === 'sent'),
      );
      expect(connections).to.be.within(1, 2);
    } finally {
      testApp().notify.configure({ smtp: mail.smtp, smtpPool: { maxConnections: 5, maxMessages: 100 } });
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('reports outbox depth, the oldest job age and failed attempts on /metrics without scanning the outbox per scrape', async () => {
    const sever = await tenant('sever-gaz');
    await testServer().app.runWorker(OUTBOX_STATS);
    const depthBefore = await metric('gaskit_outbox_depth');
    // Three messages whose gateway has not answered yet: unfinished while they are being sent.
    const held: (() => void)[] = [];
    testApp().notify.configure({ sms: { send: () => new Promise<void>((resolve) => held.push(resolve)) } });
    const data = { n: 8, name: '', url: 'https://x.example', code: '' };
    const ids = await Promise.all(
      [0, 1, 2].map(
        async (i) => (await enqueue({ tenant: sever }, { kind: 'sms', to: `+7999000040${i}`, template: 'test.hello', data })).id,
      ),
    );
    await waitUntil(async () => held.length === 3);
    await OutboxJob.collection.updateOne(
      { _id: new Types.ObjectId(ids[0]) },
      { $set: { createdAt: new Date(Date.now() - 4 * 24 * 3600_000) } },
    );
    // Until the stats job counts again, a scrape reports its last count.
    expect(await metric('gaskit_outbox_depth')).to.equal(depthBefore);
    await testServer().app.runWorker(OUTBOX_STATS);
    expect(await metric('gaskit_outbox_depth')).to.equal(depthBefore + 3);
    expect(await metric('gaskit_outbox_oldest_job_age_seconds')).to.be.at.least(4 * 24 * 3600);
    // Delivered, they are counted no more.
    for (const release of held.splice(0)) release();
    await waitUntil(async () =>
      (await Promise.all(ids.map((id) => OutboxJob.findById(id).lean()))).every((j) => j!.status === 'sent'),
    );
    await testServer().app.runWorker(OUTBOX_STATS);
    expect(await metric('gaskit_outbox_depth')).to.equal(depthBefore);

    const failuresBefore = await metric('gaskit_outbox_attempt_failures_total{kind="sms"}');
    testApp().notify.configure({
      sms: {
        send: () => Promise.reject(new Error('gateway down')),
      },
    });
    const { id } = await enqueue(
      { tenant: sever },
      { kind: 'sms', to: '+79990000499', template: 'test.hello', data: { n: 7, name: '', url: 'https://x.example', code: '' } },
    );
    await waitUntil(
      async () =>
        (await OutboxJob.findById(id).lean())!.status === 'queued' && (await OutboxJob.findById(id).lean())!.attempts === 1,
    );
    expect(await metric('gaskit_outbox_attempt_failures_total{kind="sms"}')).to.equal(failuresBefore + 1);
  });

  it('sweeps jobs finished more than a month ago, the earlier version’s too, and keeps newer ones', async () => {
    const sever = await tenant('sever-gaz');
    const finished = (expiresAt?: Date) => ({
      _id: new Types.ObjectId(),
      tenantId: sever._id,
      kind: 'sms' as const,
      to: '+79990000300',
      template: 'x',
      subject: '',
      status: 'sent' as const,
      attempts: 1,
      createdAt: new Date(Date.now() - 31 * 24 * 3600_000),
      updatedAt: new Date(Date.now() - 31 * 24 * 3600_000),
      ...(expiresAt ? { expiresAt } : {}),
    });
    // Finished as a worker finishes a job: its expiry registered first.
    const old = finished(new Date(Date.now() - 1000));
    const recent = finished(new Date(Date.now() + 29 * 24 * 3600_000));
    for (const job of [old, recent]) await dueAt(OUTBOX_FINISHED, OutboxJob, String(job._id), job.expiresAt!);
    // Finished by the earlier version a month ago, without an expiry: enrolled once (a schedule's first sweep, or a migration).
    const earlier = finished();
    await OutboxJob.collection.insertMany([old, recent, earlier]);
    expect(await enrol(OUTBOX_FINISHED)).to.be.at.least(1);

    expect(await sweepOutbox()).to.be.at.least(2);
    expect(await OutboxJob.exists({ _id: old._id })).to.equal(null);
    expect(await OutboxJob.exists({ _id: earlier._id })).to.equal(null);
    expect(await OutboxJob.exists({ _id: recent._id })).to.not.equal(null);
  });

  describe('dev mailbox (demo mode)', () => {
    let box: DevMailbox;
    before(async () => {
      box = await startDevMailbox(pino({ level: 'silent' }));
      testApp().notify.configure({
        smtp: { host: '127.0.0.1', port: box.port, secure: false, ignoreTLS: true },
        sms: box.sms,
        devMailbox: true,
      });
    });
    after(async () => {
      testApp().notify.configure({ smtp: mail.smtp, sms: null });
      await box.stop();
    });

    it('catches mail and SMS and lists them newest first as JSON and as a page with clickable links', async () => {
      const sever = await tenant('sever-gaz');
      await enqueue(
        { tenant: sever },
        {
          kind: 'email',
          to: 'Dev@Example.test',
          template: 'test.hello',
          data: { n: 6, name: 'dev', url: 'https://x.example/confirm?t=1', code: '42' },
        },
      );
      await waitUntil(async () => (await DevMail.countDocuments({ to: 'dev@example.test' })) === 1);
      await enqueue({ tenant: sever }, { kind: 'sms', to: '+79990000400', template: 'test.hello', data: { n: 7 } });
      await waitUntil(async () => (await DevMail.countDocuments({ to: '+79990000400' })) === 1);

      const list = await api('/dev/mailbox.json');
      expect(list.status).to.equal(200);
      const [sms, email] = list.body;
      expect(sms).to.include({ kind: 'sms', to: '+79990000400', text: 'Северогаз (демо): SMS 7', subject: '' });
      expect(email).to.include({ kind: 'email', to: 'dev@example.test', subject: 'Подтвердите регистрацию в личном кабинете 6' });
      expect(email.html).to.include('<a href="https://x.example/confirm?t=1"');
      expect(Date.parse(email.sentAt)).to.be.at.most(Date.parse(sms.sentAt));
      expect(Object.keys(email).sort()).to.deep.equal(['attachments', 'html', 'kind', 'sentAt', 'subject', 'text', 'to']);
      expect(email.attachments).to.deep.equal([]);

      const only = await api('/dev/mailbox.json?to=dev@example.test');
      expect(only.body.map((m: { to: string }) => m.to)).to.deep.equal(['dev@example.test']);

      const page = await api('/dev/mailbox');
      expect(page.headers.get('content-type')).to.match(/^text\/html/);
      expect(page.body).to.include('<a href="https://x.example/confirm?t=1">https://x.example/confirm?t=1</a>');
    });

    it('takes an email with attachments of several megabytes and lists their names, types and sizes', async () => {
      const photo = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(3 * 1024 * 1024, 7)]);
      testFiles.set('photo', { filename: 'счётчик.png', content: photo, contentType: 'image/png' });
      await enqueue(
        { tenant: await tenant('sever-gaz') },
        {
          kind: 'email',
          to: 'files@example.test',
          template: 'test.hello',
          data: { n: 8, name: 'files', url: 'https://x.example/files', code: '8' },
          attachments: [
            { source: 'test-file', id: 'photo' },
            { source: 'test-file', id: 'gone' },
          ],
        },
      );
      await waitUntil(async () => (await DevMail.countDocuments({ to: 'files@example.test' })) === 1);
      const [email] = (await api('/dev/mailbox.json?to=files@example.test')).body;
      expect(email.attachments).to.deep.equal([{ filename: 'счётчик.png', type: 'image/png', size: photo.length }]);
      expect((await api('/dev/mailbox')).body).to.include(`Attached: счётчик.png (image/png, ${photo.length} bytes)`);
    });

    it('is not there outside demo mode', async () => {
      testApp().notify.configure({ devMailbox: false });
      try {
        expect((await api('/dev/mailbox.json')).status).to.equal(404);
        expect((await api('/dev/mailbox')).status).to.equal(404);
      } finally {
        testApp().notify.configure({ devMailbox: true });
      }
    });
  });
});
