/**
 * Tenant and realm isolation, endpoint by endpoint. Three suppliers: A and B share a realm (one
 * subscriber base), C has its own. B and C are the victims: each has an account with meters,
 * charges and balances, a subscriber who linked it, sent a reading, paid and wrote to support.
 * The attackers are a subscriber of A (with an account of their own), a second subscriber of B, and
 * A's API keys. Every endpoint of the server (the OpenAPI document's and every mounted route) must
 * be in the table below; an endpoint that is not fails the suite, so a new one cannot slip through.
 * How an endpoint is protected comes from its contract's `auth` (contracts/); the table gives the
 * request that tries to reach a victim's data through it, and the protection only of the routes
 * that have no contract (pages, static files, the receipts' short link).
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import mongoose, { Types } from 'mongoose';
import type { Auth } from '../../contracts/endpoint.ts';
import { openapiPath } from '../../contracts/endpoint.ts';
import { ENDPOINTS as CONTRACTS } from '../../contracts/index.ts';
import { listLinkedAccounts } from '../../server/accounts/service.ts';
import { openSession } from '../../server/auth/sessions.ts';
import { fileLinkSignature } from '../../server/feedback/addresses.ts';
import { subscriberCtxOf } from '../../server/http/context.ts';
import { errorHandler } from '../../server/http/error-handler.ts';
import { createLogger } from '../../server/http/logger.ts';
import { tenantScope } from '../../server/http/tenant-scope.ts';
import { createApiKey } from '../../server/integration/keys.ts';
import { moduleRoutes } from '../../server/http/app.ts';
import { MODULES } from '../../server/modules.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { freshNumber } from '../helpers/billing.ts';
import { card } from '../helpers/payments.ts';
import { api, testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f3c1f60000000049454e44ae426082',
  'hex',
);

/** What a victim has, and the strings that must never reach anyone else. */
interface Victim {
  tenant: TenantDoc;
  /** The victim's own session, for the control requests. */
  auth: Record<string, string>;
  subscriberId: string;
  accountId: string;
  accountNumber: string;
  meterId: string;
  readingId: string;
  paymentId: string;
  receiptToken: string;
  feedbackId: string;
  fileId: string;
  sessionId: string;
  faqKey: string;
  markers: string[];
}

interface Req {
  path: string;
  body?: unknown;
}

/** How an endpoint is protected, and the request that tries to reach a victim's data through it. */
type Entry =
  /** Bearer session of a subscriber. `own`: answers with the caller's own data (lists, profile), never another's. `realmWide`: any subscriber of the realm may use it with an account number from a bill (check and link). `anonymous`: open without credentials too (then with a captcha); a bearer header sent must be a valid session. */
  | { auth: 'session'; request: (v: Victim) => Req; own?: true; realmWide?: true; anonymous?: true }
  /** Integration API key. `own`: reads or writes the key's own tenant only. */
  | { auth: 'apiKey'; request: (v: Victim) => Req; own?: true }
  /** No credentials: public data of the tenant in the URL; GETs are requested and must show nothing private. */
  | { auth: 'public'; why: string }
  /** A secret in the URL or a signature decides; `request` presents a victim's secret at another tenant. */
  | { auth: 'signed'; why: string; request?: (v: Victim, other: TenantDoc) => Req }
  /** Not part of the tenant API (development and demo pages, static files). */
  | { auth: 'none'; why: string };

/** A row of the table: an `Entry` whose `auth` its contract gives, when it has one. */
interface Row {
  auth?: Entry['auth'];
  why?: string;
  own?: true;
  realmWide?: true;
  anonymous?: true;
  request?: (v: Victim, other: TenantDoc) => Req;
}

/**
 * The isolation class of a contract's `auth`: every kind of session is a subscriber's session,
 * also where one is optional (`sender`: its row says `anonymous`); a development tool (`local`)
 * is not part of the tenant API.
 */
function classOf(auth: Auth): Entry['auth'] {
  if (typeof auth === 'object') return 'apiKey';
  if (auth === 'local') return 'none';
  return auth === 'subscriber' || auth === 'sender' ? 'session' : auth;
}

const CONTRACT_AUTH = new Map(CONTRACTS.map((e) => [`${e.method} ${openapiPath(e)}`, classOf(e.auth)]));

const TABLE: Record<string, Row> = {
  'GET /openapi.json': { why: 'the API document' },
  'GET /t/{tenant}/config': { why: "the supplier's public configuration" },
  'GET /t/{tenant}/i18n/{lng}': { why: 'texts with the tenant overrides' },
  'GET /t/{tenant}/theme.css': { why: 'theme' },
  'GET /t/{tenant}/faq': { why: "the supplier's published questions and answers" },
  'GET /t/{tenant}/auth/captcha': { why: 'a captcha challenge' },
  'POST /t/{tenant}/auth/register': { why: 'never tells whether a login exists (auth tests)' },
  'POST /t/{tenant}/auth/confirm': { why: 'one-time token of the realm (auth tests)' },
  'POST /t/{tenant}/auth/resend': { why: 'never tells whether a login exists (auth tests)' },
  'POST /t/{tenant}/auth/login': { why: 'logins are per realm; the session check below refuses another realm' },
  'POST /t/{tenant}/auth/password/forgot': { why: 'never tells whether a login exists (auth tests)' },
  'POST /t/{tenant}/auth/password/reset': { why: 'one-time token of the realm (auth tests)' },
  'POST /t/{tenant}/auth/logout': { own: true, request: () => ({ path: '/auth/logout', body: {} }) },
  'POST /t/{tenant}/auth/password/change': {
    own: true,
    request: () => ({
      path: '/auth/password/change',
      body: { currentPassword: 'Abc12345', newPassword: 'Xyz98765', repeatPassword: 'Xyz98765' },
    }),
  },
  'GET /t/{tenant}/me': { own: true, request: () => ({ path: '/me' }) },
  'PATCH /t/{tenant}/me': { own: true, request: () => ({ path: '/me', body: { fullName: 'Чужой Человек' } }) },
  'DELETE /t/{tenant}/me': { own: true, request: () => ({ path: '/me', body: { password: 'Abc12345' } }) },
  'POST /t/{tenant}/me/contact/confirm': {
    own: true,
    request: () => ({ path: '/me/contact/confirm', body: { code: '123456' } }),
  },
  'GET /t/{tenant}/me/sessions': { own: true, request: () => ({ path: '/me/sessions' }) },
  'DELETE /t/{tenant}/me/sessions/{id}': { request: (v) => ({ path: `/me/sessions/${v.sessionId}` }) },
  'POST /t/{tenant}/accounts/check': {
    realmWide: true,
    request: (v) => ({ path: '/accounts/check', body: { supplier: v.tenant.slug, number: v.accountNumber } }),
  },
  'GET /t/{tenant}/accounts': { own: true, request: () => ({ path: '/accounts' }) },
  'POST /t/{tenant}/accounts': {
    realmWide: true,
    request: (v) => ({ path: '/accounts', body: { supplier: v.tenant.slug, number: v.accountNumber } }),
  },
  'DELETE /t/{tenant}/accounts/{id}': { request: (v) => ({ path: `/accounts/${v.accountId}` }) },
  'POST /t/{tenant}/accounts/{id}/pin': {
    request: (v) => ({ path: `/accounts/${v.accountId}/pin`, body: { pin: '9753' } }),
  },
  'GET /t/{tenant}/accounts/{id}/summary': { request: (v) => ({ path: `/accounts/${v.accountId}/summary` }) },
  'GET /t/{tenant}/accounts/{id}/charges': { request: (v) => ({ path: `/accounts/${v.accountId}/charges` }) },
  'GET /t/{tenant}/accounts/{id}/meters': { request: (v) => ({ path: `/accounts/${v.accountId}/meters` }) },
  'GET /t/{tenant}/accounts/{id}/readings': { request: (v) => ({ path: `/accounts/${v.accountId}/readings` }) },
  'POST /t/{tenant}/readings': {
    request: (v) => ({ path: '/readings', body: { accountId: v.accountId, readings: [{ meterId: v.meterId, value: '150' }] } }),
  },
  'POST /t/{tenant}/readings/preview': {
    request: (v) => ({
      path: '/readings/preview',
      body: { accountId: v.accountId, readings: [{ meterId: v.meterId, value: '150' }] },
    }),
  },
  'GET /t/{tenant}/payments/options': { own: true, request: () => ({ path: '/payments/options' }) },
  'POST /t/{tenant}/payments': {
    request: (v) => ({ path: '/payments', body: { items: [{ accountId: v.accountId, amount: 1000 }] } }),
  },
  'GET /t/{tenant}/payments': { own: true, request: (v) => ({ path: `/payments?accountId=${v.accountId}` }) },
  'GET /t/{tenant}/payments/{id}': { request: (v) => ({ path: `/payments/${v.paymentId}` }) },
  'POST /t/{tenant}/payments/{id}/cancel': {
    request: (v) => ({ path: `/payments/${v.paymentId}/cancel`, body: {} }),
  },
  'POST /t/{tenant}/payments/{id}/demo/confirm': {
    request: (v) => ({ path: `/payments/${v.paymentId}/demo/confirm`, body: card('4242424242424242') }),
  },
  'POST /t/{tenant}/payments/{id}/demo/authenticate': {
    request: (v) => ({ path: `/payments/${v.paymentId}/demo/authenticate`, body: { approve: true } }),
  },
  'POST /t/{tenant}/feedback': {
    own: true,
    anonymous: true,
    request: (v) => ({
      path: '/feedback',
      body: { topic: 'other', message: 'Вопрос о чужом счёте', accountNumber: v.accountNumber },
    }),
  },
  'GET /t/{tenant}/feedback': { own: true, request: () => ({ path: '/feedback' }) },
  'GET /t/{tenant}/feedback/contact': { own: true, request: () => ({ path: '/feedback/contact' }) },
  'GET /t/{tenant}/feedback/{id}': { request: (v) => ({ path: `/feedback/${v.feedbackId}` }) },
  'GET /t/{tenant}/feedback/{id}/files/{fileId}': {
    why: 'a link signed for the supplier, the request and the file',
    request: (v, other) => {
      const exp = Math.floor(Date.now() / 1000) + 600;
      return {
        path: `/api/v1/t/${other.slug}/feedback/${v.feedbackId}/files/${v.fileId}?exp=${exp}&sig=${fileLinkSignature(v.tenant.slug, v.feedbackId, v.fileId, exp)}`,
      };
    },
  },
  'GET /t/{tenant}/receipts/{token}': {
    why: 'the receipt token is the secret of the link',
    request: (v, other) => ({ path: `/api/v1/t/${other.slug}/receipts/${v.receiptToken}` }),
  },
  'POST /t/{tenant}/integration/accounts': {
    own: true,
    request: (v) => ({ path: '/integration/accounts', body: { items: [{ number: v.accountNumber, holder: 'Захватчик' }] } }),
  },
  'POST /t/{tenant}/integration/meters': {
    request: (v) => ({
      path: '/integration/meters',
      body: { items: [{ meterId: `m-${v.accountNumber}`, accountNumber: v.accountNumber }] },
    }),
  },
  'POST /t/{tenant}/integration/charges': {
    request: (v) => ({
      path: '/integration/charges',
      body: { items: [{ accountNumber: v.accountNumber, period: '2026-10', lines: [{ service: 'Газоснабжение', amount: 1 }] }] },
    }),
  },
  'POST /t/{tenant}/integration/balances': {
    request: (v) => ({
      path: '/integration/balances',
      body: { items: [{ accountNumber: v.accountNumber, period: '2026-10', opening: 0, charged: 0, paid: 0, closing: 0 }] },
    }),
  },
  'GET /t/{tenant}/integration/export/readings': {
    own: true,
    request: () => ({ path: '/integration/export/readings' }),
  },
  'POST /t/{tenant}/integration/readings/status': {
    own: true,
    request: (v) => ({
      path: '/integration/readings/status',
      body: { items: [{ id: v.readingId, status: 'rejected', reason: 'x' }] },
    }),
  },
  'GET /t/{tenant}/integration/export/payments': {
    own: true,
    request: () => ({ path: '/integration/export/payments' }),
  },
  'POST /t/{tenant}/integration/payments/confirm': {
    own: true,
    request: (v) => ({ path: '/integration/payments/confirm', body: { ids: [v.paymentId] } }),
  },
  'GET /t/{tenant}/integration/feedback': { own: true, request: () => ({ path: '/integration/feedback' }) },
  'PATCH /t/{tenant}/integration/feedback/{id}': {
    request: (v) => ({
      path: `/integration/feedback/${v.feedbackId}`,
      body: { status: 'closed', answer: 'Закрыто чужим ключом' },
    }),
  },
  'PUT /t/{tenant}/integration/faq': {
    own: true,
    request: (v) => ({
      path: '/integration/faq',
      body: { entries: [{ key: v.faqKey, question: 'Чужой вопрос?', answer: 'Чужой ответ.' }] },
    }),
  },
  'DELETE /t/{tenant}/integration/faq/{key}': {
    own: true,
    request: (v) => ({ path: `/integration/faq/${v.faqKey}` }),
  },
  'POST /webhooks/stripe': {
    why: "Stripe's signature; the tenant comes from the event's connected account (payments tests)",
  },
  'GET /r/{tenant}/{token}': {
    auth: 'signed',
    why: "a receipt's short link (SMS): a redirect to GET /t/{tenant}/receipts/{token} without a lookup, whose token decides (above)",
  },
  'POST /inbound/email': {
    why: 'signed with GASKIT_INBOUND_SECRET; the request comes from the signed reply address (feedback tests)',
  },
  'GET /t/{tenant}': { auth: 'none', why: 'hosted portal page (static HTML, no data)' },
  'GET /t/{tenant}/{*rest}': { auth: 'none', why: 'hosted portal page (static HTML, no data)' },
  'GET /portal/hosted.css': { auth: 'none', why: 'static stylesheet' },
  'GET /docs/api': { auth: 'none', why: 'rendered OpenAPI document' },
  'GET /docs/api/init.js': { auth: 'none', why: 'static script' },
  'GET /dev/mailbox': { why: 'development and demo mode only, refused otherwise (notify tests)' },
  'GET /dev/mailbox.json': { why: 'development and demo mode only, refused otherwise (notify tests)' },
  'GET /demo/bills/{tenant}': { auth: 'none', why: 'demo mode only: printable sample bills of the demo suppliers' },
  'GET /demo/bills/{tenant}.json': { auth: 'none', why: 'demo mode only: sample bills as JSON' },
};

/**
 * The table with each endpoint's protection: from its contract, or, for a route without one, as
 * the table states it. A contract endpoint with a protection in the table, or a route without a
 * contract and without one, throws: the contract is the one place that says it.
 */
function classify(table: Record<string, Row>): Record<string, Entry> {
  return Object.fromEntries(
    Object.entries(table).map(([endpoint, row]) => {
      const fromContract = CONTRACT_AUTH.get(endpoint);
      if (fromContract && row.auth) throw new Error(`${endpoint}: its contract gives its auth, the table must not`);
      const auth = fromContract ?? row.auth;
      if (!auth) throw new Error(`${endpoint}: no contract and no auth in the table`);
      const attacked = auth === 'session' || auth === 'apiKey';
      if (attacked ? !row.request : !row.why) throw new Error(`${endpoint} (${auth}): needs ${attacked ? 'a request' : 'a why'}`);
      return [endpoint, { ...row, auth } as Entry];
    }),
  );
}

const ENDPOINTS = classify(TABLE);

/** `METHOD /path/{param}` of every documented endpoint. */
async function documented(): Promise<string[]> {
  const { body } = await api('/api/v1/openapi.json');
  return Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
}

/** `METHOD /path/{param}` of every route mounted by a module, API routes without their `/api/v1` prefix. */
function mounted(): string[] {
  const out: string[] = [];
  for (const { place, router } of moduleRoutes(MODULES)) {
    const prefix = place === 'tenant' ? '/t/{tenant}' : '';
    for (const layer of (
      router as unknown as { stack?: { route?: { path: string | string[]; methods: Record<string, boolean> } }[] }
    )?.stack ?? []) {
      if (!layer.route) continue;
      for (const raw of [layer.route.path].flat()) {
        const p = `${prefix}${raw}`.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${p}`);
      }
    }
  }
  return out;
}

/** A mounted route is covered by the documented paths it serves (its own, or those its parameters match). */
function coveredByDocumented(route: string, docs: string[]): boolean {
  const pattern = new RegExp(`^${route.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\}/g, '[^/]+')}$`);
  return docs.some((d) => pattern.test(d));
}

const DENIED = [400, 401, 403, 404, 409, 422];

async function freshTenant(realm: string): Promise<TenantDoc> {
  const slug = `iso-${randomBytes(4).toString('hex')}`;
  const doc = await Tenant.create({
    slug,
    name: `Изогаз ${slug}`,
    legalName: 'ООО «Изогаз»',
    realm,
    readings: { windowStartDay: 1, windowEndDay: 31, outsideWindow: 'next-period', timeZone: 'Europe/Moscow' },
    support: { departments: [{ id: 'office', email: `office@${slug}.example`, topics: ['cabinet', 'other'] }] },
  });
  return doc.toObject() as TenantDoc;
}

async function call(slug: string, method: string, req: Req, headers: Record<string, string>) {
  const path = req.path.startsWith('/api/') ? req.path : `/api/v1/t/${slug}${req.path}`;
  return api(path, { method, ...(req.body === undefined ? {} : { body: req.body }), headers });
}

/** A supplier's account with everything a subscriber can have on it. */
async function victim(tenant: TenantDoc): Promise<Victim> {
  const tag = randomBytes(4).toString('hex');
  const key = { Authorization: `Bearer ${(await createApiKey(tenant._id, 'billing', ['billing:write', 'export:read'])).key}` };
  const accountNumber = freshNumber();
  const holder = `Секретов${tag} Тайн Тайнович`;
  const address = `г. Закрытый, ул. Тайная ${tag}, д. 1`;
  const upsert = async (kind: string, items: unknown[]) => {
    const res = await api(`/api/v1/t/${tenant.slug}/integration/${kind}`, { body: { items }, headers: key });
    expect(res.status, `${kind}: ${JSON.stringify(res.body)}`).to.equal(200);
  };
  await upsert('accounts', [{ number: accountNumber, holder, address, pin: '9753' }]);
  await upsert('meters', [
    { meterId: `m-${accountNumber}`, accountNumber, serialNumber: `SN-${tag}`, digits: 5, lastReading: 100, tariff: 850 },
  ]);
  await upsert('charges', [
    { accountNumber, period: '2026-10', lines: [{ service: 'Газоснабжение', volume: 10, tariff: 850, amount: 8500 }] },
  ]);
  await upsert('balances', [{ accountNumber, period: '2026-10', opening: 0, charged: 8500, paid: 0, closing: 8500 }]);

  const email = `victim-${tag}@example.test`;
  const s = await signedInSubscriber(tenant.slug, { email });
  const as = (req: Req, method = req.body === undefined ? 'GET' : 'POST', extra: Record<string, string> = {}) =>
    call(tenant.slug, method, req, { ...s.auth, ...extra });
  const linked = await as({ path: '/accounts', body: { supplier: tenant.slug, number: accountNumber } });
  const accountId = linked.body.id as string;
  await as({ path: `/accounts/${accountId}/pin`, body: { pin: '9753' } });
  const meterId = (await as({ path: `/accounts/${accountId}/meters` })).body.items[0].id as string;
  const reading = await as({ path: '/readings', body: { accountId, readings: [{ meterId, value: '110' }] } }, 'POST', {
    'Idempotency-Key': `iso-${tag}`,
  });
  expect(reading.status, JSON.stringify(reading.body)).to.equal(201);
  const payment = await as({ path: '/payments', body: { items: [{ accountId, amount: 8500 }] } }, 'POST', {
    'Idempotency-Key': `pay-${tag}`,
  });
  expect(payment.status, JSON.stringify(payment.body)).to.equal(201);
  const paymentId = payment.body.payment.id as string;
  const paid = await as({ path: `/payments/${paymentId}/demo/confirm`, body: card('4242424242424242') });
  expect(paid.body.status, JSON.stringify(paid.body)).to.equal('succeeded');
  const receiptUrl = (await as({ path: `/payments/${paymentId}` })).body.receipt.url as string;

  const message = `Тайное обращение ${tag}`;
  const form = new FormData();
  form.append('topic', 'other');
  form.append('message', message);
  form.append('files', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'счётчик.png');
  const feedback = await fetch(`${testServer().baseUrl}/api/v1/t/${tenant.slug}/feedback`, {
    method: 'POST',
    body: form,
    headers: s.auth,
  });
  const sent = (await feedback.json()) as { id: string; attachments: { id: string }[] };
  expect(feedback.status, JSON.stringify(sent)).to.equal(201);
  const sessionId = (await as({ path: '/me/sessions' })).body[0].id as string;
  const faqKey = `faq-${tag}`;
  await api(`/api/v1/t/${tenant.slug}/integration/faq`, {
    method: 'PUT',
    body: { entries: [{ key: faqKey, question: `Вопрос ${tag}?`, answer: 'Ответ.' }] },
    headers: { Authorization: `Bearer demo-${tenant.slug}` },
  });
  return {
    tenant,
    auth: s.auth,
    subscriberId: String(s.subscriber._id),
    accountId,
    accountNumber,
    meterId,
    readingId: reading.body.readings[0].id as string,
    paymentId,
    receiptToken: receiptUrl.split('/').at(-1)!,
    feedbackId: sent.id,
    fileId: sent.attachments[0]!.id,
    sessionId,
    faqKey,
    markers: [holder, address, email, message, `SN-${tag}`],
  };
}

/**
 * Every document that belongs to the victims: billing data of their suppliers, and anything that
 * names their subscribers or accounts (links, readings, payments, requests, sessions…).
 */
async function fingerprint(victims: Victim[]): Promise<string> {
  const db = mongoose.connection.db!;
  const tenantIds = victims.map((v) => v.tenant._id);
  const subscribers = victims.map((v) => new Types.ObjectId(v.subscriberId));
  const accounts = victims.map((v) => v.accountId);
  const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
  const parts: unknown[] = [];
  for (const name of names) {
    const filter = {
      $or: [
        { subscriberId: { $in: subscribers } },
        { accountId: { $in: accounts } },
        { _id: { $in: [...subscribers, ...accounts] } },
        ...(['billing_accounts', 'billing_current', 'billing_past', 'faqentries'].includes(name)
          ? [{ tenantId: { $in: tenantIds } }]
          : []),
      ],
    };
    const docs = await db.collection<{ _id: Types.ObjectId | string }>(name).find(filter).sort({ _id: 1 }).toArray();
    parts.push([name, docs]);
  }
  return JSON.stringify(parts);
}

function expectNoLeak(body: unknown, victims: Victim[], what: string) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  for (const v of victims) for (const marker of v.markers) expect(text, `${what} leaks ${marker}`).to.not.include(marker);
}

describe('tenant and realm isolation', function () {
  this.timeout(120_000);
  const realm = `iso-realm-${randomBytes(3).toString('hex')}`;
  let A: TenantDoc;
  let B: TenantDoc;
  let C: TenantDoc;
  let victims: { B: Victim; C: Victim };
  let attackerA: Awaited<ReturnType<typeof signedInSubscriber>>;
  let attackerB: Awaited<ReturnType<typeof signedInSubscriber>>;
  let keyA: Record<string, string>;

  before(async () => {
    [A, B, C] = [
      await freshTenant(realm),
      await freshTenant(realm),
      await freshTenant(`iso-other-${randomBytes(3).toString('hex')}`),
    ];
    victims = { B: await victim(B), C: await victim(C) };
    // The attacker of A has an account and data of their own, so "own" lists are not trivially empty.
    const own = await victim(A);
    attackerA = await signedInSubscriber(A.slug);
    attackerB = await signedInSubscriber(B.slug);
    await call(A.slug, 'POST', { path: '/accounts', body: { supplier: A.slug, number: own.accountNumber } }, attackerA.auth);
    keyA = {
      Authorization: `Bearer ${(await createApiKey(A._id, 'attacker', ['billing:write', 'export:read', 'feedback:write', 'payments:write', 'readings:write'])).key}`,
    };
  });

  it('classifies every endpoint of the server', async () => {
    const docs = await documented();
    const routes = mounted();
    const unclassified = [...docs, ...routes.filter((r) => !coveredByDocumented(r, docs))].filter((e) => !ENDPOINTS[e]);
    expect([...new Set(unclassified)], 'add these endpoints to the isolation table').to.deep.equal([]);
    const stale = Object.keys(ENDPOINTS).filter((e) => !docs.includes(e) && !routes.includes(e));
    expect(stale, 'endpoints in the table that no longer exist').to.deep.equal([]);
  });

  it('answers 401 on every subscriber endpoint without a session, with a malformed one and with an unknown one', async () => {
    const before = await fingerprint(Object.values(victims));
    const unknown = randomBytes(32).toString('base64url');
    const cases: { headers: Record<string, string>; code: string; label: string }[] = [
      { headers: {}, code: 'unauthenticated', label: 'no session' },
      { headers: { Authorization: 'Bearer short' }, code: 'unauthenticated', label: 'a malformed token' },
      { headers: { Authorization: `Bearer ${unknown}` }, code: 'session_expired', label: 'an unknown token' },
    ];
    for (const [endpoint, entry] of Object.entries(ENDPOINTS)) {
      if (entry.auth !== 'session') continue;
      const method = endpoint.split(' ')[0]!;
      for (const { headers, code, label } of cases) {
        if (entry.anonymous && !headers.Authorization) continue;
        const res = await call(B.slug, method, entry.request(victims.B), headers);
        const what = `${endpoint} with ${label}: ${res.status} ${JSON.stringify(res.body)}`;
        expect(res.status, what).to.equal(401);
        expect(res.body.error.code, what).to.equal(code);
      }
    }
    expect(await fingerprint(Object.values(victims))).to.equal(before);
  });

  it('answers 401, not 500, on a subscriber route mounted without the session guard', async () => {
    const scoped = tenantScope();
    scoped.get('/unguarded', async (req, res) => {
      res.json(await listLinkedAccounts(subscriberCtxOf(req)));
    });
    const app = express()
      .use('/api/v1/t/:tenant', scoped)
      .use(errorHandler(createLogger('silent')));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const { port } = server.address() as AddressInfo;
      for (const headers of [{}, victims.B.auth]) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/t/${B.slug}/unguarded`, { headers });
        const body = (await res.json()) as { error: { code: string } };
        expect(res.status, JSON.stringify(body)).to.equal(401);
        expect(body.error.code).to.equal('unauthenticated');
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a session of another realm on every subscriber endpoint', async () => {
    const before = await fingerprint(Object.values(victims));
    for (const [endpoint, entry] of Object.entries(ENDPOINTS)) {
      if (entry.auth !== 'session') continue;
      const method = endpoint.split(' ')[0]!;
      // A fresh session each time: some endpoints (logout, delete) end the caller's own session.
      const { token } = await openSession({ subscriberId: attackerA.subscriber._id, realm: A.realm, tenantId: A._id });
      const res = await call(C.slug, method, entry.request(victims.C), { Authorization: `Bearer ${token}` });
      expect(res.status, `${endpoint}: ${JSON.stringify(res.body)}`).to.equal(401);
      expectNoLeak(res.body, [victims.C], endpoint);
    }
    expect(await fingerprint(Object.values(victims))).to.equal(before);
  });

  it("refuses another subscriber's accounts, readings, payments, requests and sessions on every subscriber endpoint", async () => {
    const before = await fingerprint(Object.values(victims));
    for (const v of Object.values(victims)) {
      // Controls: the victim sees its own data, and the fingerprint holds it.
      const own = await call(v.tenant.slug, 'GET', { path: `/accounts/${v.accountId}/summary` }, v.auth);
      expect(JSON.stringify(own.body)).to.include(v.markers[0]).and.include(v.markers[4]);
      expect(before).to.include(v.accountNumber).and.include(v.paymentId).and.include(v.feedbackId);
    }
    const attempts: { who: Awaited<ReturnType<typeof signedInSubscriber>>; at: TenantDoc; target: Victim; label: string }[] = [
      { who: attackerA, at: B, target: victims.B, label: 'subscriber of A at B (same realm)' },
      { who: attackerA, at: A, target: victims.B, label: "subscriber of A at A, B's ids" },
      { who: attackerA, at: A, target: victims.C, label: "subscriber of A at A, C's ids" },
      { who: attackerB, at: B, target: victims.B, label: 'another subscriber of B' },
    ];
    for (const [endpoint, entry] of Object.entries(ENDPOINTS)) {
      if (entry.auth !== 'session') continue;
      const method = endpoint.split(' ')[0]!;
      for (const { who, at, target, label } of attempts) {
        // Check and link work for any subscriber of the realm with a number from a bill: that is the seeds' linking flow.
        if (entry.realmWide && target.tenant.realm === who.tenant.realm) continue;
        const { token } = await openSession({
          subscriberId: who.subscriber._id,
          realm: who.tenant.realm,
          tenantId: who.tenant._id,
        });
        const res = await call(at.slug, method, entry.request(target), { Authorization: `Bearer ${token}` });
        const what = `${endpoint} (${label}): ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        expect(res.status, what).to.be.below(500);
        if (!entry.own) expect(DENIED, what).to.include(res.status);
        expectNoLeak(res.body, [target], what);
      }
    }
    expect(await fingerprint(Object.values(victims))).to.equal(before);
  });

  it("refuses another supplier's API key, and keeps a key to its own supplier's data, on every integration endpoint", async () => {
    const before = await fingerprint(Object.values(victims));
    // Writes to the key's own supplier last: an account A creates with B's number is A's own, and would then be found.
    const entries = Object.entries(ENDPOINTS).sort(
      ([, a], [, b]) => Number('own' in a && a.own === true) - Number('own' in b && b.own === true),
    );
    for (const [endpoint, entry] of entries) {
      if (entry.auth !== 'apiKey') continue;
      const method = endpoint.split(' ')[0]!;
      for (const target of [victims.B, victims.C]) {
        for (const headers of [keyA, { Authorization: `Bearer demo-${A.slug}` }, { 'X-Api-Key': keyA.Authorization!.slice(7) }]) {
          const res = await call(target.tenant.slug, method, entry.request(target), headers);
          expect(res.status, `${endpoint} with A's key at ${target.tenant.slug}`).to.equal(401);
          expectNoLeak(res.body, [target], endpoint);
        }
        const own = await call(A.slug, method, entry.request(target), keyA);
        const what = `${endpoint} at A with ${target.tenant.slug}'s data: ${own.status} ${JSON.stringify(own.body).slice(0, 300)}`;
        expect(own.status, what).to.be.below(500);
        if (!entry.own) expect(DENIED, what).to.include(own.status);
        expectNoLeak(own.body, [target], what);
      }
    }
    expect(await fingerprint(Object.values(victims))).to.equal(before);
  });

  it("refuses a victim's signed link or receipt token at another supplier", async () => {
    for (const [endpoint, entry] of Object.entries(ENDPOINTS)) {
      if (entry.auth !== 'signed' || !entry.request) continue;
      for (const [target, other] of [
        [victims.B, A],
        [victims.C, A],
        [victims.B, C],
      ] as const) {
        const res = await call(other.slug, 'GET', entry.request(target, other), {});
        expect(DENIED, `${endpoint}: ${target.tenant.slug}'s secret at ${other.slug} → ${res.status}`).to.include(res.status);
        expectNoLeak(res.body, [target], endpoint);
      }
    }
  });

  it('shows nothing private on the public endpoints of a supplier', async () => {
    for (const [endpoint, entry] of Object.entries(ENDPOINTS)) {
      if (entry.auth !== 'public' || !endpoint.startsWith('GET ')) continue;
      for (const target of [victims.B, victims.C]) {
        const path = endpoint.slice(4).replace('{tenant}', target.tenant.slug).replace('{lng}', 'ru');
        const res = await api(`/api/v1${path}`);
        expect(res.status, endpoint).to.be.below(400);
        expectNoLeak(res.body, [target], endpoint);
      }
    }
  });
});
