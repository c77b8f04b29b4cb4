import http from 'node:http';
import { expect } from 'chai';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { replyAddress } from '../../server/feedback/addresses.ts';
import { loadConfig } from '../../server/config.ts';
import { updateRequest } from '../../server/feedback/service.ts';
import { webhookSignature } from '../../server/notify/transports.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';
import { useMailCatcher } from '../helpers/auth.ts';
import { api, apiFrom, ownAddress, testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

/** A department's reply as a mail client writes it: new text on top, the request quoted below. */
async function replyMime(to: string, text: string, messageId: string): Promise<string> {
  const message = new MailComposer({
    from: 'Мария Иванова <m.ivanova@sever-gaz.example>',
    to,
    subject: 'Re: Обращение',
    messageId,
    text: `${text}\n\nС уважением, расчётный отдел\n\nПн, 3 мар. 2026 г. в 10:00, Северогаз <no-reply@gaskit.localhost> пишет:\n> Поступило обращение\n> Долг неверный\n`,
  });
  return (await message.compile().build()).toString('utf8');
}

async function postInbound(
  raw: string,
  signature = webhookSignature(testServer().config.feedback.inboundSecret, Math.floor(Date.now() / 1000), raw),
) {
  const res = await fetch(`${testServer().baseUrl}/api/v1/inbound/email`, {
    method: 'POST',
    headers: { 'Content-Type': 'message/rfc822', 'X-Gaskit-Signature': signature },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/**
 * A post from `from` that announces a 40 MB message and sends its first kilobyte only: the status
 * it gets, which can come only from checks made before the body is read.
 */
function answerBeforeBody(from: string, signature: string): Promise<{ status: number; retryAfter?: string }> {
  const url = new URL('/api/v1/inbound/email', testServer().baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      hostname: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      localAddress: from,
      headers: { 'Content-Type': 'message/rfc822', 'Content-Length': 40_000_000, 'X-Gaskit-Signature': signature },
    });
    const timer = setTimeout(() => reject(new Error('no answer before the body was sent')), 10_000);
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0, ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}) });
      req.destroy();
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.write(Buffer.alloc(1024, 'x'));
  });
}

describe('feedback: a department answers by replying to the email', () => {
  const { mail } = useMailCatcher();

  async function newRequest() {
    const who = await signedInSubscriber('sever-gaz');
    const res = await api('/api/v1/t/sever-gaz/feedback', {
      body: { topic: 'charges', message: 'Долг неверный' },
      headers: who.auth,
    });
    return { ...who, request: res.body };
  }

  it('records the reply above the quote as the answer and emails it to the subscriber', async () => {
    const { auth, subscriber, request } = await newRequest();
    const raw = await replyMime(
      replyAddress(request.id),
      'Долг пересчитан, спасибо за обращение.',
      `<a-${request.id}@sever-gaz.example>`,
    );
    const res = await postInbound(raw);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ requestId: request.id, status: 'answered' });
    const seen = await api(`/api/v1/t/sever-gaz/feedback/${request.id}`, { headers: auth });
    expect(seen.body.status).to.equal('answered');
    expect(seen.body.answers.map((a: any) => a.text)).to.deep.equal([
      'Долг пересчитан, спасибо за обращение.\n\nС уважением, расчётный отдел',
    ]);
    const answerMail = await mail().waitForTo(subscriber.email!);
    expect(answerMail.subject).to.include(`№ ${request.number}`);
    expect(answerMail.text).to.include('Долг пересчитан');
  });

  it('records a reply delivered twice (same Message-ID) once', async () => {
    const { auth, request } = await newRequest();
    const raw = await replyMime(replyAddress(request.id), 'Ответ один раз.', `<twice-${request.id}@sever-gaz.example>`);
    expect((await postInbound(raw)).status).to.equal(200);
    expect((await postInbound(raw)).status).to.equal(200);
    const seen = await api(`/api/v1/t/sever-gaz/feedback/${request.id}`, { headers: auth });
    expect(seen.body.answers).to.have.length(1);
  });

  it('refuses a post without a valid, fresh signature', async () => {
    const { request } = await newRequest();
    const raw = await replyMime(replyAddress(request.id), 'Подделка', `<f-${request.id}@x>`);
    expect((await postInbound(raw, 't=1,v1=00')).status).to.equal(401);
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const res = await postInbound(raw, webhookSignature(testServer().config.feedback.inboundSecret, stale, raw));
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal('inbound_signature_invalid');
  });

  it('refuses a post before reading its body without a fresh signature header, or from an address whose signatures keep failing', async () => {
    const from = ownAddress();
    const now = Math.floor(Date.now() / 1000);
    const wrong = `t=${now},v1=${'0'.repeat(64)}`;
    expect((await answerBeforeBody(from, '')).status).to.equal(401);
    expect((await answerBeforeBody(from, `t=${now - 3600},v1=${'0'.repeat(64)}`)).status).to.equal(401);
    // Well formed and fresh: read and checked, and each failure counted for the address.
    const raw = await replyMime(replyAddress('000000000000000000000000'), 'Подделка', '<forged@x>');
    const post = (address: string, signature: string) =>
      apiFrom(address, '/api/v1/inbound/email', {
        body: raw,
        headers: { 'Content-Type': 'message/rfc822', 'X-Gaskit-Signature': signature },
      });
    for (let i = 0; i < 10; i++) expect((await post(from, wrong)).status).to.equal(401);
    const refused = await answerBeforeBody(from, wrong);
    expect(refused.status).to.equal(429);
    expect(Number(refused.retryAfter)).to.be.within(1, 600);
    // Another address is not held up by it: its post is read and its signature checked.
    const other = await post(ownAddress(), wrong);
    expect(other.status).to.equal(401);
    expect(other.body.error.code).to.equal('inbound_signature_invalid');
  });

  it('ignores a reply address whose code does not match the request', async () => {
    const { request } = await newRequest();
    const forged = replyAddress(request.id).replace(/\.[a-f0-9]{20}@/, '.0123456789abcdef0123@');
    const res = await postInbound(await replyMime(forged, 'Подбор адреса', `<g-${request.id}@x>`));
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('inbound_recipient_unknown');
  });

  it('refuses a reply to a closed request', async () => {
    const { request } = await newRequest();
    await updateRequest(await getTenantBySlug('sever-gaz'), request.id, { status: 'closed' }, 'integration');
    const res = await postInbound(await replyMime(replyAddress(request.id), 'Поздно', `<h-${request.id}@x>`));
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('feedback_closed');
  });
});

describe('feedback: settings', () => {
  it('refuses to start in production without the signing secrets, naming them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(/GASKIT_FEEDBACK_SECRET[\s\S]*GASKIT_INBOUND_SECRET/);
  });

  it('takes the reply domain from PUBLIC_URL unless set', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://lk.example.ru/' }).feedback.inboundDomain).to.equal('lk.example.ru');
    expect(loadConfig({ GASKIT_INBOUND_DOMAIN: 'reply.example.ru' }).feedback.inboundDomain).to.equal('reply.example.ru');
  });
});
