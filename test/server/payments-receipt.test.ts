import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { openSession } from '../../server/auth/sessions.ts';
import type { NotifyOptions } from '../../server/notify/service.ts';
import { maskDestination, receiptDestination } from '../../server/payments/receipt-delivery.ts';
import { Subscriber } from '../../server/subscribers/model.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { card, followedUp, idempotencyKey, linkPayableAccount, payer } from '../helpers/payments.ts';
import { waitFor } from '../helpers/process.ts';
import { api, testApp, testServer } from '../helpers/server.ts';

interface DevMessage {
  kind: 'email' | 'sms';
  to: string;
  subject: string;
  text: string;
}

/** The message the dev mailbox got for `to` that matches, once the outbox worker delivered it. */
async function mailbox(to: string, match: (m: DevMessage) => boolean): Promise<DevMessage> {
  let found: DevMessage | undefined;
  await waitFor(async () => {
    const box = await api(`/dev/mailbox.json?to=${encodeURIComponent(to)}`);
    found = (box.body as DevMessage[]).find(match);
    return Boolean(found);
  }, 45_000);
  expect(found, `a message to ${to}`).to.not.equal(undefined);
  return found!;
}

/** A cabinet of yug-gaz registered with a mobile phone and no email, signed in. */
async function phoneSubscriber() {
  const tenant = (await Tenant.findOne({ slug: 'yug-gaz' }).lean())!;
  const phone = `+7999${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  const subscriber = await Subscriber.create({
    realm: tenant.realm,
    tenantId: tenant._id,
    login: phone,
    phone,
    loginKind: 'phone',
    status: 'active',
  });
  const { token } = await openSession({ subscriberId: subscriber._id, realm: tenant.realm, tenantId: tenant._id });
  return { phone, auth: { Authorization: `Bearer ${token}` } };
}

describe('payments: where the receipt goes', function () {
  this.timeout(90_000);
  // An SMS gateway of this test's own: other tests swap the transports.
  const texts: { to: string; text: string }[] = [];
  let previous: NotifyOptions = {};
  before(() => {
    previous = testApp().notify.settings();
    testApp().notify.configure({ sms: { send: async (to, text) => void texts.push({ to, text }) } });
  });
  after(() => testApp().notify.configure(previous));

  it('sends it by email when there is an address, else by SMS to the phone, else nowhere', () => {
    expect(receiptDestination({ email: 'ivan@example.ru', phone: '+79991234567' })).to.deep.equal({
      channel: 'email',
      to: 'ivan@example.ru',
      shown: 'i***@example.ru',
    });
    expect(receiptDestination({ email: null, phone: '+79991234567' })).to.deep.equal({
      channel: 'sms',
      to: '+79991234567',
      shown: '+7 *** ***-45-67',
    });
    expect(receiptDestination({})).to.equal(null);
    expect(maskDestination('+79991234567')).to.not.contain('999123');
  });

  it('texts a short link to the receipt to a subscriber who registered by phone, and says so', async () => {
    const s = await phoneSubscriber();
    const account = await linkPayableAccount('yug-gaz', s.auth, { debt: 50_000, penalties: 0 });
    const headers = { ...s.auth, 'Idempotency-Key': idempotencyKey() };
    const created = await api('/api/v1/t/yug-gaz/payments', {
      body: { items: [{ accountId: account.id, amount: 50_000, penalties: 0 }] },
      headers,
    });
    const paid = await api(`/api/v1/t/yug-gaz/payments/${created.body.payment.id}/demo/confirm`, {
      body: card('4242424242424242'),
      headers: s.auth,
    });
    expect(paid.body.status).to.equal('succeeded');
    // The card's answer, given before the follow-up sends anything, already says where the receipt goes.
    expect(paid.body.receipt.sentTo).to.deep.equal({ channel: 'sms', to: maskDestination(s.phone) });
    await followedUp(paid.body.id);
    const shown = await api(`/api/v1/t/yug-gaz/payments/${paid.body.id}`, { headers: s.auth });
    expect(shown.body.receipt.sentTo).to.deep.equal({ channel: 'sms', to: maskDestination(s.phone) });

    expect(await waitFor(() => texts.some((m) => m.to === s.phone), 45_000), 'an SMS to the phone').to.equal(true);
    const sms = texts.find((m) => m.to === s.phone)!;
    expect(sms.text).to.match(/^Южгаз \(демо\): оплата 500,00\s₽ прошла\. Квитанция: http/);
    const link = /(https?:\/\/\S+)$/.exec(sms.text)![1]!;
    expect(link).to.match(/\/r\/yug-gaz\/[\w-]{16,64}$/);
    expect(link.length).to.be.below(paid.body.receipt.url.length);
    const short = await fetch(link, { redirect: 'manual' });
    expect(short.status).to.equal(302);
    const receipt = await api(short.headers.get('location')!);
    expect(receipt.status).to.equal(200);
    expect(String(receipt.body)).to.contain('500,00');
  });

  it('emails it to a subscriber with an address, and says where', async () => {
    const p = await payer('sever-gaz', 1, { debt: 50_000, penalties: 0 });
    const payment = await p.paid(50_000);
    expect(payment.receipt.sentTo, 'the card’s answer').to.deep.equal({
      channel: 'email',
      to: maskDestination(p.subscriber.email!),
    });
    const shown = (await p.call(`payments/${payment.id}`)).body.receipt.sentTo;
    expect(shown).to.deep.equal({ channel: 'email', to: maskDestination(p.subscriber.email!) });
    await mailbox(p.subscriber.email!, (m) => m.kind === 'email' && m.subject.startsWith('Квитанция об оплате'));
  });

  it('refuses a short link that is not one', async () => {
    const res = await fetch(`${testServer().baseUrl}/r/yug-gaz/x`, { redirect: 'manual' });
    expect(res.status).to.equal(400);
  });
});
