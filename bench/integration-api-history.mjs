/**
 * What the integration-api and csv-import benches share: a supplier's accounts with 24 months of
 * history, inserted as the billing writer stores them (bench/api-scale/generate.mjs), the balances
 * billing sends for them, and the raw-driver limit of writing those balances: the same `_id`
 * lookups and writes the writer makes (server/billing/writer.ts), without HTTP, mongoose or checks.
 */
import { accountsFamily, historyOf, ids } from './api-scale/generate.mjs';

const LOOKUPS_AT_ONCE = 32;
const UPDATES_PER_COMMAND = 10;
const COMMANDS_AT_ONCE = 4;

/** The period after `period` (`YYYY-MM`). */
export function nextPeriod(period) {
  const [y, m] = period.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * Inserts accounts [0, count) of the supplier, each with its meters and 24 months of charges and
 * balances; returns the generator's context (`periods`: the 24 months, oldest first).
 */
export async function seedHistories(db, { tenantId, slug, key, pinHash, periods }, count) {
  const ctx = { tenantId, slug, tariff: 812, now: new Date(), periods, keys: { key, pinHash } };
  for (let from = 0; from < count; from += 1_000) {
    const docs = accountsFamily(ctx, from, Math.min(count, from + 1_000));
    await Promise.all(Object.entries(docs).map(([name, list]) => db.collection(name).insertMany(list, { ordered: false })));
  }
  return ctx;
}

export const accountNumber = (i) => ids.accountNumber(i);

/** Account i's balance of its newest month as stored, with `paid` raised by `more` (a correction billing sends). */
export function correctedBalance(ctx, i, more) {
  const period = ctx.periods.at(-1);
  const b = historyOf(i, ctx)[period].balance;
  return { period, opening: b.opening, charged: b.charged, paid: b.paid + more, closing: b.closing - more, penalties: 0 };
}

/** Account i's balance of the month after its newest one. */
export function nextBalance(ctx, i) {
  const period = ctx.periods.at(-1);
  const opening = historyOf(i, ctx)[period].balance.closing;
  return { period: nextPeriod(period), opening, charged: 30_000, paid: 0, closing: opening + 30_000, penalties: 0 };
}

/** What a month without a balance (its balance is in an entry: billing sent it after the charge) starts from. */
const NO_BALANCE = { opening: 0, charged: 0, paid: 0, closing: 0, penalties: 0 };

async function inParallel(count, list, run) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, list.length) }, async () => {
      while (next < list.length) await run(list[next++]);
    }),
  );
}

async function inCommands(collection, ops) {
  const commands = [];
  for (let i = 0; i < ops.length; i += UPDATES_PER_COMMAND) commands.push(ops.slice(i, i + UPDATES_PER_COMMAND));
  await inParallel(COMMANDS_AT_ONCE, commands, (command) => collection.bulkWrite(command, { ordered: false }));
}

/**
 * The raw-driver limit of writing a balance to each of these accounts, in seconds: each current
 * month looked up by `_id` (32 at a time), then either (`roll: false`, a correction of the open
 * month) the corrected balance inserted as the entry after the one the month holds, in one
 * insertMany (an entry already there is left: the limit of a second run is that of the first), or
 * (`roll: true`) the month moved into the past and a new month written in its place, in commands
 * of 10 statements, 4 at once, as the writer does (server/billing/writer.ts).
 */
export async function rawBalances(db, keys, { roll }) {
  const started = process.hrtime.bigint();
  const current = db.collection('billing_current');
  const found = new Map();
  await inParallel(LOOKUPS_AT_ONCE, keys, async (id) => found.set(id, await current.findOne({ _id: id })));
  const now = new Date();
  if (!roll) {
    const entries = keys.map((id) => {
      const doc = found.get(id);
      const seq = (doc.balanceSeq ?? 0) + 1;
      const stream = `${id}:${doc.period}`;
      const b = doc.balance ?? NO_BALANCE;
      const balance = { ...b, paid: b.paid + 1, closing: b.closing - 1 };
      return { _id: `${stream}:${seq}`, tenantId: doc.tenantId, stream, seq, balance, updatedAt: now };
    });
    await db
      .collection('billing_balances')
      .insertMany(entries, { ordered: false })
      .catch((err) => {
        if (err?.code !== 11000 && !/E11000|duplicate key|UNIQUE constraint failed/i.test(String(err?.message))) throw err;
      });
    return Number(process.hrtime.bigint() - started) / 1e9;
  }
  await inCommands(
    db.collection('billing_past'),
    keys.map((id) => {
      const doc = found.get(id);
      return {
        updateOne: {
          filter: { _id: id },
          update: { $set: { [`months.${doc.period}`]: { charge: doc.charge, balance: doc.balance }, updatedAt: now } },
          upsert: true,
        },
      };
    }),
  );
  await inCommands(
    current,
    keys.map((id) => {
      const doc = found.get(id);
      const closing = (doc.balance ?? NO_BALANCE).closing;
      const balance = { opening: closing, charged: 1, paid: 0, closing: closing + 1, penalties: 0 };
      return {
        replaceOne: {
          filter: { _id: id },
          replacement: { tenantId: doc.tenantId, period: nextPeriod(doc.period), balance, updatedAt: now },
        },
      };
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}
