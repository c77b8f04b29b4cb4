import { createHash, randomBytes, randomInt } from 'node:crypto';
import { expect } from 'chai';
import { VIEWPORTS } from './helpers.ts';
import { checkpoint, demo, newContext, see, unique, type Demo } from './journey-demo.ts';

const TENANT = 'sever-gaz';

interface Cabinet {
  token: string;
  accountId: string;
  accountNumber: string;
}

async function call(d: Demo, path: string, init: { body?: unknown; auth: string }): Promise<{ status: number; body: any }> {
  const res = await fetch(`${d.server.baseUrl}/api/v1/t/${TENANT}/${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${init.auth}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: await res.json() };
}

/**
 * A signed-in person with one linked account whose gas meter (5 digits) is near the end of its
 * dial. The billing data goes in through the integration API, the link through the cabinet API;
 * only the confirmed cabinet and its session are written to the database directly.
 */
async function cabinetNearRollover(d: Demo): Promise<Cabinet> {
  const key = `demo-${TENANT}`;
  const accountNumber = String(randomInt(1_000_000_000, 9_999_999_999));
  const lastReadingDate = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  expect(
    (
      await call(d, 'integration/accounts', {
        auth: key,
        body: { items: [{ number: accountNumber, holder: 'Петров Пётр Петрович', address: 'ул. Лесная, 5' }] },
      })
    ).status,
  ).to.equal(200);
  const meters = await call(d, 'integration/meters', {
    auth: key,
    body: {
      items: [
        {
          meterId: `e2e-${accountNumber}`,
          accountNumber,
          serialNumber: `E2E${accountNumber}`,
          digits: 5,
          decimals: 0,
          lastReading: 99_990,
          lastReadingDate,
          tariff: 751,
        },
      ],
    },
  });
  expect(meters.status).to.equal(200);

  const tenant = await d.db.collection('tenants').findOne({ slug: TENANT });
  const email = `readings-${unique()}@example.test`;
  const now = new Date();
  const { insertedId: subscriberId } = await d.db.collection('subscribers').insertOne({
    realm: tenant!.realm,
    tenantId: tenant!._id,
    login: email,
    email,
    loginKind: 'email',
    personType: 'individual',
    mustChangePassword: false,
    status: 'active',
    fullName: 'Петров Пётр Петрович',
    locale: 'ru',
    createdAt: now,
    updatedAt: now,
  });
  const token = randomBytes(32).toString('base64url');
  await d.db.collection<{ _id: string; [field: string]: unknown }>('auth_sessions').insertOne({
    _id: createHash('sha256').update(token).digest('hex'),
    subscriberId,
    generation: 0,
    realm: tenant!.realm,
    tenantId: tenant!._id,
    userAgent: '',
    ip: '',
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + 86_400_000),
  });
  const linked = await call(d, 'accounts', { auth: token, body: { supplier: TENANT, number: accountNumber } });
  expect(linked.status).to.equal(201);
  return { token, accountId: linked.body.id, accountNumber };
}

describe('e2e: meter readings on a supplier’s page', () => {
  it('takes a reading past the end of the dial once the person confirms the rollover, by keyboard, and stores it once', async () => {
    const d = await demo();
    const cabinet = await cabinetNearRollover(d);
    const { context, page } = await newContext(d.browser, VIEWPORTS.phone);
    try {
      await context.addInitScript(
        ([storageKey, token]) => sessionStorage.setItem(storageKey!, token!),
        [`gaskit:session:${d.server.baseUrl}:${TENANT}`, cabinet.token],
      );
      await page.goto(`${d.server.baseUrl}/examples/${TENANT}/readings.html`);
      const readings = page.locator('gaskit-readings');
      await readings.evaluate((el, id) => el.setAttribute('account-id', id), cabinet.accountId);
      await see(readings, 'Предыдущие показания: 99 990');

      const field = readings.locator('gaskit-text-field input');
      await field.focus();
      await page.keyboard.type('25');
      await page.keyboard.press('Enter');
      await see(readings, 'Проверьте показания');
      await see(readings, 'Показания 25 меньше предыдущих (99 990)');
      await checkpoint(page, 'readings-01-rollover-review');

      const send = readings.getByRole('button', { name: 'Передать показания' });
      await send.click();
      await see(readings, 'Подтвердите, чтобы передать показания.');
      const confirm = readings.getByRole('checkbox', { name: /перешёл через ноль/ });
      expect(await confirm.evaluate((el) => el.matches(':focus'))).to.equal(true);
      await page.keyboard.press('Space');
      await send.click();
      await see(readings, 'Показания приняты');
      await checkpoint(page, 'readings-02-done');

      const mine: Record<string, unknown>[] = [];
      for (let cursor = '0', more = true; more;) {
        const batch = await call(d, `integration/export/readings?cursor=${cursor}&limit=1000`, { auth: `demo-${TENANT}` });
        mine.push(...batch.body.items.filter((i: { accountNumber: string }) => i.accountNumber === cabinet.accountNumber));
        ({ cursor, hasMore: more } = batch.body);
      }
      expect(mine).to.have.length(1);
      expect(mine[0]).to.include({ value: '25', rollover: true, consumption: '35', status: 'accepted', source: 'portal' });
    } finally {
      await context.close();
    }
  });
});
