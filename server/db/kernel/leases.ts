import { randomUUID } from 'node:crypto';
import { dueAt, expiry, sweepExpired } from './expiry.ts';
import { findByKey, insertStored, isDuplicateKey, key, storedCollection } from './keys.ts';
import { Ticket, type TicketDoc } from './models.ts';

/**
 * Leases: one holder at a time for a piece of work (an outbox message's attempt, a payment's
 * fulfilment, one run of a periodic job), across every server instance.
 *
 * A claim inserts the ticket `<work>:<generation>`, starting at generation 0. Tickets are unique
 * `_id`s, so of concurrent claimers exactly one inserts a given generation. A ticket whose lease
 * ran out (its holder died or stalled) is taken over by inserting the next generation; a holder
 * that outlives its lease can tell it was replaced (`stillHeld`). Tickets are never deleted while
 * the work can still be claimed (a lower generation that vanished would let a second holder in);
 * `forget` is for work that is finished for good, and the sweep removes tickets long expired.
 *
 * Guarantees, the same on MongoDB and on FerretDB v1 (where a conditional update is not atomic,
 * but an insert into a unique index is): at most one holder per work whose lease has not run out;
 * a crash loses nothing (the work is claimed again after the lease). Cost: one insert, plus one
 * `_id` lookup per generation that exists (nearly always none or one), plus registering the
 * ticket's expiry (expiry.ts: one more insert) per claim and per renewal. A holder that removes
 * its own ticket when done (a revision, revisions.ts) may claim without that registration.
 */

/** How long after its lease a ticket is kept; far beyond any stalled holder. */
const KEEP_MS = 24 * 3600_000;

/** Tickets are swept in buckets of ten minutes, by the `kernel.tickets` job. */
export const TICKET_EXPIRY = expiry('tickets', 600_000, [Ticket]);

export interface Lease {
  readonly work: string;
  readonly generation: number;
  /** Whether this holder still holds the work (its lease has not run out and no one took over). */
  stillHeld(): Promise<boolean>;
  /** Extends the lease by `ms` from now. */
  renew(ms: number): Promise<void>;
  /** Ends the lease now, so the next claimer need not wait (the ticket stays: see above). */
  release(): Promise<void>;
  /**
   * Removes this holder's ticket and every generation below it, highest first, without looking
   * them up: for work its holder has finished for good (as `forget`), by a holder that knows no
   * newer generation exists (it still holds the work).
   */
  forget(): Promise<void>;
}

function ticketId(work: string, generation: number): string {
  return key(work, generation);
}

/**
 * Claims `work` for `leaseMs`; null when someone else holds it. `swept: false` leaves the ticket
 * out of the sweep (no expiry record): only for a holder that removes its tickets itself and whose
 * work's next holder removes those of one that died (revisions.ts says why that holds there).
 * `holdUpTo` is the longest a holder renews the lease to, while it holds it (a counting reading
 * holds its value for its period): the ticket's sweep is registered that far once, at the claim,
 * so such a renewal registers nothing (a ticket whose holder never renews is swept that late too).
 */
export async function claim(
  work: string,
  leaseMs: number,
  { swept = true, holdUpTo = 0 }: { swept?: boolean; holdUpTo?: number } = {},
): Promise<Lease | null> {
  const holder = randomUUID();
  for (let generation = 0; ; generation += 1) {
    const now = Date.now();
    const id = ticketId(work, generation);
    const expiresAt = new Date(now + leaseMs + KEEP_MS);
    const sweptAt = new Date(expiresAt.getTime() + holdUpTo);
    if (swept) await dueAt(TICKET_EXPIRY, Ticket, id, sweptAt);
    try {
      await insertStored(Ticket, { _id: id, work, generation, holder, leaseUntil: new Date(now + leaseMs), expiresAt });
      return lease(work, generation, holder, swept ? sweptAt.getTime() : 0);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const ticket = await findByKey<TicketDoc>(Ticket, id);
    // A ticket deleted meanwhile means the work was forgotten: finished for good.
    if (!ticket) return null;
    if (ticket.leaseUntil.getTime() > now && !(await Ticket.exists({ _id: ticketId(work, generation + 1) }))) return null;
  }
}

/** The lease of a ticket whose sweep is registered for `sweptAt` (0: none). */
function lease(work: string, generation: number, holder: string, sweptAt: number): Lease {
  const id = ticketId(work, generation);
  return {
    work,
    generation,
    async stillHeld() {
      const [mine, next] = await Promise.all([
        findByKey<TicketDoc>(Ticket, id),
        Ticket.exists({ _id: ticketId(work, generation + 1) }),
      ]);
      return mine !== null && mine.holder === holder && mine.leaseUntil.getTime() > Date.now() && next === null;
    },
    async renew(ms) {
      const until = Date.now() + ms;
      if (until + KEEP_MS > sweptAt) await dueAt(TICKET_EXPIRY, Ticket, id, new Date(until + KEEP_MS));
      // Only the holder writes its own ticket, so a plain update is safe.
      await storedCollection(Ticket).updateOne(
        { _id: id },
        { $set: { leaseUntil: new Date(until), expiresAt: new Date(until + KEEP_MS) } },
      );
    },
    async release() {
      await releaseLease(work, generation);
    },
    async forget() {
      for (let g = generation; g >= 0; g -= 1) await storedCollection(Ticket).deleteOne({ _id: ticketId(work, g) });
    },
  };
}

/**
 * Ends the lease that `claim(work)` gave as `generation`, from any request or instance: for a lease
 * held as long as something lasts (a counting reading holds its value for its period), whose
 * holder keeps the generation with that thing. Ending it again, or after a newer generation took
 * over, leaves the newer one held.
 */
export async function releaseLease(work: string, generation: number): Promise<void> {
  await storedCollection(Ticket).updateOne({ _id: ticketId(work, generation) }, { $set: { leaseUntil: new Date(0) } });
}

/**
 * Removes the tickets of work that can never be claimed again (its document is gone or done), up
 * to the newest generation. Removing them highest first keeps every generation below a live one.
 */
export async function forget(work: string): Promise<void> {
  let top = -1;
  while (await Ticket.exists({ _id: ticketId(work, top + 1) })) top += 1;
  for (let g = top; g >= 0; g -= 1) await storedCollection(Ticket).deleteOne({ _id: ticketId(work, g) });
}

/**
 * Runs `run` at most once per `intervalMs` slice of the clock across all instances, and never
 * while an earlier slice's run still holds its lease (a run longer than the interval is not
 * overlapped, however many intervals it takes, up to `leaseMs`). Returns whether this instance
 * ran it. Cost: one `_id` lookup per slice that `leaseMs` spans, then the claim.
 */
export async function runExclusive(
  name: string,
  intervalMs: number,
  leaseMs: number,
  run: () => Promise<void>,
): Promise<boolean> {
  const slice = Math.floor(Date.now() / intervalMs);
  const spanned = Math.ceil(leaseMs / intervalMs);
  const earlier = await Promise.all(
    Array.from({ length: spanned }, (_, i) => findByKey<TicketDoc>(Ticket, ticketId(key(name, slice - 1 - i), 0))),
  );
  if (earlier.some((t) => t !== null && t.leaseUntil.getTime() > Date.now())) return false;
  const held = await claim(key(name, slice), leaseMs);
  if (!held) return false;
  if (held.generation > 0) {
    // The slice's run is over (released) or its runner died: a slow claimer does not run it again.
    await held.release();
    return false;
  }
  try {
    await run();
  } finally {
    // Held to the end of its slice, not released: a runner that comes late in the slice finds it taken.
    await held.renew(Math.max(0, (slice + 1) * intervalMs - Date.now()));
    // Slices before the previous one are never claimed again.
    await forget(key(name, slice - 2));
  }
  return true;
}

/** Removes tickets long past their lease (a background sweep, `limit` expiry records at a time). */
export async function sweepTickets(now = new Date(), limit = 10_000): Promise<number> {
  return sweepExpired(TICKET_EXPIRY, now, limit);
}
