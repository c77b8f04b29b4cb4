import { expect } from 'chai';
import { FeedbackRequest } from '../../server/feedback/model.ts';
import { solvedCaptcha, uniqueEmail, useMailCatcher } from '../helpers/auth.ts';
import { api, testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f3c1f60000000049454e44ae426082',
  'hex',
);

/** Issue 14, item 11: lookalike logins and attachment names that point elsewhere. */
describe('security: input rules for logins and attachment names (issue 14, item 11)', () => {
  useMailCatcher();

  async function register(login: string) {
    return api('/api/v1/t/sever-gaz/auth/register', {
      body: { login, password: 'abc12', passwordRepeat: 'abc12', consent: true, captcha: await solvedCaptcha('sever-gaz') },
    });
  }

  it('refuses logins with invisible characters, with a code of their own', async () => {
    for (const invisible of ['\u200b', '\u200d', '\u202e', '\u2066', '\u00ad']) {
      const login = uniqueEmail('x').replace('@', `${invisible}@`);
      const res = await register(login);
      expect(res.status, JSON.stringify(login)).to.equal(400);
      expect(res.body.error.fields.login.code, JSON.stringify(login)).to.equal('email_invisible_characters');
      const signIn = await api('/api/v1/t/sever-gaz/auth/login', { body: { login, password: 'abc12' } });
      expect(signIn.body.error.fields.login.code).to.equal('email_invisible_characters');
    }
  });

  it('refuses a login that mixes Latin and Cyrillic letters within a part, and takes one alphabet per part', async () => {
    const tag = uniqueEmail('mix').split('@')[0]!;
    for (const login of [
      `${tag}@ex\u0430mple.test`,
      `p\u0430ul-${tag}@example.test`,
      `${tag}@\u0441\u043c\u043e\u0440\u043e\u0434\u0438\u043d\u0430x.test`,
    ]) {
      const res = await register(login);
      expect(res.status, login).to.equal(400);
      expect(res.body.error.fields.login.code, login).to.equal('email_mixed_scripts');
    }
    expect((await register(`${tag}@смородина.онлайн`)).status).to.equal(202);
    expect((await register(`юрий-${Date.now()}@example.test`)).status).to.equal(202);
  });

  it('refuses attachments named "..", "a/.." or with a directory, instead of dropping them with 201', async () => {
    const { auth } = await signedInSubscriber('sever-gaz');
    for (const name of ['..', 'a/..', '.', 'scans/meter.png', 'C:\\Users\\me\\meter.png']) {
      const message = `Файл ${JSON.stringify(name)} ${Date.now()}`;
      const form = new FormData();
      form.append('topic', 'meters');
      form.append('message', message);
      form.append('files', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), name);
      const res = await fetch(`${testServer().baseUrl}/api/v1/t/sever-gaz/feedback`, {
        method: 'POST',
        body: form,
        headers: auth,
      });
      const body = (await res.json()) as any;
      expect(res.status, name).to.equal(400);
      expect(body.error.fields.files.code, name).to.equal('attachment_name_invalid');
      expect(body.error.fields.files.message, name).to.include(name);
      expect(await FeedbackRequest.countDocuments({ message }), name).to.equal(0);
    }
  });
});
