import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { migrationCtx } from '../../server/db/migrate.ts';
import { LEGACY_COUNTERS, LEGACY_FAQ, LEGACY_REQUESTS, migration } from '../../server/feedback/migrate.ts';
import { fileLink } from '../../server/feedback/service.ts';
import { Tenant, type TenantDoc } from '../../server/tenants/model.ts';
import { useMailCatcher } from '../helpers/auth.ts';
import { api, testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** How the earlier version wrote the integration API's cursor. */
const legacyCursor = (updatedAt: Date, id: Types.ObjectId) =>
  Buffer.from(`${updatedAt.toISOString()}|${String(id)}`).toString('base64url');

describe('migration: feedback requests, numbers and questions and answers', () => {
  useMailCatcher();

  it('moves every request, its files, numbers, cursors and the supplier’s questions, nothing lost, twice over', async () => {
    const db = mongoose.connection.db!;
    const slug = `mig-${randomBytes(4).toString('hex')}`;
    const tenant = (
      await Tenant.create({
        slug,
        name: `Миграгаз ${slug}`,
        legalName: 'ООО «Миграгаз»',
        realm: slug,
        support: { departments: [{ id: 'office', email: `office@${slug}.example`, topics: ['other', 'meters'] }] },
      })
    ).toObject() as TenantDoc;
    const me = await signedInSubscriber(slug);
    const t0 = Date.parse('2026-02-01T09:00:00Z');
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    const [first, second, third, anonymous] = [
      new Types.ObjectId(),
      new Types.ObjectId(),
      new Types.ObjectId(),
      new Types.ObjectId(),
    ];
    const fileId = new Types.ObjectId();
    const base = {
      tenantId: tenant._id,
      tenantSlug: slug,
      department: { id: 'office', email: `office@${slug}.example` },
      contact: { name: 'Тестовый Абонент', email: me.subscriber.email, phone: '' },
      accountNumber: '',
      locale: 'ru',
      attachments: [],
      answers: [],
      __v: 0,
    };
    await db.collection('feedbackfiles').insertOne({
      _id: fileId,
      tenantId: tenant._id,
      requestId: first,
      name: 'счётчик.png',
      type: 'image/png',
      size: PNG.length,
      data: PNG,
      createdAt: at(0),
    });
    await db.collection(LEGACY_REQUESTS).insertMany([
      {
        ...base,
        _id: first,
        number: 5,
        subscriberId: me.subscriber._id,
        topic: 'meters',
        message: 'Первое',
        attachments: [{ fileId, name: 'счётчик.png', type: 'image/png', size: PNG.length }],
        status: 'answered',
        answers: [{ text: 'Ответ на первое', source: 'integration', from: '', messageId: '', at: at(50) }],
        history: [
          { status: 'new', source: 'subscriber', at: at(0) },
          { status: 'answered', source: 'integration', at: at(50) },
        ],
        createdAt: at(0),
        updatedAt: at(50),
      },
      {
        ...base,
        _id: second,
        number: 6,
        subscriberId: me.subscriber._id,
        topic: 'other',
        message: 'Второе',
        status: 'new',
        history: [{ status: 'new', source: 'subscriber', at: at(10) }],
        createdAt: at(10),
        updatedAt: at(10),
      },
      {
        ...base,
        _id: third,
        number: 7,
        subscriberId: me.subscriber._id,
        topic: 'other',
        message: 'Третье',
        status: 'in_progress',
        history: [
          { status: 'new', source: 'subscriber', at: at(20) },
          { status: 'in_progress', source: 'integration', at: at(30) },
        ],
        createdAt: at(20),
        updatedAt: at(30),
      },
      {
        ...base,
        _id: anonymous,
        number: 4,
        contact: { name: 'Гость', email: 'guest@example.test', phone: '' },
        topic: 'other',
        message: 'Анонимное',
        status: 'new',
        history: [{ status: 'new', source: 'subscriber', at: at(-10) }],
        createdAt: at(-10),
        updatedAt: at(-10),
      },
    ]);
    await db.collection(LEGACY_COUNTERS).insertOne({ tenantId: tenant._id, seq: 7, __v: 0 });
    const faq = (key: string, lng: string, question: string, order: number) => ({
      tenantId: tenant._id,
      key,
      lng,
      question,
      answer: `Ответ: ${question}`,
      topic: 'other',
      order,
      keywords: [],
      createdAt: at(0),
      updatedAt: at(0),
    });
    await db
      .collection(LEGACY_FAQ)
      .insertMany([
        faq('second', 'ru', 'Как передать показания счётчика?', 2),
        faq('first', 'ru', 'Как подключить лицевой счёт?', 1),
        faq('only-en', 'en', 'How do I pay?', 0),
      ]);

    for (let run = 0; run < 2; run++) await migration.run(migrationCtx(db, () => {}));

    const list = await api(`/api/v1/t/${slug}/feedback`, { headers: me.auth });
    expect(list.status).to.equal(200);
    expect(list.body.items.map((r: { number: number }) => r.number)).to.deep.equal([7, 6, 5]);
    const oldest = list.body.items[2];
    expect(oldest).to.deep.include({
      id: String(first),
      topic: 'meters',
      status: 'answered',
      message: 'Первое',
      createdAt: at(0).toISOString(),
      updatedAt: at(50).toISOString(),
    });
    expect(oldest.answers).to.deep.equal([{ text: 'Ответ на первое', at: at(50).toISOString() }]);
    expect(oldest.attachments).to.deep.equal([{ id: String(fileId), name: 'счётчик.png', type: 'image/png', size: PNG.length }]);
    const download = await fetch(fileLink(testServer().baseUrl, slug, String(first), String(fileId)));
    expect(download.status).to.equal(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).to.equal(true);
    expect((await api(`/api/v1/t/${slug}/feedback/${third}`, { headers: me.auth })).body.status).to.equal('in_progress');

    const next = await api(`/api/v1/t/${slug}/feedback`, {
      body: { topic: 'other', message: 'После переезда' },
      headers: me.auth,
    });
    expect(next.status, JSON.stringify(next.body)).to.equal(201);
    expect(next.body.number).to.equal(8);

    const key = { Authorization: `Bearer demo-${slug}` };
    const everything = await api(`/api/v1/t/${slug}/integration/feedback?limit=10`, { headers: key });
    expect(everything.body.items.map((r: { id: string }) => r.id)).to.deep.equal(
      [anonymous, second, third, first, new Types.ObjectId(next.body.id)].map(String),
    );
    const resumed = await api(`/api/v1/t/${slug}/integration/feedback?cursor=${legacyCursor(at(10), second)}`, { headers: key });
    expect(resumed.status, JSON.stringify(resumed.body)).to.equal(200);
    expect(resumed.body.items.map((r: { id: string }) => r.id)).to.deep.equal([third, first, next.body.id].map(String));
    expect(resumed.body.items[0].history.map((h: { status: string }) => h.status)).to.deep.equal(['new', 'in_progress']);
    const answered = await api(`/api/v1/t/${slug}/integration/feedback/${second}`, {
      method: 'PATCH',
      body: { answer: 'Ответ после переезда' },
      headers: key,
    });
    expect(answered.body).to.deep.include({ status: 'answered', number: 6 });
    const after = await api(`/api/v1/t/${slug}/integration/feedback?cursor=${resumed.body.cursor}`, { headers: key });
    expect(after.body.items.map((r: { id: string }) => r.id)).to.deep.equal([String(second)]);

    const ru = await api(`/api/v1/t/${slug}/faq`, { headers: { 'Accept-Language': 'ru' } });
    expect(ru.body.items.map((e: { key: string }) => e.key)).to.deep.equal(['first', 'second']);
    const found = await api(`/api/v1/t/${slug}/faq?q=${encodeURIComponent('показания')}`, {
      headers: { 'Accept-Language': 'ru' },
    });
    expect(found.body.items).to.deep.equal([
      {
        key: 'second',
        question: 'Как передать показания счётчика?',
        answer: 'Ответ: Как передать показания счётчика?',
        topic: 'other',
      },
    ]);
    const en = await api(`/api/v1/t/${slug}/faq`, { headers: { 'Accept-Language': 'en' } });
    expect(en.body.items.map((e: { key: string }) => e.key)).to.deep.equal(['only-en']);
  });
});
