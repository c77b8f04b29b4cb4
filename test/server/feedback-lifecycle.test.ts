import { expect } from 'chai';
import { createApiKey } from '../../server/integration/keys.ts';
import { getTenantBySlug } from '../../server/tenants/service.ts';
import { useMailCatcher } from '../helpers/auth.ts';
import { api, testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

/** The tenant's integration key (the test server runs in demo mode, where `demo-<slug>` is one). */
const demoKey = (slug: string) => ({ Authorization: `Bearer demo-${slug}` });

function update(slug: string, id: string, body: unknown, headers: Record<string, string> = demoKey(slug)) {
  return api(`/api/v1/t/${slug}/integration/feedback/${id}`, { method: 'PATCH', body, headers });
}

function changes(slug: string, query: Record<string, string> = {}, headers: Record<string, string> = demoKey(slug)) {
  return api(`/api/v1/t/${slug}/integration/feedback?${new URLSearchParams(query)}`, { headers });
}

describe('feedback: the supplier’s systems work the requests through the integration API', () => {
  const { mail } = useMailCatcher();

  async function newRequest(slug = 'yug-gaz', message = 'Платёж не прошёл') {
    const who = await signedInSubscriber(slug);
    const res = await api(`/api/v1/t/${slug}/feedback`, { body: { topic: 'payments', message }, headers: who.auth });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { ...who, request: res.body };
  }

  it('moves a request new → in progress → answered → closed, each step in its history, the answer emailed and shown', async () => {
    const { request, auth, subscriber } = await newRequest();
    const taken = await update('yug-gaz', request.id, { status: 'in_progress' });
    expect(taken.status, JSON.stringify(taken.body)).to.equal(200);
    expect(taken.body.status).to.equal('in_progress');
    const answered = await update('yug-gaz', request.id, { answer: 'Платёж зачислен 3 марта.' });
    expect(answered.body.status).to.equal('answered');
    expect(answered.body.answers).to.have.length(1);
    expect(answered.body.answers[0]).to.include({ text: 'Платёж зачислен 3 марта.', source: 'integration' });
    const closed = await update('yug-gaz', request.id, { status: 'closed' });
    expect(closed.body.history.map((h: { status: string }) => h.status)).to.deep.equal([
      'new',
      'in_progress',
      'answered',
      'closed',
    ]);
    const seen = await api(`/api/v1/t/yug-gaz/feedback/${request.id}`, { headers: auth });
    expect(seen.body.status).to.equal('closed');
    expect(seen.body.answers.map((a: { text: string }) => a.text)).to.deep.equal(['Платёж зачислен 3 марта.']);
    const email = await mail().waitForTo(subscriber.email!);
    expect(email.text).to.include('Платёж зачислен 3 марта.');
  });

  it('records answers sent at the same moment, one after another, none lost', async () => {
    const { request, auth } = await newRequest();
    const answers = Array.from({ length: 5 }, (_, i) => `Ответ ${i}`);
    const results = await Promise.all(answers.map((answer) => update('yug-gaz', request.id, { answer })));
    for (const res of results) expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const seen = await api(`/api/v1/t/yug-gaz/feedback/${request.id}`, { headers: auth });
    expect(seen.body.answers.map((a: { text: string }) => a.text).sort()).to.deep.equal(answers);
    const listed = await changes('yug-gaz', { limit: '500' });
    expect(listed.body.items.filter((r: { id: string }) => r.id === request.id)).to.have.length(1);
  });

  it('keeps a closed request closed', async () => {
    const { request } = await newRequest();
    await update('yug-gaz', request.id, { status: 'closed' });
    const reopened = await update('yug-gaz', request.id, { status: 'in_progress' });
    expect(reopened.status).to.equal(422);
    expect(reopened.body.error.code).to.equal('feedback_closed');
    expect((await update('yug-gaz', request.id, { answer: 'Поздно' })).body.error.code).to.equal('feedback_closed');
  });

  it('does not move a request back to new, and wants a status or an answer', async () => {
    const { request } = await newRequest();
    const back = await update('yug-gaz', request.id, { status: 'new' });
    expect(back.status).to.equal(400);
    expect(back.body.error.fields.status.code).to.equal('invalid_value');
    const empty = await update('yug-gaz', request.id, {});
    expect(empty.status).to.equal(400);
    expect(empty.body.error.fields._.code).to.equal('nothing_to_update');
  });

  it('finds no request of another supplier', async () => {
    const { request } = await newRequest('yug-gaz');
    const res = await update('sever-gaz', request.id, { status: 'closed' });
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('feedback_not_found');
    const listed = await changes('sever-gaz', { limit: '500' });
    expect(listed.body.items.map((r: { id: string }) => r.id)).to.not.include(request.id);
  });

  it('lists changed requests page by page after a cursor, oldest change first, a changed one again', async () => {
    const start = await changes('vostok-gaz', { limit: '500' });
    const { request: first } = await newRequest('vostok-gaz');
    const { request: second } = await newRequest('vostok-gaz');
    const page1 = await changes('vostok-gaz', { ...(start.body.cursor ? { cursor: start.body.cursor } : {}), limit: '1' });
    expect(page1.status, JSON.stringify(page1.body)).to.equal(200);
    expect(page1.body.items.map((r: { id: string }) => r.id)).to.deep.equal([first.id]);
    const page2 = await changes('vostok-gaz', { cursor: page1.body.cursor, limit: '10' });
    expect(page2.body.items.map((r: { id: string }) => r.id)).to.deep.equal([second.id]);
    await update('vostok-gaz', first.id, { status: 'in_progress' });
    const page3 = await changes('vostok-gaz', { cursor: page2.body.cursor, limit: '10' });
    expect(page3.body.items.map((r: { id: string; status: string }) => [r.id, r.status])).to.deep.equal([
      [first.id, 'in_progress'],
    ]);
    expect(page3.body.items[0]).to.include.keys(['department', 'history', 'subscriberId', 'contact', 'attachments']);
    const idle = await changes('vostok-gaz', { cursor: page3.body.cursor });
    expect(idle.body).to.deep.equal({ items: [], cursor: page3.body.cursor });
  });

  it('lists only requests of the status asked for', async () => {
    const { request: open } = await newRequest('sever-gaz', 'Открытое');
    const { request: done } = await newRequest('sever-gaz', 'Закрытое');
    await update('sever-gaz', done.id, { status: 'closed' });
    const closed = await changes('sever-gaz', { status: 'closed', limit: '500' });
    const ids = closed.body.items.map((r: { id: string }) => r.id);
    expect(ids).to.include(done.id).and.not.include(open.id);
  });

  it('refuses a cursor it did not make', async () => {
    const res = await changes('sever-gaz', { cursor: 'bm90LWEtY3Vyc29y' });
    expect(res.status).to.equal(400);
    expect(res.body.error.fields.cursor.code).to.equal('invalid_cursor');
  });

  it('needs an API key of the supplier with the scope of the call', async () => {
    const { request } = await newRequest('sever-gaz');
    expect((await changes('sever-gaz', {}, {})).status).to.equal(401);
    const foreign = await changes('sever-gaz', {}, demoKey('yug-gaz'));
    expect(foreign.status).to.equal(401);
    expect(foreign.body.error.code).to.equal('api_key_invalid');
    const tenant = await getTenantBySlug('sever-gaz');
    const { key: readOnly } = await createApiKey(tenant._id, 'helpdesk reader', ['export:read']);
    const auth = { Authorization: `Bearer ${readOnly}` };
    expect((await changes('sever-gaz', {}, auth)).status).to.equal(200);
    const write = await update('sever-gaz', request.id, { status: 'in_progress' }, auth);
    expect(write.status).to.equal(403);
    expect(write.body.error).to.deep.include({ code: 'api_key_scope' });
  });

  it('describes the calls in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${testServer().baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect(doc.paths['/t/{tenant}/integration/feedback']).to.have.property('get');
    expect(doc.paths['/t/{tenant}/integration/feedback/{id}']).to.have.property('patch');
    expect(doc.paths['/t/{tenant}/integration/faq']).to.have.property('put');
    expect(doc.paths['/t/{tenant}/integration/faq/{key}']).to.have.property('delete');
    expect(doc.paths['/t/{tenant}/integration/feedback/{id}']!.patch!.security).to.deep.equal([{ apiKey: [] }]);
  });
});
