import type { Logger } from 'pino';
import { runInApp, type AppContext } from './app-context.ts';
import { runExclusive, sweepTickets } from './db/kernel/leases.ts';

/**
 * Periodic background jobs (outbox delivery, sweeps of expired data, reminders). Each module
 * lists its own in its manifest (`workers`); `bootstrap` collects them and starts them. Each run
 * holds a lease in the database (`runExclusive`), so across any number of server instances a job
 * runs once per interval and never twice at a time; work inside a run is still claimed item by
 * item where it matters.
 */
export interface Worker {
  name: string;
  intervalMs: number;
  run(logger: Logger): Promise<void>;
}

/** Lease tickets long past their lease (every keyed claim leaves one), a bounded batch at a time. */
export const ticketsWorker: Worker = {
  name: 'kernel.tickets',
  intervalMs: 600_000,
  async run(logger) {
    let removed = 0;
    for (let batch = await sweepTickets(); batch > 0; batch = await sweepTickets()) removed += batch;
    if (removed) logger.info({ removed }, 'expired lease tickets removed');
  },
};

/** Runs one job of the app once, now (tests use this). */
export async function runWorker(context: AppContext, name: string, logger: Logger): Promise<void> {
  const w = context.workers.get(name);
  if (!w) throw new Error(`no worker ${name}`);
  await runInApp(context, () => w.run(logger));
}

/**
 * Starts every job of the app on its interval; returns a function that stops them and waits for
 * running ones. A run holds its job's lease for `leaseMs` (GASKIT_LEASE_MS) or two intervals,
 * whichever is longer: if its instance dies, another instance runs the job once that has passed.
 */
export function startWorkers(context: AppContext, logger: Logger): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  let stopped = false;
  const leaseMs = context.config.leaseMs;
  for (const w of context.workers.values()) {
    const tick = () => {
      if (stopped) return;
      const p = runInApp(context, () =>
        runExclusive(`job:${w.name}`, w.intervalMs, Math.max(leaseMs, 2 * w.intervalMs), () =>
          w.run(logger.child({ worker: w.name })),
        ),
      )
        .then(() => undefined)
        .catch((err: unknown) => logger.error({ err, worker: w.name }, 'worker failed'))
        .finally(() => running.delete(p));
      running.add(p);
    };
    timers.push(setInterval(tick, w.intervalMs));
  }
  return async () => {
    stopped = true;
    for (const t of timers) clearInterval(t);
    await Promise.all(running);
  };
}
