import { expect } from 'chai';
import { failureKey } from '../../server/auth/credentials.ts';
import { clearKey } from '../../server/http/limits.ts';
import { Session } from '../../server/auth/session-model.ts';
import { CurrentToken, VerificationToken } from '../../server/auth/token-model.ts';
import { LoginKey, Subscriber } from '../../server/subscribers/model.ts';
import { bearer, codeIn, confirmedByLink, solvedCaptcha, uniqueEmail, uniquePhone, useMailCatcher } from '../helpers/auth.ts';
import { api, testApp } from '../helpers/server.ts';
import { deletedSubscribers } from '../helpers/test-module.ts';

const T = '/api/v1/t/sever-gaz';

describe('settings: profile, contacts, sessions, deleting the cabinet', () => {
  const { mail } = useMailCatcher();

  it('reads and saves the full name and a contact phone at once', async () => {
    const { token, login } = await confirmedByLink(mail());
    const me = await api(`${T}/me`, { headers: bearer(token) });
    expect(me.body).to.include({ login, loginKind: 'email', email: login, phone: null, fullName: '', status: 'active' });
    const phone = uniquePhone();
    const saved = await api(`${T}/me`, {
      method: 'PATCH',
      headers: bearer(token),
      body: { fullName: '  Иванов Иван Иванович ', phone: `8${phone.slice(2)}` },
    });
    expect(saved.status).to.equal(200);
    expect(saved.body.me).to.include({ fullName: 'Иванов Иван Иванович', phone });
    expect(saved.body.pendingContact).to.equal(null);
    const cleared = await api(`${T}/me`, { method: 'PATCH', headers: bearer(token), body: { phone: '' } });
    expect(cleared.body.me.phone).to.equal(null);
  });

  it('gives field errors for a malformed phone or email and a too long name', async () => {
    const { token } = await confirmedByLink(mail());
    const res = await api(`${T}/me`, {
      method: 'PATCH',
      headers: bearer(token),
      body: { phone: '12-34', email: 'not-an-email' },
    });
    expect(res.status).to.equal(400);
    expect(res.body.error.fields.phone.code).to.equal('invalid_phone');
    expect(res.body.error.fields.email.code).to.equal('invalid_email');
    const long = await api(`${T}/me`, { method: 'PATCH', headers: bearer(token), body: { fullName: 'я'.repeat(201) } });
    expect(long.body.error.fields.fullName.code).to.equal('too_long');
    const noLogin = await api(`${T}/me`, { method: 'PATCH', headers: bearer(token), body: { email: '' } });
    expect(noLogin.body.error.fields.email.code).to.equal('required');
  });

  it('changes the email login only after the code sent to the new address', async () => {
    const { token, login, password } = await confirmedByLink(mail());
    const next = uniqueEmail('moved');
    const patch = await api(`${T}/me`, { method: 'PATCH', headers: bearer(token), body: { email: next } });
    expect(patch.body.pendingContact).to.deep.equal({ field: 'email', value: next });
    expect(patch.body.me.login).to.equal(login);
    const message = await mail().waitForTo(next);
    expect(message.subject).to.equal('Подтвердите новый адрес');

    const wrong = await api(`${T}/me/contact/confirm`, {
      headers: bearer(token),
      body: { code: codeIn(message.text) === '000000' ? '111111' : '000000' },
    });
    expect(wrong.body.error.code).to.equal('code_invalid');
    const ok = await api(`${T}/me/contact/confirm`, { headers: bearer(token), body: { code: codeIn(message.text) } });
    expect(ok.status).to.equal(200);
    expect(ok.body).to.include({ login: next, email: next });
    expect((await api(`${T}/auth/login`, { body: { login, password } })).status).to.equal(401);
    expect((await api(`${T}/auth/login`, { body: { login: next, password } })).status).to.equal(200);

    const notice = await mail().waitFor(
      (m) => m.to.includes(login) && m.subject === 'Электронная почта личного кабинета изменена',
    );
    expect(notice.text).to.include(`вместо ${login} теперь указана почта ${next[0]}***@${next.split('@')[1]}`);
    expect(notice.text).to.include('обратитесь к поставщику газа');
    expect(notice.text).to.not.include(next);
  });

  it('refuses a new login that another cabinet took meanwhile', async () => {
    const first = await confirmedByLink(mail());
    const target = uniqueEmail('contested');
    await api(`${T}/me`, { method: 'PATCH', headers: bearer(first.token), body: { email: target } });
    const code = codeIn((await mail().waitForTo(target)).text);
    await confirmedByLink(mail(), 'sever-gaz', target);
    const res = await api(`${T}/me/contact/confirm`, { headers: bearer(first.token), body: { code } });
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('login_taken');
  });

  it('changes a phone login by a code sent by SMS', async () => {
    const sms: { to: string; text: string }[] = [];
    testApp().notify.configure({ sms: { send: async (to, text) => void sms.push({ to, text }) } });
    try {
      const phone = uniquePhone();
      await api('/api/v1/t/yug-gaz/auth/register', {
        body: { login: phone, password: 'yug12', consent: true, captcha: await solvedCaptcha('yug-gaz') },
      });
      await new Promise((r) => setTimeout(r, 300));
      await api('/api/v1/t/yug-gaz/auth/confirm', {
        body: { login: phone, code: codeIn(sms.find((s) => s.to === phone)!.text) },
      });
      const { token } = (await api('/api/v1/t/yug-gaz/auth/login', { body: { login: phone, password: 'yug12' } })).body;
      const next = uniquePhone();
      const patch = await api('/api/v1/t/yug-gaz/me', { method: 'PATCH', headers: bearer(token), body: { phone: next } });
      expect(patch.body.pendingContact).to.deep.equal({ field: 'phone', value: next });
      await new Promise((r) => setTimeout(r, 300));
      const code = codeIn(sms.find((s) => s.to === next)!.text);
      const ok = await api('/api/v1/t/yug-gaz/me/contact/confirm', { headers: bearer(token), body: { code } });
      expect(ok.body).to.include({ login: next, phone: next, loginKind: 'phone' });
      await new Promise((r) => setTimeout(r, 300));
      const notice = sms.find((s) => s.to === phone && s.text.startsWith('Южгаз (демо): Номер личного кабинета заменён'));
      expect(notice?.text).to.equal(
        `Южгаз (демо): Номер личного кабинета заменён на +7 *** ***-**-${next.slice(-2)}. Если это не вы, обратитесь к поставщику газа.`,
      );
    } finally {
      testApp().notify.configure({ sms: null });
    }
  });

  it('lists the active sessions and ends one of them, never someone else’s', async () => {
    const { token, login, password } = await confirmedByLink(mail());
    const other = (await api(`${T}/auth/login`, { headers: { 'User-Agent': 'Phone browser' }, body: { login, password } })).body
      .token;
    const list = await api(`${T}/me/sessions`, { headers: bearer(token) });
    expect(list.body).to.have.length(2);
    expect(list.body[0].current).to.equal(true);
    const phone = list.body.find((s: { userAgent: string }) => s.userAgent === 'Phone browser');
    expect(phone).to.include({ current: false, ip: '127.0.0.1' });

    const stranger = await confirmedByLink(mail());
    expect((await api(`${T}/me/sessions/${phone.id}`, { method: 'DELETE', headers: bearer(stranger.token) })).status).to.equal(
      404,
    );
    expect((await api(`${T}/me/sessions/${phone.id}`, { method: 'DELETE', headers: bearer(token) })).status).to.equal(204);
    expect((await api(`${T}/me`, { headers: bearer(other) })).status).to.equal(401);
    expect((await api(`${T}/me/sessions`, { headers: bearer(token) })).body).to.have.length(1);
    expect((await api(`${T}/me/sessions/nope`, { method: 'DELETE', headers: bearer(token) })).body.error.code).to.equal(
      'session_not_found',
    );
  });

  it('names each session’s browser and system as a person reads them, from the User-Agent', async () => {
    const { token, login, password } = await confirmedByLink(mail());
    const windows =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
    for (const agent of [windows, iphone])
      await api(`${T}/auth/login`, { headers: { 'User-Agent': agent }, body: { login, password } });
    const list = (await api(`${T}/me/sessions`, { headers: bearer(token) })).body as { userAgent: string; device: unknown }[];
    expect(list.find((s) => s.userAgent === windows)!.device).to.deep.equal({ browser: 'Chrome', os: 'Windows', mobile: false });
    expect(list.find((s) => s.userAgent === iphone)!.device).to.deep.equal({ browser: 'Mobile Safari', os: 'iOS', mobile: true });
    expect(list.find((s) => s.userAgent === 'node')!.device).to.deep.equal({ browser: null, os: null, mobile: false });
  });

  it('deletes the cabinet with its personal data, sessions, tokens and links, after asking the password again', async () => {
    const { token, login, password, me } = await confirmedByLink(mail());
    await api(`${T}/me`, {
      method: 'PATCH',
      headers: bearer(token),
      body: { fullName: 'Удаляемый', email: uniqueEmail('pending') },
    });

    const wrong = await api(`${T}/me`, { method: 'DELETE', headers: bearer(token), body: { password: 'wrong1' } });
    expect(wrong.status).to.equal(400);
    expect(wrong.body.error.fields.password.code).to.equal('current_password_wrong');

    const res = await api(`${T}/me`, { method: 'DELETE', headers: bearer(token), body: { password } });
    expect(res.status).to.equal(204);
    expect(deletedSubscribers.map((e) => [String(e.subscriberId), e.reason])).to.deep.include([me.id, 'deleted']);
    expect(await Subscriber.countDocuments({ login })).to.equal(0);
    expect(await Subscriber.countDocuments({ fullName: 'Удаляемый' })).to.equal(0);
    expect(await Session.countDocuments({ subscriberId: me.id })).to.equal(0);
    expect(await VerificationToken.countDocuments({ subscriberId: me.id })).to.equal(0);
    expect(await CurrentToken.countDocuments({ subscriberId: me.id })).to.equal(0);
    expect(await LoginKey.countDocuments({ subscriberId: me.id })).to.equal(0);
    expect((await api(`${T}/me`, { headers: bearer(token) })).status).to.equal(401);
    expect((await api(`${T}/auth/login`, { body: { login, password } })).status).to.equal(401);
    const notice = await mail().waitFor((m) => m.to.includes(login) && m.subject === 'Личный кабинет удалён');
    expect(notice.text).to.include('согласие на обработку персональных данных отозвано');
    await clearKey(failureKey('gazregion', login));
  });
});
