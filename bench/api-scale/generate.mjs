/**
 * The data of bench/api-scale.bench.mjs: one supplier grown to 300,000 accounts, written straight
 * into the database with insertMany (not through the API), in the data model of the code under
 * test. Four families, one function each, each building the documents of a range of owners:
 *
 *   accountsFamily     accounts [from, to): the account, its meters, its 24 months (current and past)
 *   subscribersFamily  subscribers [from, to): the cabinet, its link list, a session
 *   readingsFamily     the readings of accounts [from, to)
 *   paymentsFamily     the payments of subscribers [from, to)
 *
 * When the models change, these four functions, `ids` (how a document's `_id` is made from its
 * owner's index) and `COLLECTIONS` are what change; sizes, ranges and the fixture the requests use
 * stay. Everything is a function of the index, so any range can be built alone, in any order:
 * the demo phase inserts the first cabinets, the grown phase the rest.
 *
 * Who owns what: subscriber j holds `linksOf(j)` (1 to 3) of accounts 3j, 3j+1, 3j+2; subscriber 0
 * is the measured one (three accounts in extended mode, 24 readings per account, 24 payments);
 * subscribers below POOL have a session whose token the bench knows (`ids.token(j)`).
 */
import { ObjectId } from 'mongodb';

/** Data sizes of the grown supplier; `API_SCALE=small`, `full` or a fraction of full such as `0.1`. */
export const FULL = { accounts: 300_000, subscribers: 100_000, readings: 1_000_000, payments: 300_000 };

export function sizesFor(scale) {
  const fraction = scale === 'full' ? 1 : scale === 'small' ? 1 / 30 : Number(scale);
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`API_SCALE must be small, full or a fraction in (0, 1], not ${scale}`);
  const sizes = Object.fromEntries(Object.entries(FULL).map(([k, v]) => [k, Math.round(v * fraction)]));
  sizes.accounts = Math.max(sizes.accounts, 3 * POOL);
  sizes.subscribers = Math.min(Math.max(sizes.subscribers, POOL), Math.floor(sizes.accounts / 3));
  return sizes;
}

/** Cabinets with a known session token (the measured one is 0); the demo phase inserts these. */
export const POOL = 50;
/** Readings and payments of the measured cabinet: one a month. */
const MEASURED_PER_ACCOUNT = 24;
const MEASURED_LINKS = 3;

/** Collections written by each family, as the models name them (server/*\/model.ts). */
export const COLLECTIONS = {
  accounts: ['billing_accounts', 'billing_current', 'billing_past'],
  subscribers: ['subscribers', 'subscriber_logins', 'account_link_lists', 'auth_sessions', 'auth_session_entries'],
  readings: ['readings_meters', 'readings_pages', 'readings_export', 'kernel_tickets'],
  payments: ['pay_payments', 'pay_cabinet_history', 'pay_keys', 'pay_pending', 'pay_export', 'kernel_stream_marks'],
};

/** A fixed time part, then one byte for the kind and seven for the index: unique, and the same every run. */
const STAMP = '69500000';
const oid = (kind, index) => new ObjectId(`${STAMP}${kind.toString(16).padStart(2, '0')}${index.toString(16).padStart(14, '0')}`);

/**
 * How a document's key is made from its owner's index. Keys built from natural keys use the
 * server's own functions (`ctx.keys`, loaded from server/ by the bench), so they are the keys the
 * server looks up.
 */
export const ids = {
  accountNumber: (i) => String(5_000_000_000 + i),
  account: (ctx, i) => ctx.keys.key(ctx.tenantId, ids.accountNumber(i)),
  meterNumber: (ctx, i, m) => `${ctx.slug}-b${i}-${m + 1}`,
  /** The readings module's meter id: the account's key and the billing system's meter id. */
  meter: (ctx, i, m) => ctx.keys.key(ids.account(ctx, i), ids.meterNumber(ctx, i, m)),
  subscriber: (j) => oid(3, j),
  login: (j) => `bench-${j}@example.test`,
  token: (j) => `api-scale-bench-session-${String(j).padStart(8, '0')}`,
  receiptToken: (j, k) => `api-scale-receipt-${j}-${k}`,
  idempotencyKey: (j, k) => `api-scale-payment-${j}-${k}`,
  payment: (ctx, j, k) => ctx.keys.paymentIdFor(ctx.tenantId, ids.subscriber(j), ids.idempotencyKey(j, k)),
  providerRef: (j, k) => `pi_demo_${(j * 64 + k).toString(16).padStart(24, '0')}`,
};

/** A number in [0, 1) from an index and a salt: the same every run, cheap, without state. */
function noise(i, salt) {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const SURNAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов'];
const NAMES = ['Александр', 'Сергей', 'Дмитрий', 'Андрей', 'Алексей', 'Иван', 'Михаил', 'Николай'];
const PATRONYMICS = ['Александрович', 'Сергеевич', 'Дмитриевич', 'Андреевич', 'Иванович', 'Петрович'];
const STREETS = ['ул. Ленина', 'ул. Гагарина', 'ул. Садовая', 'ул. Лесная', 'пр. Мира', 'ул. Газовиков'];
const pick = (list, i, salt) => list[Math.floor(noise(i, salt) * list.length)];

/** How many accounts subscriber j holds (the measured one three). */
export const linksOf = (j) => (j === 0 ? MEASURED_LINKS : 3 - (j % 3));
/** The subscriber holding account i, or -1. */
const holderOf = (i, sizes) => {
  const j = Math.floor(i / 3);
  return j < sizes.subscribers && i % 3 < linksOf(j) ? j : -1;
};
const metersOf = (i) => (i % 7 === 3 ? 2 : 1);

/** Monthly volume of account i in the k-th of the 24 months, thousandths of m³. */
function volume(i, k, periods) {
  const month = Number(periods[k].slice(5)) - 1;
  const season = [0, 1, 2, 10, 11].includes(month) ? 1.8 : [3, 9].includes(month) ? 1.2 : 0.6;
  return Math.round((20_000 + 60_000 * noise(i, 1)) * season * (0.85 + 0.3 * noise(i, 100 + k)));
}

/**
 * Readings are spread so that their total is `sizes.readings`: 24 on each account of the measured
 * cabinet, the rest evenly (some accounts one more); each reading is for one of the most recent months.
 */
function readingPlan(sizes) {
  const special = MEASURED_LINKS * MEASURED_PER_ACCOUNT;
  const rest = Math.max(0, sizes.readings - special);
  const others = sizes.accounts - MEASURED_LINKS;
  const each = Math.min(MEASURED_PER_ACCOUNT, Math.floor(rest / others));
  const extra = each === MEASURED_PER_ACCOUNT ? 0 : rest - each * others;
  const count = (i) => (i < MEASURED_LINKS ? MEASURED_PER_ACCOUNT : each + (i - MEASURED_LINKS < extra ? 1 : 0));
  /** Readings of the accounts before i: each reading's place in the supplier's export stream. */
  const before = (i) =>
    i <= MEASURED_LINKS ? i * MEASURED_PER_ACCOUNT : special + (i - MEASURED_LINKS) * each + Math.min(i - MEASURED_LINKS, extra);
  return { count, before };
}

/** Payments: 24 of the measured cabinet, the rest evenly over the other subscribers. */
/** Payments: 24 of the measured cabinet, the rest evenly over the other subscribers. */
function paymentPlan(sizes) {
  const rest = Math.max(0, sizes.payments - MEASURED_PER_ACCOUNT);
  const others = sizes.subscribers - 1;
  const each = Math.min(MEASURED_PER_ACCOUNT, Math.floor(rest / others));
  const extra = each === MEASURED_PER_ACCOUNT ? 0 : rest - each * others;
  const count = (j) => (j === 0 ? MEASURED_PER_ACCOUNT : each + (j - 1 < extra ? 1 : 0));
  /** Payments of the subscribers before j: each payment's place in the supplier's export stream. */
  const before = (j) => (j === 0 ? 0 : MEASURED_PER_ACCOUNT + (j - 1) * each + Math.min(j - 1, extra));
  return { count, before };
}

/** Cumulative meter reading (thousandths) of account i at the end of the k-th month. */
function meterValue(i, k, periods) {
  let sum = 1_000_000 + Math.floor(noise(i, 2) * 5_000_000);
  for (let n = 0; n <= k; n += 1) sum += volume(i, n, periods);
  return Math.round(sum / 1000) * 1000;
}

/** The value (thousandths) meter m of account i shows at the end of the k-th month. */
const meterAt = (i, m, k, periods) => meterValue(i, k, periods) + m * 1_000_000;

/**
 * Accounts [from, to) of the supplier as the billing writer stores them (server/billing/model.ts):
 * `<tenantId>:<number>` with its meters embedded (one; two on every seventh), sorted by meter id,
 * and its 24 months of charges and balances under the same key: the newest in `billing_current`,
 * the 23 before it in `billing_past`.
 */
export function accountsFamily(ctx, from, to) {
  const { tenantId, periods, tariff, now } = ctx;
  const billing_accounts = [];
  const billing_current = [];
  const billing_past = [];
  const lastDate = new Date(`${periods.at(-1)}-20T00:00:00Z`);
  for (let i = from; i < to; i += 1) {
    const _id = ids.account(ctx, i);
    const female = noise(i, 3) < 0.5;
    const patronymic = pick(PATRONYMICS, i, 6);
    const count = metersOf(i);
    const meters = [];
    for (let m = 0; m < count; m += 1) {
      meters.push({
        meterId: ids.meterNumber(ctx, i, m),
        serialNumber: `G${10_000_000 + ((i * 7919 + m) % 89_999_999)}`,
        name: count === 1 ? 'Газовый счётчик' : m === 0 ? 'Счётчик (кухня)' : 'Счётчик (котёл)',
        service: 'gas',
        digits: 5,
        decimals: i % 3 === 1 ? 3 : 0,
        lastReadingMilli: meterAt(i, m, periods.length - 1, periods),
        lastReadingDate: lastDate,
        verificationDue: new Date(Date.UTC(2027 + (i % 5), i % 12, 15)),
        tariff,
        usualMonthlyMilli: Math.round(volume(i, periods.length - 1, periods) / count),
        updatedAt: now,
      });
    }
    meters.sort((x, y) => (x.meterId < y.meterId ? -1 : 1));
    billing_accounts.push({
      _id,
      tenantId,
      number: ids.accountNumber(i),
      holder: `${pick(SURNAMES, i, 4)}${female ? 'а' : ''} ${female ? 'Анна' : pick(NAMES, i, 5)} ${female ? patronymic.replace(/ич$/, 'на') : patronymic}`,
      address: `г. Северск, ${pick(STREETS, i, 7)}, д. ${1 + (i % 120)}, кв. ${1 + (i % 200)}`,
      pinHash: ctx.keys.pinHash(tenantId, String(1000 + (i % 9000))),
      services: ['gas'],
      meters,
      updatedAt: now,
    });
    const months = historyOf(i, ctx);
    const [newest, ...earlier] = Object.keys(months).sort().reverse();
    billing_current.push({ _id, tenantId, period: newest, ...months[newest], updatedAt: now });
    billing_past.push({
      _id,
      tenantId,
      months: Object.fromEntries(earlier.reverse().map((p) => [p, months[p]])),
      updatedAt: now,
    });
  }
  return { billing_accounts, billing_current, billing_past };
}

/** 24 months of charges and balances of account i, as billing sends them. */
export function historyOf(i, { periods, tariff }) {
  const months = {};
  let opening = 0;
  let previous = 0;
  const payer = noise(i, 8);
  periods.forEach((period, k) => {
    const volumeMilli = volume(i, k, periods);
    const amount = Math.round((volumeMilli * tariff) / 1000);
    const penalties = opening > 0 ? Math.round(opening * 0.01) : 0;
    const total = amount + penalties;
    const share = payer < 0.7 ? 1 : payer < 0.9 ? (noise(i, 200 + k) < 0.7 ? 1 : 0) : 0.5;
    const paid = k === 0 ? 0 : Math.round(previous * share);
    const closing = opening + total - paid;
    months[period] = {
      charge: { lines: [{ service: 'Газоснабжение', volumeMilli, unit: 'm3', tariff, amount }], penalties, total },
      balance: { opening, charged: total, paid, closing, penalties: closing > 0 ? Math.min(penalties, closing) : 0 },
    };
    opening = closing;
    previous = total;
  });
  return months;
}

/**
 * Subscribers [from, to) as registration, linking and sign-in store them: an active cabinet signing
 * in by email (every one with the same password hash, made once by the server's own hashing) and
 * its login key `<realm>:<login>`; its accounts in its link list `_id` = `<subscriberId>`, oldest first; one open session `_id` = sha256 of its token (known to the
 * bench for the first cabinets) on the cabinet's list of the session's period.
 */
export function subscribersFamily(ctx, from, to) {
  const { tenantId, realm, now, keys } = ctx;
  const subscribers = [];
  const subscriber_logins = [];
  const account_link_lists = [];
  const auth_sessions = [];
  const auth_session_entries = [];
  const month = 30 * 86_400_000;
  const period = keys.sessionPeriod(now.getTime());
  for (let j = from; j < to; j += 1) {
    const _id = ids.subscriber(j);
    const owner = String(_id);
    const createdAt = new Date(now.getTime() - (2 + (j % 22)) * month);
    subscribers.push({
      _id,
      realm,
      tenantId,
      login: ids.login(j),
      email: ids.login(j),
      loginKind: 'email',
      personType: 'individual',
      passwordHash: ctx.passwordHash,
      mustChangePassword: false,
      status: 'active',
      fullName: j === 0 ? 'Измеряемый Абонент' : `Абонент ${j}`,
      locale: 'ru',
      consent: { version: '2026-01', url: '/examples/docs/user-agreement.html', acceptedAt: createdAt },
      confirmedAt: createdAt,
      createdAt,
      updatedAt: createdAt,
      __v: 0,
    });
    subscriber_logins.push({ _id: keys.key(realm, ids.login(j)), subscriberId: _id, createdAt });
    account_link_lists.push({
      _id: owner,
      subscriberId: _id,
      links: Array.from({ length: linksOf(j) }, (_, n) => ({
        realm,
        tenantId,
        accountId: ids.account(ctx, 3 * j + n),
        accountNumber: ids.accountNumber(3 * j + n),
        mode: j === 0 || j % 2 === 1 ? 'extended' : 'basic',
        linkedAt: new Date(createdAt.getTime() + n * 60_000),
      })),
    });
    const sessionId = keys.hashToken(ids.token(j));
    auth_sessions.push({
      _id: sessionId,
      subscriberId: _id,
      realm,
      tenantId,
      generation: 0,
      userAgent: 'Mozilla/5.0 (api-scale bench)',
      ip: `10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + keys.SESSION_TTL_MS),
    });
    const stream = keys.sessionList(_id, period);
    auth_session_entries.push({
      _id: keys.streamId(stream, 1),
      stream,
      seq: 1,
      sessionId,
      expiresAt: keys.sessionListExpiry(period),
    });
  }
  return { subscribers, subscriber_logins, account_link_lists, auth_sessions, auth_session_entries };
}

/** server/readings/model.ts READINGS_PER_PAGE: readings a page of a meter's readings holds. */
const READINGS_PER_PAGE = 12;

/**
 * The readings of accounts [from, to) as the readings module stores them (server/readings/
 * service.ts, `storeReading`): accepted readings of the most recent months, one a month,
 * alternating between the account's meters. A meter's readings are numbered 1, 2, 3… (a reading's
 * id is `<meterId>:<n>`); its full pages of twelve are page documents `<meterId>:<page>`, the rest
 * is in the meter's document (`_id` = the meter id). Each reading is an entry of the supplier's
 * export stream after `ctx.readingsBase` (the readings the supplier had before); a counting reading
 * holds its value (a kernel ticket `reading:<meterId>:<period>:<valueMilli>:0`, renewed for 120
 * days when stored) until the ticket is swept a day after it ran out.
 */
export function readingsFamily(ctx, from, to) {
  const { tenantId, periods, sizes, keys, now } = ctx;
  const plan = readingPlan(sizes);
  const readings_meters = [];
  const readings_pages = [];
  const readings_export = [];
  const kernel_tickets = [];
  const exportStream = String(tenantId);
  for (let i = from; i < to; i += 1) {
    const count = plan.count(i);
    const holder = holderOf(i, sizes);
    const meters = metersOf(i);
    const decimals = i % 3 === 1 ? 3 : 0;
    const owner = (m) => ({
      tenantId,
      accountId: ids.account(ctx, i),
      accountNumber: ids.accountNumber(i),
      meterId: ids.meter(ctx, i, m),
    });
    let place = ctx.readingsBase + plan.before(i);
    const stored = Array.from({ length: meters }, () => []);
    const lastOf = Array(meters).fill(null);
    for (let k = 0; k < count; k += 1) {
      const month = periods.length - count + k;
      const m = k % meters;
      const meterId = ids.meter(ctx, i, m);
      const valueMilli = meterAt(i, m, month, periods);
      // Compared with the meter's own last reading, or else the billing system's of the month before.
      const previousMilli = lastOf[m] ?? (month > 0 ? meterAt(i, m, month - 1, periods) : null);
      lastOf[m] = valueMilli;
      const submittedAt = new Date(`${periods[month]}-${String(15 + (i % 10)).padStart(2, '0')}T09:00:00Z`);
      const seq = stored[m].length + 1;
      place += 1;
      stored[m].push({
        seq,
        meterSerialNumber: `G${10_000_000 + ((i * 7919 + m) % 89_999_999)}`,
        ...(holder >= 0 ? { subscriberId: ids.subscriber(holder), source: 'portal' } : { source: 'import' }),
        period: periods[month],
        valueMilli,
        decimals,
        previousMilli,
        consumptionMilli: previousMilli === null ? null : valueMilli - previousMilli,
        rollover: false,
        status: 'accepted',
        claim: 0,
        submittedAt,
        updatedAt: submittedAt,
      });
      readings_export.push({
        _id: keys.streamId(exportStream, place),
        stream: exportStream,
        seq: place,
        reading: keys.streamId(meterId, seq),
      });
      const leaseUntil = submittedAt.getTime() + keys.HOLD_MS;
      if (leaseUntil + keys.KEEP_MS > now.getTime()) {
        const work = keys.key('reading', meterId, periods[month], valueMilli);
        kernel_tickets.push({
          _id: keys.key(work, 0),
          work,
          generation: 0,
          holder: `api-scale-${i}-${k}`,
          leaseUntil: new Date(leaseUntil),
          expiresAt: new Date(leaseUntil + keys.KEEP_MS),
        });
      }
    }
    for (const [m, readings] of stored.entries()) {
      if (readings.length === 0) continue;
      const pages = Math.floor((readings.length - 1) / READINGS_PER_PAGE);
      for (let page = 1; page <= pages; page += 1) {
        readings_pages.push({
          _id: keys.key(ids.meter(ctx, i, m), page),
          ...owner(m),
          page,
          readings: readings.slice((page - 1) * READINGS_PER_PAGE, page * READINGS_PER_PAGE),
        });
      }
      readings_meters.push({
        _id: ids.meter(ctx, i, m),
        ...owner(m),
        seq: readings.length,
        pages,
        readings: readings.slice(pages * READINGS_PER_PAGE),
      });
    }
  }
  return { readings_meters, readings_pages, readings_export, kernel_tickets };
}

/**
 * The payments of subscribers [from, to) through the demo provider, as the payments module leaves
 * them once fulfilled (server/payments/model.ts): succeeded, receipt issued, one a month going back
 * from last month over the subscriber's accounts in turn; booked by billing except those of the
 * last two months, which stay on their accounts' chains of unconfirmed payments. Each payment has
 * its `_id` from (tenant, subscriber, Idempotency-Key), its entry in the cabinet's history (oldest
 * first, showing it as the server's `publicPayment` does), its provider-reference and receipt keys, and its entry in the supplier's export stream
 * after `ctx.paymentsBase`, appended once (a stream mark). Not written: the provider events and the
 * transition log (`pay_events`, `pay_transitions`), which no subscriber request reads.
 */
export function paymentsFamily(ctx, from, to) {
  const { tenantId, slug, now, keys } = ctx;
  const plan = paymentPlan(ctx.sizes);
  const pay_payments = [];
  const pay_cabinet_history = [];
  const pay_keys = [];
  const pay_pending = [];
  const pay_export = [];
  const kernel_stream_marks = [];
  const exportStream = keys.exportStream(tenantId);
  for (let j = from; j < to; j += 1) {
    const count = plan.count(j);
    const links = linksOf(j);
    const subscriberId = ids.subscriber(j);
    const historyStream = keys.historyStream(tenantId, subscriberId);
    const open = new Map();
    // Oldest first: the order they were made, so history and export positions follow time.
    for (let k = count - 1; k >= 0; k -= 1) {
      const _id = ids.payment(ctx, j, k);
      const i = 3 * j + (k % links);
      const accountId = ids.account(ctx, i);
      const createdAt = new Date(now.getTime() - (k + 1) * 30 * 86_400_000 + (j % 1000) * 60_000);
      const succeededAt = new Date(createdAt.getTime() + 40_000);
      const amount = 100_000 + Math.floor(noise(i, 300 + k) * 400_000);
      const penalties = k % 5 === 0 ? 1_500 : 0;
      const historySeq = count - k;
      const providerRef = ids.providerRef(j, k);
      const items = [{ accountId, accountNumber: ids.accountNumber(i), address: 'г. Северск', amount, penalties }];
      const confirmed = k >= 2;
      const payment = {
        _id,
        tenantId,
        tenantSlug: slug,
        subscriberId,
        idempotencyKey: ids.idempotencyKey(j, k),
        requestHash: `api-scale-${j}-${k}`,
        provider: 'demo',
        providerAccount: '',
        providerRef,
        clientSecret: '',
        currency: 'RUB',
        items,
        total: amount + penalties,
        status: 'succeeded',
        version: 2,
        nextAction: '',
        failureCode: '',
        refundedAmount: 0,
        locale: 'ru',
        receiptToken: ids.receiptToken(j, k),
        linkBase: 'http://127.0.0.1',
        historySeq,
        succeededAt,
        ...(confirmed ? { confirmedAt: new Date(succeededAt.getTime() + 86_400_000) } : {}),
        fulfilment: 'done',
        receipt: {
          issuedAt: succeededAt,
          supplierName: ctx.tenantName,
          supplierLegalName: ctx.tenantLegalName,
          supplierTaxId: ctx.tenantTaxId,
          emailJobId: '',
          channel: 'email',
          sentTo: ids.login(j).replace(/^(.).*@/, '$1***@'),
        },
        createdAt,
        updatedAt: succeededAt,
        __v: 0,
      };
      pay_payments.push(payment);
      pay_cabinet_history.push({
        _id: keys.streamId(historyStream, historySeq),
        stream: historyStream,
        seq: historySeq,
        shown: keys.publicPayment(payment),
      });
      pay_keys.push(
        { _id: keys.providerRefKey('demo', providerRef), paymentId: _id },
        { _id: keys.receiptKey(tenantId, ids.receiptToken(j, k)), paymentId: _id },
      );
      if (!confirmed) {
        const chain = keys.pendingStream(tenantId, accountId);
        const entries = [...(open.get(chain) ?? []), { paymentId: _id, amount: amount + penalties }];
        open.set(chain, entries);
        pay_pending.push({ _id: keys.streamId(chain, entries.length), stream: chain, seq: entries.length, open: entries });
      }
      const seq = ctx.paymentsBase + plan.before(j) + historySeq;
      const once = keys.exportOnce(_id, 'succeeded');
      pay_export.push({
        _id: keys.streamId(exportStream, seq),
        stream: exportStream,
        seq,
        once,
        paymentId: _id,
        key: 'succeeded',
        event: 'succeeded',
        occurredAt: succeededAt,
        currency: 'RUB',
        total: amount + penalties,
        refundedAmount: 0,
        providerRef,
        items: items.map(({ accountNumber, amount: a, penalties: p }) => ({ accountNumber, amount: a, penalties: p })),
      });
      kernel_stream_marks.push({ _id: keys.onceMarkId(keys.PaymentExport, exportStream, once), seq });
    }
  }
  return { pay_payments, pay_cabinet_history, pay_keys, pay_pending, pay_export, kernel_stream_marks };
}

/** Each family, the owners its ranges count, and how many owners one insert batch takes. */
export const FAMILIES = [
  { name: 'accounts', owners: 'accounts', build: accountsFamily, batch: 1_000 },
  { name: 'subscribers', owners: 'subscribers', build: subscribersFamily, batch: 1_000 },
  { name: 'readings', owners: 'accounts', build: readingsFamily, batch: 1_000 },
  { name: 'payments', owners: 'subscribers', build: paymentsFamily, batch: 500 },
];

/**
 * Inserts every family for the owners in `ranges` ({ accounts: [from, to), subscribers: [from, to) }):
 * batches built while the previous one is written, insertMany unordered. Returns per family the
 * owners it counts and how many, the seconds taken and the documents written per collection.
 */
export async function generate(db, ctx, ranges, log = () => {}) {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const missing = Object.values(COLLECTIONS)
    .flat()
    .filter((name) => !existing.has(name));
  if (missing.length) throw new Error(`generator out of date with the models: no collection ${missing.join(', ')}`);
  const report = [];
  for (const family of FAMILIES) {
    const [from, to] = ranges[family.owners];
    const started = process.hrtime.bigint();
    const written = {};
    let pending = Promise.resolve();
    for (let at = from; at < to; at += family.batch) {
      const docs = family.build(ctx, at, Math.min(to, at + family.batch));
      await pending;
      pending = Promise.all(
        Object.entries(docs)
          .filter(([, list]) => list.length > 0)
          .map(async ([name, list]) => {
            await db.collection(name).insertMany(list, { ordered: false });
            written[name] = (written[name] ?? 0) + list.length;
          }),
      );
    }
    await pending;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    log(`  ${family.name} [${from}, ${to}): ${JSON.stringify(written)} in ${seconds.toFixed(1)} s`);
    report.push({ family: family.name, owners: family.owners, count: Math.max(0, to - from), seconds, written });
  }
  return report;
}

/**
 * The cabinets that sign in again and again, in turn (sign-in ends the oldest of a cabinet's 20
 * sessions, so none is one whose token the bench uses; and of concurrent sign-ins to one login no
 * more than its lockout allows are checked, so 20 clients sign in to 20 cabinets).
 */
export const SIGN_IN = POOL;
export const SIGN_INS = 20;
/** The bench's own cabinets: the pool and the ones that sign in. */
export const BENCH_CABINETS = SIGN_IN + SIGN_INS;

/**
 * What the bench's requests name: the measured cabinet (subscriber 0) with its token, its first
 * account and meter, a reading to preview above the meter's last one, its latest payment and that
 * payment's receipt, the cabinets that sign in, and the pool of cabinets whose tokens spread
 * rate-limited requests.
 */
export function measuredCabinet(ctx) {
  const last = meterValue(0, ctx.periods.length - 1, ctx.periods);
  return {
    login: ids.login(0),
    signInLogins: Array.from({ length: SIGN_INS }, (_, k) => ids.login(SIGN_IN + k)),
    token: ids.token(0),
    subscriberId: ids.subscriber(0),
    accountId: ids.account(ctx, 0),
    accountNumber: ids.accountNumber(0),
    meterId: ids.meter(ctx, 0, 0),
    previewValue: String(last / 1000 + 30),
    paymentId: ids.payment(ctx, 0, 0),
    receiptToken: ids.receiptToken(0, 0),
    pool: Array.from({ length: POOL }, (_, j) => ({
      subscriberId: ids.subscriber(j),
      token: ids.token(j),
      accountId: ids.account(ctx, 3 * j),
      accountNumber: ids.accountNumber(3 * j),
      meterId: ids.meter(ctx, 3 * j, 0),
      /** Its first meter's last reading, m³ (the value a reading sent from this cabinet must pass). */
      lastReading: meterValue(3 * j, ctx.periods.length - 1, ctx.periods) / 1000,
    })),
  };
}

/**
 * What the API must show cabinet j for the generated data, for its first account (3j): the
 * summary's balance of the last month, the readings history of the account's first meter (newest
 * first) and the cabinet's payments (newest first, with when they were made). The bench signs in as
 * the cabinet, compares these with the answers and stops on a difference.
 */
export function expectedOf(ctx, j) {
  const { periods, sizes, now } = ctx;
  const i = 3 * j;
  const last = periods.at(-1);
  const count = readingPlan(sizes).count(i);
  const meters = metersOf(i);
  const readings = [];
  for (let k = count - 1; k >= 0; k -= 1) {
    const month = periods.length - count + k;
    if (k % meters === 0) readings.push({ period: periods[month], valueMilli: meterAt(i, 0, month, periods) });
  }
  const links = linksOf(j);
  const payments = Array.from({ length: paymentPlan(sizes).count(j) }, (_, k) => {
    const account = 3 * j + (k % links);
    return {
      id: ids.payment(ctx, j, k),
      total: 100_000 + Math.floor(noise(account, 300 + k) * 400_000) + (k % 5 === 0 ? 1_500 : 0),
      createdAt: new Date(now.getTime() - (k + 1) * 30 * 86_400_000 + (j % 1000) * 60_000),
    };
  });
  return {
    login: ids.login(j),
    accountId: ids.account(ctx, i),
    meterId: ids.meter(ctx, i, 0),
    period: last,
    balance: historyOf(i, ctx)[last].balance,
    readings,
    payments,
  };
}
