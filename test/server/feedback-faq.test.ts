import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { seedDemoFaq } from '../../server/feedback/demo.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { api } from '../helpers/server.ts';

const questions = (body: { items: { question: string }[] }) => body.items.map((e) => e.question);

describe('feedback: questions and answers', () => {
  before(async () => {
    await seedDemoFaq();
  });

  it('lists the supplier’s questions in its order when nothing is searched', async () => {
    const res = await api('/api/v1/t/sever-gaz/faq?limit=3');
    expect(res.status).to.equal(200);
    expect(questions(res.body)).to.deep.equal([
      'Как зарегистрироваться в личном кабинете?',
      'Как подключить лицевой счёт?',
      'Как сменить или восстановить пароль?',
    ]);
    expect(res.body.items[0]).to.have.keys(['key', 'question', 'answer', 'topic']);
  });

  it('finds entries by words in other forms, the best match first', async () => {
    const res = await api(`/api/v1/t/sever-gaz/faq?q=${encodeURIComponent('Не могу передать показания счетчика')}`);
    expect(questions(res.body)[0]).to.equal('Когда и как передать показания счётчика?');
  });

  it('suggests answers for a long message by its words', async () => {
    const message = 'Здравствуйте! Я оплатил квитанцию, но в кабинете долг всё равно больше, чем в квитанции. Почему так?';
    const res = await api(`/api/v1/t/sever-gaz/faq?limit=3&q=${encodeURIComponent(message)}`);
    expect(questions(res.body)[0]).to.equal('Почему сумма долга отличается от квитанции?');
  });

  it('takes regular-expression characters in a search as plain text', async () => {
    for (const q of ['.*', '(пароль', 'пар[о]ль', '\\']) {
      const res = await api(`/api/v1/t/sever-gaz/faq?q=${encodeURIComponent(q)}`);
      expect(res.status, q).to.equal(200);
    }
    expect((await api(`/api/v1/t/sever-gaz/faq?q=${encodeURIComponent('.*')}`)).body.items).to.deep.equal([]);
    expect(questions((await api(`/api/v1/t/sever-gaz/faq?q=${encodeURIComponent('(пароль')}`)).body)).to.include(
      'Как сменить или восстановить пароль?',
    );
  });

  it('answers in the person’s language', async () => {
    const res = await api('/api/v1/t/sever-gaz/faq?limit=1', { headers: { 'Accept-Language': 'en' } });
    expect(questions(res.body)).to.deep.equal(['How do I register in the cabinet?']);
  });

  it('refuses an oversized search', async () => {
    const res = await api(`/api/v1/t/sever-gaz/faq?q=${'а'.repeat(201)}`);
    expect(res.status).to.equal(400);
    expect(res.body.error.fields.q.code).to.equal('too_long');
  });

  describe('kept by the supplier’s systems through the integration API', () => {
    const key = { Authorization: 'Bearer demo-yug-gaz' };
    const put = (body: unknown, headers: Record<string, string> = key) =>
      api('/api/v1/t/yug-gaz/integration/faq', { method: 'PUT', body, headers });
    const remove = (path: string, headers: Record<string, string> = key) =>
      api(`/api/v1/t/yug-gaz/integration/faq/${path}`, { method: 'DELETE', headers });
    const search = (q: string, slug = 'yug-gaz', lng = 'ru') =>
      api(`/api/v1/t/${slug}/faq?q=${encodeURIComponent(q)}`, { headers: { 'Accept-Language': lng } });

    it('creates an entry, replaces it by key and deletes it, for this supplier only', async () => {
      const entry = { key: 'gas-smell', question: 'Что делать при запахе газа?', answer: 'Звоните 104.', topic: 'other' };
      const created = await put({ entries: [entry] });
      expect(created.status, JSON.stringify(created.body)).to.equal(200);
      expect(created.body).to.deep.equal({ created: 1, updated: 0 });
      expect((await search('запах газа')).body.items[0]).to.deep.equal(entry);
      expect((await search('запах газа', 'sever-gaz')).body.items).to.deep.equal([]);
      const replaced = await put({ entries: [{ ...entry, answer: 'Покиньте помещение и звоните 104.' }] });
      expect(replaced.body).to.deep.equal({ created: 0, updated: 1 });
      expect((await search('запах газа')).body.items[0].answer).to.equal('Покиньте помещение и звоните 104.');
      const deleted = await remove('gas-smell');
      expect(deleted.body).to.deep.equal({ deleted: 1 });
      expect((await search('запах газа')).body.items).to.deep.equal([]);
      const missing = await remove('gas-smell');
      expect(missing.status).to.equal(404);
      expect(missing.body.error.code).to.equal('faq_entry_not_found');
    });

    it('keeps an entry per language and deletes one language alone', async () => {
      await put({
        entries: [
          { key: 'meter-check', lng: 'ru', question: 'Как поверить счётчик?', answer: 'Закажите поверку.' },
          { key: 'meter-check', lng: 'en', question: 'How is a meter verified?', answer: 'Order a verification.' },
        ],
      });
      expect(await remove('meter-check?lng=en').then((r) => r.body)).to.deep.equal({ deleted: 1 });
      expect((await search('verified', 'yug-gaz', 'en')).body.items).to.deep.equal([]);
      expect((await search('поверить')).body.items.map((e: { key: string }) => e.key)).to.deep.equal(['meter-check']);
      await remove('meter-check');
    });

    it('refuses an entry in a language the supplier does not offer, and a malformed one, storing nothing', async () => {
      const res = await put({
        entries: [
          { key: 'ok', question: 'Вопрос?', answer: 'Ответ.' },
          { key: 'de', lng: 'de', question: 'Frage?', answer: 'Antwort.' },
        ],
      });
      expect(res.status).to.equal(400);
      expect(res.body.error.fields['entries.1.lng'].code).to.equal('unsupported_locale');
      const malformed = await put({ entries: [{ key: 'bad key!', question: '', answer: 'x' }] });
      expect(malformed.body.error.fields['entries.0.key'].code).to.equal('invalid_format');
      expect(malformed.body.error.fields['entries.0.question'].code).to.equal('required');
      expect((await search('Вопрос')).body.items.map((e: { key: string }) => e.key)).to.not.include('ok');
    });

    it('keeps every entry of calls made at the same moment', async () => {
      const calls = Array.from({ length: 8 }, (_, i) =>
        put({ entries: [{ key: `same-time-${i}`, question: `Одновременный вопрос ${i}?`, answer: 'Ответ.' }] }),
      );
      for (const res of await Promise.all(calls)) expect(res.body).to.deep.equal({ created: 1, updated: 0 });
      const found = (await api(`/api/v1/t/yug-gaz/faq?limit=50&q=${encodeURIComponent('Одновременный')}`)).body.items;
      expect(found.map((e: { key: string }) => e.key).sort()).to.deep.equal(calls.map((_, i) => `same-time-${i}`).sort());
      for (let i = 0; i < calls.length; i++) await remove(`same-time-${i}`);
    });

    it('refuses more than 500 entries in one language, keeping those it has', async () => {
      const slug = `faq-${randomBytes(4).toString('hex')}`;
      await Tenant.create({ slug, name: 'Вопросогаз', legalName: 'ООО «Вопросогаз»', realm: slug });
      const headers = { Authorization: `Bearer demo-${slug}` };
      const entries = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          key: `q${from + i}`,
          question: `Вопрос ${from + i}?`,
          answer: 'Ответ.',
          order: from + i,
        }));
      const full = await api(`/api/v1/t/${slug}/integration/faq`, { method: 'PUT', body: { entries: entries(0, 500) }, headers });
      expect(full.body).to.deep.equal({ created: 500, updated: 0 });
      const over = await api(`/api/v1/t/${slug}/integration/faq`, { method: 'PUT', body: { entries: entries(500, 1) }, headers });
      expect(over.status).to.equal(422);
      expect(over.body.error.code).to.equal('faq_too_large');
      const listed = await api(`/api/v1/t/${slug}/faq?limit=50`);
      expect(listed.body.items).to.have.length(50);
      expect(listed.body.items[49].key).to.equal('q49');
    });

    it('needs the supplier’s API key', async () => {
      const entry = { key: 'x', question: 'Вопрос?', answer: 'Ответ.' };
      expect((await put({ entries: [entry] }, {})).status).to.equal(401);
      expect((await put({ entries: [entry] }, { Authorization: 'Bearer demo-sever-gaz' })).status).to.equal(401);
      expect((await remove('register', { Authorization: 'Bearer demo-sever-gaz' })).status).to.equal(401);
    });
  });
});
