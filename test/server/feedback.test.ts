import { expect } from 'chai';
import { Types } from 'mongoose';
import { createClient, GaskitError } from '../../sdk/index.ts';
import { FeedbackFile, FeedbackRequest } from '../../server/feedback/model.ts';
import { storePendingFiles, sweepOrphanFiles } from '../../server/feedback/service.ts';
import { runSubscriberDeleted } from '../../server/subscribers/hooks.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';
import { solvedCaptcha, useMailCatcher } from '../helpers/auth.ts';
import { seedAccount } from '../helpers/billing.ts';
import { api, testApp, testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f3c1f60000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const HTML = Buffer.from('<!doctype html><script>alert(1)</script>');

type Part = { name: string; value: string } | { name: string; file: Buffer; filename: string; type?: string };

/** POST feedback as multipart/form-data, as the SDK sends it with files. */
async function postMultipart(slug: string, parts: Part[], headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const p of parts) {
    if ('file' in p)
      form.append(p.name, new Blob([new Uint8Array(p.file)], { type: p.type ?? 'application/octet-stream' }), p.filename);
    else form.append(p.name, p.value);
  }
  const res = await fetch(`${testServer().baseUrl}/api/v1/t/${slug}/feedback`, { method: 'POST', body: form, headers });
  return { status: res.status, body: (await res.json()) as any };
}

async function storedFor(message: string) {
  return { requests: await FeedbackRequest.countDocuments({ message }), files: await FeedbackFile.countDocuments({}) };
}

describe('feedback: sending a request', () => {
  const { mail } = useMailCatcher();

  it('routes each topic to the email address of its department through SMTP, answerable by reply', async () => {
    const { auth } = await signedInSubscriber('sever-gaz');
    const expected: Record<string, string> = {
      cabinet: 'support@sever-gaz.example',
      charges: 'billing@sever-gaz.example',
      payments: 'billing@sever-gaz.example',
      meters: 'meters@sever-gaz.example',
      other: 'office@sever-gaz.example',
    };
    for (const [topic, address] of Object.entries(expected)) {
      const message = `Вопрос по теме ${topic} ${Date.now()}`;
      const res = await api('/api/v1/t/sever-gaz/feedback', { body: { topic, message }, headers: auth });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const received = await mail().waitFor((m) => m.text.includes(message));
      expect(received.to, topic).to.deep.equal([address]);
      expect(received.subject).to.include(`№ ${res.body.number}`);
      expect(received.replyTo).to.match(new RegExp(`^reply\\+${res.body.id}\\.[a-f0-9]{20}@`));
    }
  });

  it('stores the request as new with the signed-in subscriber’s contact filled in', async () => {
    const { auth, subscriber } = await signedInSubscriber('yug-gaz');
    const res = await api('/api/v1/t/yug-gaz/feedback', {
      body: { topic: 'meters', message: 'Счётчик не крутится' },
      headers: auth,
    });
    expect(res.status).to.equal(201);
    expect(res.body).to.include({ topic: 'meters', status: 'new', message: 'Счётчик не крутится' });
    expect(res.body.contact).to.deep.equal({ name: 'Тестовый Абонент', email: subscriber.email, phone: '' });
    expect(res.body.number).to.be.a('number');
  });

  it('takes an account of this supplier linked to the signed-in cabinet and names it in the department’s email', async () => {
    const { number } = await seedAccount('sever-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    await api('/api/v1/t/sever-gaz/accounts', { body: { supplier: 'sever-gaz', number }, headers: auth });
    const message = `По моему счёту ${Date.now()}`;
    const res = await api('/api/v1/t/sever-gaz/feedback', {
      body: { topic: 'charges', message, accountNumber: number },
      headers: auth,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.accountNumber).to.equal(number);
    expect((await mail().waitFor((m) => m.text.includes(message))).text).to.include(number);
  });

  it('refuses an account that is not linked to the signed-in cabinet, or is linked under another supplier', async () => {
    const { number: unlinked } = await seedAccount('sever-gaz');
    const { number: southern } = await seedAccount('yug-gaz');
    const { auth } = await signedInSubscriber('sever-gaz');
    await api('/api/v1/t/sever-gaz/accounts', { body: { supplier: 'yug-gaz', number: southern }, headers: auth });
    for (const accountNumber of [unlinked, southern]) {
      const message = `Чужой счёт ${accountNumber}`;
      const res = await api('/api/v1/t/sever-gaz/feedback', {
        body: { topic: 'charges', message, accountNumber },
        headers: auth,
      });
      expect(res.status, accountNumber).to.equal(400);
      expect(res.body.error.fields.accountNumber.code).to.equal('account_not_linked');
      expect(await FeedbackRequest.countDocuments({ message })).to.equal(0);
    }
  });

  it('numbers the requests of each supplier one after another', async () => {
    const { auth } = await signedInSubscriber('vostok-gaz');
    const first = await api('/api/v1/t/vostok-gaz/feedback', { body: { topic: 'other', message: 'Первый' }, headers: auth });
    const second = await api('/api/v1/t/vostok-gaz/feedback', { body: { topic: 'other', message: 'Второй' }, headers: auth });
    expect(second.body.number).to.equal(first.body.number + 1);
  });

  it('gives requests sent at once distinct numbers, one after another, and lists them all', async () => {
    const { auth } = await signedInSubscriber('vostok-gaz');
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api('/api/v1/t/vostok-gaz/feedback', { body: { topic: 'other', message: `Разом ${i}` }, headers: auth }),
      ),
    );
    for (const res of sent) expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const numbers = sent.map((r) => r.body.number as number).sort((a, b) => a - b);
    expect(numbers).to.deep.equal(Array.from({ length: 20 }, (_, i) => numbers[0]! + i));
    const list = await api('/api/v1/t/vostok-gaz/feedback', { headers: auth });
    expect(list.body.items.map((r: { id: string }) => r.id).sort()).to.deep.equal(sent.map((r) => r.body.id).sort());
  });

  it('refuses an unknown topic, an empty and an oversized message, storing nothing', async () => {
    const { auth } = await signedInSubscriber('sever-gaz');
    const unknown = await api('/api/v1/t/sever-gaz/feedback', { body: { topic: 'gossip', message: 'Слухи' }, headers: auth });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.fields.topic.code).to.equal('unknown_topic');
    const empty = await api('/api/v1/t/sever-gaz/feedback', { body: { topic: 'other', message: '   ' }, headers: auth });
    expect(empty.body.error.fields.message.code).to.equal('required');
    const long = 'я'.repeat(5001);
    const oversized = await api('/api/v1/t/sever-gaz/feedback', { body: { topic: 'other', message: long }, headers: auth });
    expect(oversized.status).to.equal(400);
    expect(oversized.body.error.fields.message.code).to.equal('too_long');
    expect(await FeedbackRequest.countDocuments({ message: 'Слухи' })).to.equal(0);
    expect(await FeedbackRequest.countDocuments({ message: long })).to.equal(0);
  });

  it('refuses a topic another supplier has but this one does not', async () => {
    const { auth } = await signedInSubscriber('yug-gaz');
    const res = await api('/api/v1/t/yug-gaz/feedback', { body: { topic: 'cabinet2', message: 'x' }, headers: auth });
    expect(res.body.error.fields.topic.code).to.equal('unknown_topic');
  });

  describe('anonymously on a supplier’s site', () => {
    it('needs a solved captcha, which works once', async () => {
      const body = { topic: 'other', message: `Аноним ${Date.now()}`, email: 'guest@example.test' };
      const without = await api('/api/v1/t/sever-gaz/feedback', { body });
      expect(without.status).to.equal(400);
      expect(without.body.error.fields.captcha.code).to.equal('captcha_required');
      const captcha = await solvedCaptcha('sever-gaz');
      const solved = await api('/api/v1/t/sever-gaz/feedback', { body: { ...body, captcha } });
      expect(solved.status, JSON.stringify(solved.body)).to.equal(201);
      const received = await mail().waitFor((m) => m.text.includes(body.message));
      expect(received.text).to.include('guest@example.test');
      const again = await api('/api/v1/t/sever-gaz/feedback', { body: { ...body, captcha } });
      expect(again.body.error.fields.captcha.code).to.equal('captcha_invalid');
      expect((await storedFor(body.message)).requests).to.equal(1);
    });

    it('refuses a captcha solved for another supplier', async () => {
      const captcha = await solvedCaptcha('yug-gaz');
      const res = await api('/api/v1/t/sever-gaz/feedback', {
        body: { topic: 'other', message: 'Чужая капча', email: 'g@example.test', captcha },
      });
      expect(res.body.error.fields.captcha.code).to.equal('captcha_invalid');
    });

    it('needs an email for the answer', async () => {
      const res = await api('/api/v1/t/sever-gaz/feedback', {
        body: { topic: 'other', message: 'Без почты', captcha: await solvedCaptcha('sever-gaz') },
      });
      expect(res.status).to.equal(400);
      expect(res.body.error.fields.email.code).to.equal('required');
    });

    it('checks the account number against the supplier’s rule', async () => {
      const res = await api('/api/v1/t/sever-gaz/feedback', {
        body: {
          topic: 'charges',
          message: 'Счёт',
          email: 'g@example.test',
          accountNumber: '12-AB',
          captcha: await solvedCaptcha('sever-gaz'),
        },
      });
      expect(res.body.error.fields.accountNumber.code).to.equal('account_number_format');
    });

    it('is limited per address', async () => {
      testApp().feedback.limits.anonymous = { points: 1, windowMs: 60_000 };
      try {
        const send = async () =>
          api('/api/v1/t/yug-gaz/feedback', {
            body: { topic: 'other', message: 'Лимит', email: 'g@example.test', captcha: await solvedCaptcha('yug-gaz') },
          });
        expect((await send()).status).to.equal(201);
        const limited = await send();
        expect(limited.status).to.equal(429);
        expect(limited.headers.get('retry-after')).to.match(/^\d+$/);
      } finally {
        testApp().feedback.limits.anonymous = { points: 10, windowMs: 3600_000 };
      }
    });
  });

  describe('attachments', () => {
    it('takes images and PDF, checked by content, and attaches and links them in the department’s email', async () => {
      const { auth } = await signedInSubscriber('sever-gaz');
      const message = `С файлами ${Date.now()}`;
      const res = await postMultipart(
        'sever-gaz',
        [
          { name: 'topic', value: 'meters' },
          { name: 'message', value: message },
          { name: 'files', file: PNG, filename: 'счётчик.png', type: 'image/png' },
          { name: 'files', file: PDF, filename: 'квитанция', type: 'application/octet-stream' },
        ],
        auth,
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.attachments.map((a: any) => [a.name, a.type, a.size])).to.deep.equal([
        ['счётчик.png', 'image/png', PNG.length],
        ['квитанция.pdf', 'application/pdf', PDF.length],
      ]);
      const received = await mail().waitFor((m) => m.text.includes(message));
      expect(received.attachments.map((a) => [a.filename, a.mimeType])).to.deep.equal([
        ['счётчик.png', 'image/png'],
        ['квитанция.pdf', 'application/pdf'],
      ]);
      expect(received.attachments[0]!.content.equals(PNG)).to.equal(true);
      expect(received.attachments[1]!.content.equals(PDF)).to.equal(true);
      const links = [...received.text.matchAll(/https?:\/\/\S+\/files\/\S+/g)].map((m) => m[0]);
      expect(links).to.have.length(2);
      const download = await fetch(links[1]!);
      expect(download.status).to.equal(200);
      expect(download.headers.get('content-type')).to.equal('application/pdf');
      expect(download.headers.get('content-disposition')).to.include('attachment');
      expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).to.equal(true);
      const tampered = await fetch(links[1]!.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA'));
      expect(tampered.status).to.equal(403);
    });

    it('come through the SDK as multipart, and a refused file comes back as the SDK’s field error', async () => {
      const { token } = await signedInSubscriber('yug-gaz');
      const client = createClient({ apiBase: testServer().baseUrl, tenant: 'yug-gaz', locale: 'ru' });
      client.session.setToken(token);
      const sent = await client.feedback.send({
        topic: 'meters',
        message: 'Фото счётчика',
        files: [new File([PNG], 'meter.png'), new File([PDF], 'bill.pdf')],
      });
      expect(sent.attachments.map((a) => [a.name, a.type])).to.deep.equal([
        ['meter.png', 'image/png'],
        ['bill.pdf', 'application/pdf'],
      ]);
      const refused = await client.feedback
        .send({ topic: 'meters', message: 'Не картинка', files: [new File([HTML], 'x.png')] })
        .then(
          () => expect.fail('a disguised file must be refused'),
          (err: unknown) => err,
        );
      expect(refused).to.be.instanceOf(GaskitError);
      expect((refused as GaskitError).fields).to.deep.equal({ files: 'attachment_type_not_allowed' });
    });

    it('sends files of more than 7 MB together by their links only, so the department’s mail server takes the email', async () => {
      const { auth } = await signedInSubscriber('sever-gaz');
      const message = `Большие файлы ${Date.now()}`;
      const big = Buffer.concat([PNG, Buffer.alloc(3.5 * 1024 * 1024)]);
      const res = await postMultipart(
        'sever-gaz',
        [
          { name: 'topic', value: 'meters' },
          { name: 'message', value: message },
          ...[1, 2, 3].map((i) => ({ name: 'files', file: big, filename: `фото-${i}.png`, type: 'image/png' })),
        ],
        auth,
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const received = await mail().waitFor((m) => m.text.includes(message));
      expect(received.attachments).to.deep.equal([]);
      expect([...received.text.matchAll(/https?:\/\/\S+\/files\/\S+/g)]).to.have.length(3);
    });

    it('refuses a disguised file (HTML named .png) and stores nothing', async () => {
      const { auth } = await signedInSubscriber('sever-gaz');
      const message = `Подделка ${Date.now()}`;
      const before = await storedFor(message);
      const res = await postMultipart(
        'sever-gaz',
        [
          { name: 'topic', value: 'meters' },
          { name: 'message', value: message },
          { name: 'files', file: PNG, filename: 'ok.png', type: 'image/png' },
          { name: 'files', file: HTML, filename: 'photo.png', type: 'image/png' },
        ],
        auth,
      );
      expect(res.status).to.equal(400);
      expect(res.body.error.fields.files.code).to.equal('attachment_type_not_allowed');
      expect(await storedFor(message)).to.deep.equal(before);
    });

    it('refuses more than five files', async () => {
      const { auth } = await signedInSubscriber('sever-gaz');
      const files = Array.from({ length: 6 }, (_, i) => ({ name: 'files', file: PNG, filename: `${i}.png` }));
      const res = await postMultipart(
        'sever-gaz',
        [{ name: 'topic', value: 'meters' }, { name: 'message', value: 'Много' }, ...files],
        auth,
      );
      expect(res.status).to.equal(400);
      expect(res.body.error.fields.files.code).to.equal('attachments_too_many');
    });

    it('refuses a file over 5 MB', async () => {
      const { auth } = await signedInSubscriber('sever-gaz');
      const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
      const res = await postMultipart(
        'sever-gaz',
        [
          { name: 'topic', value: 'meters' },
          { name: 'message', value: 'Большой' },
          { name: 'files', file: big, filename: 'big.png' },
        ],
        auth,
      );
      expect(res.status).to.equal(400);
      expect(res.body.error.fields.files.code).to.equal('attachment_too_large');
    });
  });
});

describe('feedback: the subscriber’s requests', () => {
  it('lists only the subscriber’s own requests, newest first, and hides others’', async () => {
    const me = await signedInSubscriber('sever-gaz');
    const other = await signedInSubscriber('sever-gaz');
    const a = await api('/api/v1/t/sever-gaz/feedback', { body: { topic: 'other', message: 'Моё первое' }, headers: me.auth });
    const b = await api('/api/v1/t/sever-gaz/feedback', { body: { topic: 'meters', message: 'Моё второе' }, headers: me.auth });
    const theirs = await api('/api/v1/t/sever-gaz/feedback', { body: { topic: 'other', message: 'Чужое' }, headers: other.auth });
    const list = await api('/api/v1/t/sever-gaz/feedback', { headers: me.auth });
    expect(list.body.items.map((r: any) => r.id)).to.deep.equal([b.body.id, a.body.id]);
    expect((await api(`/api/v1/t/sever-gaz/feedback/${a.body.id}`, { headers: me.auth })).body.message).to.equal('Моё первое');
    expect((await api(`/api/v1/t/sever-gaz/feedback/${theirs.body.id}`, { headers: me.auth })).status).to.equal(404);
  });

  it('does not show a supplier’s requests under another supplier of the same realm', async () => {
    const me = await signedInSubscriber('sever-gaz');
    const sent = await api('/api/v1/t/sever-gaz/feedback', { body: { topic: 'other', message: 'Северу' }, headers: me.auth });
    const list = await api('/api/v1/t/yug-gaz/feedback', { headers: me.auth });
    expect(list.status).to.equal(200);
    expect(list.body.items).to.deep.equal([]);
    expect((await api(`/api/v1/t/yug-gaz/feedback/${sent.body.id}`, { headers: me.auth })).status).to.equal(404);
  });

  it('gives the form the subscriber’s contact from the cabinet', async () => {
    const { auth, subscriber } = await signedInSubscriber('sever-gaz');
    const res = await api('/api/v1/t/sever-gaz/feedback/contact', { headers: auth });
    expect(res.body).to.deep.equal({ name: 'Тестовый Абонент', email: subscriber.email, phone: '' });
  });

  it('needs a session to list requests', async () => {
    expect((await api('/api/v1/t/sever-gaz/feedback')).status).to.equal(401);
  });
});

describe('feedback: attachments left behind by a crash', () => {
  it('are removed by the sweep once their request is known to be missing', async () => {
    const tenant = await getTenantBySlug('sever-gaz');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const file = (name: string, createdAt?: Date) => ({
      _id: new Types.ObjectId(),
      tenantId: tenant._id,
      requestId: new Types.ObjectId(),
      name,
      type: 'image/png' as const,
      size: PNG.length,
      data: PNG,
      pending: true,
      ...(createdAt ? { createdAt } : {}),
    });
    // Stored as a request stores its files, whose request then never came.
    const orphan = file('a.png', twoHoursAgo);
    const fresh = file('b.png');
    await storePendingFiles([orphan, fresh]);
    expect(await sweepOrphanFiles()).to.be.at.least(1);
    expect(await FeedbackFile.exists({ _id: orphan._id })).to.equal(null);
    expect(await FeedbackFile.exists({ _id: fresh._id })).to.not.equal(null);
  });
});

describe('feedback: a deleted cabinet', () => {
  it('takes its requests and their files along', async () => {
    const { auth, subscriber, tenant } = await signedInSubscriber('sever-gaz');
    const sent = await postMultipart(
      'sever-gaz',
      [
        { name: 'topic', value: 'other' },
        { name: 'message', value: 'Удалите меня' },
        { name: 'files', file: PNG, filename: 'me.png' },
      ],
      auth,
    );
    await runSubscriberDeleted({ realm: tenant.realm, subscriberId: subscriber._id, tenantId: tenant._id, reason: 'deleted' });
    expect(await FeedbackRequest.exists({ _id: sent.body.id })).to.equal(null);
    expect(await FeedbackFile.countDocuments({ requestId: sent.body.id })).to.equal(0);
  });
});
