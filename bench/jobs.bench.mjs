/**
 * Background jobs at data size, on the embedded database (FerretDB v1, SQLite): what one run of
 * the frequent jobs costs with `JOBS_DOCS` sessions and as many finished outbox jobs stored
 * (default 30,000: the api-scale bench's sessions at API_SCALE=0.1) and nothing due. Beside each
 * run, the filter the earlier version's job made (a date field: FerretDB v1 decodes the whole
 * collection), measured on the same data; and the cost a request pays for the keyed runs (one
 * registration of a due time) beside the raw driver's `_id` lookup and insert on the same database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import pino from 'pino';
import { register } from 'tsx/esm/api';
import { percentile } from './measure.mjs';

const DOCS = Number(process.env.JOBS_DOCS ?? 30_000);
if (!(Number.isInteger(DOCS) && DOCS > 0))
  throw new Error(`JOBS_DOCS must be a positive whole number, not ${process.env.JOBS_DOCS}`);
const RUNS = 7;
const WRITES = 200;
const DAY = 86_400_000;

async function timed(fn, runs = RUNS) {
  const ms = [];
  for (let i = 0; i < runs; i += 1) {
    const t = process.hrtime.bigint();
    await fn(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return percentile(ms, 0.5);
}

export default async function jobsBench({ root }) {
  const loadBefore = os.loadavg()[0];
  const unregister = register();
  const load = (...parts) => import(pathToFileURL(join(root, 'server', ...parts)).href);
  const dir = mkdtempSync(join(os.tmpdir(), 'gaskit-bench-jobs-'));
  try {
    const { loadConfig } = await load('config.ts');
    const { connectDb, disconnectDb } = await load('db', 'connection.ts');
    const { startEmbeddedDb } = await load('db', 'embedded.ts');
    const { dueAt, expiry } = await load('db', 'kernel', 'expiry.ts');
    const { Session } = await load('auth', 'session-model.ts');
    const { sweepSessions } = await load('auth', 'sessions.ts');
    const { OutboxJob } = await load('notify', 'model.ts');
    const { countOutbox, deliverDue, sweepOutbox } = await load('notify', 'service.ts');
    const { appContextOf } = await load('bootstrap.ts');
    const { runInApp } = await load('app-context.ts');
    const config = loadConfig({ ...process.env, GASKIT_DATA_DIR: dir });
    const db = await startEmbeddedDb({ dataDir: dir, cacheDir: config.cacheDir, log: () => undefined });
    try {
      await connectDb(db.uri);
      // Delivery reads its transports and retry policy from the app it runs in, as in the server's worker.
      const app = appContextOf(config, pino({ level: 'silent' }));
      const now = Date.now();
      const tenantId = randomBytes(12).toString('hex');
      for (let i = 0; i < DOCS; i += 1000) {
        const n = Math.min(1000, DOCS - i);
        await Session.collection.insertMany(
          Array.from({ length: n }, (_, k) => ({
            _id: randomBytes(32).toString('hex'),
            realm: 'bench',
            generation: 0,
            expiresAt: new Date(now + ((i + k) % 30) * DAY + 3600_000),
          })),
        );
        await OutboxJob.collection.insertMany(
          Array.from({ length: n }, (_, k) => ({
            tenantId,
            kind: 'sms',
            to: '+79990000000',
            template: 'bench',
            subject: '',
            status: 'sent',
            attempts: 1,
            sentAt: new Date(now - ((i + k) % 29) * DAY),
            expiresAt: new Date(now + (1 + ((i + k) % 29)) * DAY),
            createdAt: new Date(now - ((i + k) % 29) * DAY),
            updatedAt: new Date(now - ((i + k) % 29) * DAY),
          })),
        );
      }
      // The first run of each keyed job after an upgrade enrols what is stored: a one-time scan.
      const enrolment = {
        sessions: await timed(() => sweepSessions(), 1),
        deliver: await timed(() => runInApp(app, () => deliverDue()), 1),
        stats: await timed(() => countOutbox(), 1),
        finished: await timed(() => sweepOutbox(), 1),
      };
      const at = new Date();
      const rows = [
        {
          job: 'auth sweep: sessions (every minute)',
          perMinute: 1,
          before: await timed(() =>
            Session.find({ expiresAt: mongoose.trusted({ $lt: at }) }, { _id: 1 })
              .limit(1000)
              .lean(),
          ),
          after: await timed(() => sweepSessions()),
          enrol: enrolment.sessions,
        },
        {
          job: 'outbox delivery (every 5 s)',
          perMinute: 12,
          before: await timed(() =>
            OutboxJob.find({ nextAttemptAt: mongoose.trusted({ $lte: at }) }, { _id: 1, attempts: 1 })
              .sort({ nextAttemptAt: 1 })
              .limit(50)
              .lean(),
          ),
          after: await timed(() => runInApp(app, () => deliverDue())),
          enrol: enrolment.deliver,
        },
        {
          job: 'outbox stats (every 15 s)',
          perMinute: 4,
          before: await timed(() =>
            OutboxJob.find({ nextAttemptAt: mongoose.trusted({ $exists: true }) }, { _id: 0, createdAt: 1 })
              .sort({ nextAttemptAt: 1 })
              .limit(10_000)
              .lean(),
          ),
          after: await timed(() => countOutbox()),
          enrol: enrolment.stats,
        },
        {
          job: 'outbox sweep of finished jobs (hourly)',
          perMinute: 1 / 60,
          before: await timed(() =>
            OutboxJob.find(
              {
                status: mongoose.trusted({ $in: ['sent', 'failed'] }),
                updatedAt: mongoose.trusted({ $lt: new Date(now - 30 * DAY) }),
              },
              { _id: 1 },
            )
              .limit(1000)
              .lean(),
          ),
          after: await timed(() => sweepOutbox()),
          enrol: enrolment.finished,
        },
      ];
      // What a request pays: one registration (an append to a bucket's stream), beside the raw driver.
      const schedule = expiry('bench', 3600_000, [Session]);
      const client = await new MongoClient(db.uri).connect();
      const sessions = client.db(Session.db.name).collection('auth_sessions');
      const someId = (await sessions.findOne({}, { projection: { _id: 1 } }))._id;
      const registration = await timed((i) => dueAt(schedule, Session, `bench-${i}`, new Date(now + (i % 30) * DAY)), WRITES);
      const rawLookup = await timed(() => sessions.findOne({ _id: someId }), WRITES);
      const rawInsert = await timed(() => sessions.insertOne({ _id: randomBytes(16).toString('hex'), realm: 'bench' }), WRITES);
      await client.close();

      const total = (key) => rows.reduce((sum, r) => sum + r[key] * r.perMinute, 0);
      const f = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
      const lines = [
        `Reproduce with \`node bench/run.mjs jobs\` (Node ${process.version}, ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}${os.getPriority() === 0 ? '' : `, run with nice ${os.getPriority()}`}; embedded FerretDB v1 on a fresh data directory with ${DOCS.toLocaleString('en')} sessions and ${DOCS.toLocaleString('en')} finished outbox jobs, nothing due; medians of ${RUNS} runs).`,
        '',
        '| Job | Earlier filter, one run | Keyed run | First keyed run (enrolment, once) |',
        '| --- | ---: | ---: | ---: |',
        ...rows.map((r) => `| ${r.job} | ${f(r.before)} ms | ${f(r.after)} ms | ${f(r.enrol)} ms |`),
        `| database time a minute, these jobs | ${f(total('before'))} ms | ${f(total('after'))} ms | |`,
        '',
        `A request that writes something due pays one registration: ${f(registration)} ms (median of ${WRITES}), beside the raw driver's \`_id\` lookup ${f(rawLookup)} ms and insert ${f(rawInsert)} ms on the same database.`,
      ];
      return { id: 'jobs', title: 'Background jobs at data size', markdown: lines.join('\n'), ok: true };
    } finally {
      await disconnectDb();
      await db.stop();
    }
  } finally {
    await unregister();
    rmSync(dir, { recursive: true, force: true });
  }
}
