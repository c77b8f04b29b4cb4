/**
 * The data of bench/api-scale.bench.mjs: one supplier grown to 300,000 accounts, written straight
 * into the database with insertMany (not through the API), in the data model of the code under
 * test. Four families, one function each, each building the documents of a range of owners:
 *
 *   accountsFamily     accounts [from, to): the account, its meters, its 24 months of history
 *   subscribersFamily  subscribers [from, to): the cabinet, its links (and their slots), a session
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

/** Collections written by each family, as the models name them; checked to exist before inserting. */
export const COLLECTIONS = {
  accounts: ['accounts', 'meters', 'billinghistories'],
  subscribers: ['subscribers', 'accountlinks', 'linkslots', 'sessions'],
  readings: ['readings'],
  payments: ['payments'],
};

/** A fixed time part, then one byte for the kind and seven for the index: unique, and the same every run. */
const STAMP = '69500000';
const oid = (kind, index) => new ObjectId(`${STAMP}${kind.toString(16).padStart(2, '0')}${index.toString(16).padStart(14, '0')}`);

export const ids = {
  account: (i) => oid(1, i),
  meter: (i, m) => oid(2, i * 4 + m),
  subscriber: (j) => oid(3, j),
  link: (j, k) => oid(4, j * 4 + k),
  slot: (j, k) => oid(5, j * 4 + k),
  session: (j) => oid(6, j),
  reading: (i, k) => oid(7, i * 64 + k),
  payment: (j, k) => oid(8, j * 64 + k),
  accountNumber: (i) => String(5_000_000_000 + i),
  login: (j) => `bench-${j}@example.test`,
  token: (j) => `api-scale-bench-session-${String(j).padStart(8, '0')}`,
  receiptToken: (j, k) => `api-scale-receipt-${j}-${k}`,
  idempotencyKey: (j, k) => `api-scale-payment-${j}-${k}`,
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
function paymentPlan(sizes) {
  const rest = Math.max(0, sizes.payments - MEASURED_PER_ACCOUNT);
  const others = sizes.subscribers - 1;
  const each = Math.min(MEASURED_PER_ACCOUNT, Math.floor(rest / others));
  const extra = each === MEASURED_PER_ACCOUNT ? 0 : rest - each * others;
  return { count: (j) => (j === 0 ? MEASURED_PER_ACCOUNT : each + (j - 1 < extra ? 1 : 0)) };
}

/** Cumulative meter reading (thousandths) of account i at the end of the k-th month. */
function meterValue(i, k, periods) {
  let sum = 1_000_000 + Math.floor(noise(i, 2) * 5_000_000);
  for (let n = 0; n <= k; n += 1) sum += volume(i, n, periods);
  return Math.round(sum / 1000) * 1000;
}

/**
 * Accounts [from, to) of the supplier, each with its meters (one; two on every seventh) and its
 * billing history: 24 months of charges and balances in one document keyed by the account's id.
 */
export function accountsFamily(ctx, from, to) {
  const { tenantId, periods, tariff, now } = ctx;
  const accounts = [];
  const meters = [];
  const billinghistories = [];
  const lastDate = new Date(`${periods.at(-1)}-20T00:00:00Z`);
  for (let i = from; i < to; i += 1) {
    const _id = ids.account(i);
    const female = noise(i, 3) < 0.5;
    const patronymic = pick(PATRONYMICS, i, 6);
    accounts.push({
      _id,
      tenantId,
      number: ids.accountNumber(i),
      holder: `${pick(SURNAMES, i, 4)}${female ? 'а' : ''} ${female ? 'Анна' : pick(NAMES, i, 5)} ${female ? patronymic.replace(/ич$/, 'на') : patronymic}`,
      address: `г. Северск, ${pick(STREETS, i, 7)}, д. ${1 + (i % 120)}, кв. ${1 + (i % 200)}`,
      pinHash: ctx.pinHash(tenantId, String(1000 + (i % 9000))),
      services: ['gas'],
      updatedAt: now,
    });
    const count = metersOf(i);
    const last = meterValue(i, periods.length - 1, periods);
    for (let m = 0; m < count; m += 1) {
      meters.push({
        _id: ids.meter(i, m),
        tenantId,
        accountId: _id,
        meterId: `${ctx.slug}-b${i}-${m + 1}`,
        serialNumber: `G${10_000_000 + ((i * 7919 + m) % 89_999_999)}`,
        name: count === 1 ? 'Газовый счётчик' : m === 0 ? 'Счётчик (кухня)' : 'Счётчик (котёл)',
        service: 'gas',
        digits: 5,
        decimals: i % 3 === 1 ? 3 : 0,
        lastReadingMilli: last + m * 1_000_000,
        lastReadingDate: lastDate,
        verificationDue: new Date(Date.UTC(2027 + (i % 5), i % 12, 15)),
        tariff,
        usualMonthlyMilli: Math.round(volume(i, periods.length - 1, periods) / count),
        updatedAt: now,
      });
    }
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
    billinghistories.push({ _id, tenantId, months, updatedAt: now });
  }
  return { accounts, meters, billinghistories };
}

/**
 * Subscribers [from, to): an active cabinet signing in by email (every one with the same password
 * hash, made once by the server's own hashing), its links to its accounts with the slots they
 * hold, and one open session (token known to the bench for the first POOL cabinets).
 */
export function subscribersFamily(ctx, from, to) {
  const { tenantId, realm, now } = ctx;
  const subscribers = [];
  const accountlinks = [];
  const linkslots = [];
  const sessions = [];
  const month = 30 * 86_400_000;
  for (let j = from; j < to; j += 1) {
    const _id = ids.subscriber(j);
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
    for (let k = 0; k < linksOf(j); k += 1) {
      const i = 3 * j + k;
      accountlinks.push({
        _id: ids.link(j, k),
        tenantId,
        realm,
        subscriberId: _id,
        accountId: ids.account(i),
        accountNumber: ids.accountNumber(i),
        mode: j === 0 || j % 2 === 1 ? 'extended' : 'basic',
        slot: k,
        createdAt: new Date(createdAt.getTime() + k * 60_000),
      });
      linkslots.push({ _id: ids.slot(j, k), subscriberId: _id, slot: k });
    }
    sessions.push({
      _id: ids.session(j),
      tokenHash: ctx.hashToken(ids.token(j)),
      subscriberId: _id,
      realm,
      tenantId,
      userAgent: 'Mozilla/5.0 (api-scale bench)',
      ip: `10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + 29 * 86_400_000),
      __v: 0,
    });
  }
  return { subscribers, accountlinks, linkslots, sessions };
}

/**
 * The readings of accounts [from, to): accepted readings of the most recent months, one a month,
 * alternating between the account's meters, each at its place in the supplier's export stream
 * (`seq` after `ctx.seqBase`, the readings the supplier had before).
 */
export function readingsFamily(ctx, from, to) {
  const { tenantId, periods, sizes } = ctx;
  const plan = readingPlan(sizes);
  const readings = [];
  for (let i = from; i < to; i += 1) {
    const count = plan.count(i);
    const holder = holderOf(i, sizes);
    const meters = metersOf(i);
    let seq = ctx.seqBase + plan.before(i);
    for (let k = 0; k < count; k += 1) {
      const month = periods.length - count + k;
      const m = k % meters;
      const valueMilli = meterValue(i, month, periods) + m * 1_000_000;
      const previousMilli = month > 0 ? meterValue(i, month - 1, periods) + m * 1_000_000 : null;
      const submittedAt = new Date(`${periods[month]}-${String(15 + (i % 10)).padStart(2, '0')}T09:00:00Z`);
      seq += 1;
      readings.push({
        _id: ids.reading(i, k),
        tenantId,
        accountId: ids.account(i),
        accountNumber: ids.accountNumber(i),
        meterId: ids.meter(i, m),
        meterSerialNumber: `G${10_000_000 + ((i * 7919 + m) % 89_999_999)}`,
        ...(holder >= 0
          ? { subscriberId: ids.subscriber(holder), source: 'portal' }
          : { source: 'import', externalId: `r-${i}-${k}` }),
        period: periods[month],
        valueMilli,
        decimals: i % 3 === 1 ? 3 : 0,
        previousMilli,
        consumptionMilli: previousMilli === null ? null : valueMilli - previousMilli,
        rollover: false,
        status: 'accepted',
        countsKey: `${periods[month]}:${valueMilli}`,
        seq,
        submittedAt,
        updatedAt: submittedAt,
        __v: 0,
      });
    }
  }
  return { readings };
}

/**
 * The payments of subscribers [from, to) through the demo provider: succeeded, receipt issued,
 * one a month going back from last month over the subscriber's accounts in turn; booked by
 * billing except those of the last two months (the cabinet shows them as awaiting confirmation).
 */
export function paymentsFamily(ctx, from, to) {
  const { tenantId, slug, now } = ctx;
  const plan = paymentPlan(ctx.sizes);
  const payments = [];
  for (let j = from; j < to; j += 1) {
    const count = plan.count(j);
    const links = linksOf(j);
    for (let k = 0; k < count; k += 1) {
      const _id = ids.payment(j, k);
      const i = 3 * j + (k % links);
      const createdAt = new Date(now.getTime() - (k + 1) * 30 * 86_400_000 + (j % 1000) * 60_000);
      const succeededAt = new Date(createdAt.getTime() + 40_000);
      const amount = 100_000 + Math.floor(noise(i, 300 + k) * 400_000);
      const penalties = k % 5 === 0 ? 1_500 : 0;
      payments.push({
        _id,
        tenantId,
        tenantSlug: slug,
        subscriberId: ids.subscriber(j),
        idempotencyKey: ids.idempotencyKey(j, k),
        requestHash: `api-scale-${j}-${k}`,
        provider: 'demo',
        providerAccount: '',
        providerRef: `demo_pi_${String(_id)}`,
        clientSecret: '',
        currency: 'RUB',
        items: [{ accountId: ids.account(i), accountNumber: ids.accountNumber(i), address: 'г. Северск', amount, penalties }],
        total: amount + penalties,
        status: 'succeeded',
        version: 2,
        nextAction: '',
        failureCode: '',
        refundedAmount: 0,
        locale: 'ru',
        receiptToken: ids.receiptToken(j, k),
        linkBase: 'http://127.0.0.1',
        succeededAt,
        ...(k >= 2 ? { confirmedAt: new Date(succeededAt.getTime() + 86_400_000) } : {}),
        fulfilment: 'done',
        receipt: {
          issuedAt: succeededAt,
          supplierName: ctx.tenantName,
          supplierLegalName: ctx.tenantLegalName,
          supplierTaxId: ctx.tenantTaxId,
          emailJobId: '',
        },
        createdAt,
        updatedAt: succeededAt,
        __v: 0,
      });
    }
  }
  return { payments };
}

/** Each family, the owners its ranges count, and how many owners one insert batch takes. */
export const FAMILIES = [
  { name: 'accounts', owners: 'accounts', build: accountsFamily, batch: 1_000 },
  { name: 'subscribers', owners: 'subscribers', build: subscribersFamily, batch: 2_000 },
  { name: 'readings', owners: 'accounts', build: readingsFamily, batch: 1_000 },
  { name: 'payments', owners: 'subscribers', build: paymentsFamily, batch: 1_000 },
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
 * What the bench's requests name: the measured cabinet (subscriber 0) with its token, its first
 * account and meter, a reading to preview above the meter's last one, its latest payment and that
 * payment's receipt, and the pool of cabinets whose tokens spread rate-limited requests.
 */
export function measuredCabinet(ctx) {
  const last = meterValue(0, ctx.periods.length - 1, ctx.periods);
  return {
    login: ids.login(0),
    token: ids.token(0),
    subscriberId: ids.subscriber(0),
    sessionId: ids.session(0),
    accountId: String(ids.account(0)),
    meterId: String(ids.meter(0, 0)),
    previewValue: String(last / 1000 + 30),
    paymentId: String(ids.payment(0, 0)),
    receiptToken: ids.receiptToken(0, 0),
    pool: Array.from({ length: POOL }, (_, j) => ({
      subscriberId: ids.subscriber(j),
      token: ids.token(j),
      accountNumber: ids.accountNumber(3 * j),
    })),
  };
}
