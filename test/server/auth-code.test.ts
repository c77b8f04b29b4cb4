import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { clearKey } from '../../server/http/limits.ts';
import { HttpSmsGateway } from '../../server/notify/transports.ts';
import {
  codeIn,
  expireToken,
  solvedCaptcha,
  subscriberByLogin,
  uniqueEmail,
  uniquePhone,
  useMailCatcher,
} from '../helpers/auth.ts';
import { api, testApp } from '../helpers/server.ts';

const T = '/api/v1/t/yug-gaz';

interface Sms {
  to: string;
  text: string;
  authorization: string | undefined;
}

/** A stand-in SMS gateway speaking the HTTP protocol of HttpSmsGateway. */
async function startSmsGateway(): Promise<{
  url: string;
  received: Sms[];
  next(to: string): Promise<Sms>;
  close(): Promise<void>;
}> {
  const received: Sms[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { to, text } = JSON.parse(body) as { to: string; text: string };
      received.push({ to, text, authorization: req.headers.authorization });
      res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  return {
    url,
    received,
    async next(to) {
      for (let i = 0; i < 100; i++) {
        const hit = received.filter((s) => s.to === to).at(-1);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no SMS to ${to}`);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function register(login: string) {
  return api(`${T}/auth/register`, {
    body: { login, password: 'yug12', passwordRepeat: 'yug12', consent: true, captcha: await solvedCaptcha('yug-gaz') },
  });
}

async function dropCooldown(login: string) {
  await clearKey(`send:confirm:gazregion:${login}`);
}

describe('auth: password + activation code by email or SMS (seed 001)', () => {
  const { mail } = useMailCatcher();
  let gateway: Awaited<ReturnType<typeof startSmsGateway>>;

  before(async () => {
    gateway = await startSmsGateway();
    testApp().notify.configure({ sms: new HttpSmsGateway(gateway.url, 'sms-secret') });
  });
  after(async () => {
    testApp().notify.configure({ sms: null });
    await gateway.close();
  });

  it('mails an activation code that confirms an email login once', async () => {
    const login = uniqueEmail('code');
    const reg = await register(login);
    expect(reg.status).to.equal(202);
    expect(reg.body).to.include({ method: 'code', channel: 'email', loginKind: 'email' });
    const message = await mail().waitForTo(login);
    expect(message.subject).to.equal('Код активации личного кабинета');
    const confirmed = await api(`${T}/auth/confirm`, { body: { login, code: codeIn(message.text) } });
    expect(confirmed.status).to.equal(200);
    expect(confirmed.body.status).to.equal('confirmed');
    const reused = await api(`${T}/auth/confirm`, { body: { login, code: codeIn(message.text) } });
    expect(reused.status).to.equal(422);
    expect(reused.body.error.code).to.equal('code_invalid');
    expect((await api(`${T}/auth/login`, { body: { login, password: 'yug12' } })).body.me.status).to.equal('active');
  });

  it('sends the code by SMS through the HTTP gateway to a mobile phone login, written any usual way', async () => {
    const phone = uniquePhone();
    const national = `8 (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8, 10)}-${phone.slice(10)}`;
    const reg = await register(national);
    expect(reg.body).to.include({ login: phone, loginKind: 'phone', channel: 'sms', method: 'code' });
    const sms = await gateway.next(phone);
    expect(sms.authorization).to.equal('Bearer sms-secret');
    expect(sms.text).to.match(/^Южгаз \(демо\): Код активации личного кабинета: \d{6}\. Действует 15 мин\.$/);
    const confirmed = await api(`${T}/auth/confirm`, { body: { login: phone, code: codeIn(sms.text) } });
    expect(confirmed.body).to.deep.equal({ status: 'confirmed', login: phone });
    expect((await api(`${T}/auth/login`, { body: { login: national, password: 'yug12' } })).status).to.equal(200);
  });

  it('sends the code again, then only after the cooldown, and the new code replaces the old one', async () => {
    const login = uniqueEmail('again');
    await register(login);
    const first = codeIn((await mail().waitForTo(login)).text);
    mail().clear();
    const again = await api(`${T}/auth/resend`, { body: { login, captcha: await solvedCaptcha('yug-gaz') } });
    expect(again.body).to.deep.equal({ status: 'sent', resendAfter: 60 });
    const second = codeIn((await mail().waitForTo(login)).text);

    const soon = await api(`${T}/auth/resend`, { body: { login, captcha: await solvedCaptcha('yug-gaz') } });
    expect(soon.status).to.equal(429);
    expect(soon.body.error.code).to.equal('resend_too_soon');
    expect(soon.body.error.message).to.match(/^Повторная отправка будет доступна через \d+ с\.$/);

    await dropCooldown(login);
    mail().clear();
    expect((await api(`${T}/auth/resend`, { body: { login, captcha: await solvedCaptcha('yug-gaz') } })).status).to.equal(202);
    const third = codeIn((await mail().waitForTo(login)).text);
    for (const old of [first, second]) {
      if (old !== third)
        expect((await api(`${T}/auth/confirm`, { body: { login, code: old } })).body.error.code).to.equal('code_invalid');
    }
    expect((await api(`${T}/auth/confirm`, { body: { login, code: third } })).status).to.equal(200);
  });

  it('voids a code after five wrong tries, even when the right one comes next', async () => {
    const login = uniqueEmail('guess');
    await register(login);
    const code = codeIn((await mail().waitForTo(login)).text);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await api(`${T}/auth/confirm`, { body: { login, code: wrong } });
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('code_invalid');
    }
    const locked = await api(`${T}/auth/confirm`, { body: { login, code } });
    expect(locked.body.error.code).to.equal('code_attempts_exceeded');
    expect((await api(`${T}/auth/confirm`, { body: { login, code } })).body.error.code).to.equal('code_invalid');
    expect((await subscriberByLogin('yug-gaz', login))!.status).to.equal('pending');
  });

  it('refuses an expired code and a code for a login that is not waiting for one', async () => {
    const login = uniqueEmail('late');
    await register(login);
    const code = codeIn((await mail().waitForTo(login)).text);
    await expireToken('yug-gaz', login, 'confirm');
    expect((await api(`${T}/auth/confirm`, { body: { login, code } })).body.error.code).to.equal('code_expired');
    const nobody = await api(`${T}/auth/confirm`, { body: { login: uniqueEmail('nobody'), code: '123456' } });
    expect(nobody.status).to.equal(422);
    expect(nobody.body.error.code).to.equal('code_invalid');
  });

  it('gives field errors for malformed phones and codes', async () => {
    for (const login of ['+7 495 123-45-67', '12345', '+7 (912) 34']) {
      const res = await api(`${T}/auth/register`, { body: { login, password: 'yug12', consent: true } });
      expect(res.status, login).to.equal(400);
      expect(res.body.error.fields.login.code, login).to.equal('invalid_phone');
    }
    const code = await api(`${T}/auth/confirm`, { body: { login: uniqueEmail(), code: '12a456' } });
    expect(code.body.error.fields.code.code).to.equal('code_format');
  });
});
