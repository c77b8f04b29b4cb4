import type { Logger } from 'pino';
import { runExclusive, sweepTickets } from './db/kernel/leases.ts';

/**
 * Periodic background jobs (outbox delivery, sweeps of expired data, reminders). Each module
 * registers its own from its service; main.ts starts them. Each run holds a lease in the database
 * (`runExclusive`), so across any number of server instances a job runs once per interval and
 * never twice at a time; work inside a run is still claimed item by item where it matters.
 */
export interface Worker {
  name: string;
  intervalMs: number;
  run(logger: Logger): Promise<void>;
}

const workers = new Map<string, Worker>();

export function registerWorker(worker: Worker): void {
  workers.set(worker.name, worker);
}

/** Lease tickets long past their lease (every keyed claim leaves one), a bounded batch at a time. */
registerWorker({
  name: 'kernel.tickets',
  intervalMs: 600_000,
  async run(logger) {
    let removed = 0;
    for (let batch = await sweepTickets(); batch > 0; batch = await sweepTickets()) removed += batch;
    if (removed) logger.info({ removed }, 'expired lease tickets removed');
  },
});

/** Runs one job once, now (tests and the CLI use this). */
export async function runWorker(name: string, logger: Logger): Promise<void> {
  const w = workers.get(name);
  if (!w) throw new Error(`no worker ${name}`);
  await w.run(logger);
}

/**
 * Starts every registered job on its interval; returns a function that stops them and waits for
 * running ones. A run holds its job's lease for `leaseMs` (GASKIT_LEASE_MS) or two intervals,
 * whichever is longer: if its instance dies, another instance runs the job once that has passed.
 */
export function startWorkers(logger: Logger, leaseMs: number): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  let stopped = false;
  for (const w of workers.values()) {
    const tick = () => {
      if (stopped) return;
      const p = runExclusive(`job:${w.name}`, w.intervalMs, Math.max(leaseMs, 2 * w.intervalMs), () =>
        w.run(logger.child({ worker: w.name })),
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
