import { expect } from 'chai';
import { Subscriber } from '../../server/subscribers/model.ts';
import { bearer, codeIn, solvedCaptcha, subscriberByLogin, uniqueEmail, useMailCatcher } from '../helpers/auth.ts';
import type { MailCatcher } from '../helpers/mail.ts';
import { api } from '../helpers/server.ts';

const T = '/api/v1/t/vostok-gaz';

/** Email + person type → code; code + consent → temporary password by email. */
async function throughTemporaryPassword(mail: MailCatcher, personType: 'individual' | 'legal' = 'individual') {
  const login = uniqueEmail('vostok');
  const reg = await api(`${T}/auth/register`, { body: { login, personType, captcha: await solvedCaptcha('vostok-gaz') } });
  expect(reg.status).to.equal(202);
  const codeMail = await mail.waitForTo(login);
  const confirmed = await api(`${T}/auth/confirm`, { body: { login, code: codeIn(codeMail.text), consent: true } });
  expect(confirmed.body).to.deep.equal({ status: 'temporary_password_sent', login });
  const passwordMail = await mail.waitFor((m) => m.to.includes(login) && m.subject.startsWith('Временный пароль'));
  const password = /для первого входа:\s+(\S+)/.exec(passwordMail.text)![1]!;
  return { login, password, codeMail, passwordMail };
}

describe('auth: email code + consent → temporary password → forced change (seed 004)', () => {
  const { mail } = useMailCatcher();

  it('asks for the person type and email only, and mails a verification code', async () => {
    const login = uniqueEmail('v');
    const noType = await api(`${T}/auth/register`, { body: { login, captcha: await solvedCaptcha('vostok-gaz') } });
    expect(noType.status).to.equal(400);
    expect(noType.body.error.fields.personType.code).to.equal('required');

    const reg = await api(`${T}/auth/register`, {
      body: { login, personType: 'legal', captcha: await solvedCaptcha('vostok-gaz') },
    });
    expect(reg.body).to.include({ status: 'pending', method: 'code', channel: 'email' });
    const message = await mail().waitForTo(login);
    expect(message.subject).to.equal('Проверочный код для регистрации');
    expect(message.text).to.include('Спам');
    expect(codeIn(message.text)).to.match(/^\d{6}$/);
    expect((await subscriberByLogin('vostok-gaz', login))!).to.include({ personType: 'legal', status: 'pending' });
  });

  it('needs consent to the access rules with the code, and records it with the document version and time', async () => {
    const login = uniqueEmail('consent');
    await api(`${T}/auth/register`, { body: { login, personType: 'individual', captcha: await solvedCaptcha('vostok-gaz') } });
    const code = codeIn((await mail().waitForTo(login)).text);
    const without = await api(`${T}/auth/confirm`, { body: { login, code } });
    expect(without.status).to.equal(400);
    expect(without.body.error.fields.consent.code).to.equal('consent_required');

    const before = Date.now();
    expect((await api(`${T}/auth/confirm`, { body: { login, code, consent: true } })).status).to.equal(200);
    const sub = (await subscriberByLogin('vostok-gaz', login))!;
    expect(sub.consent).to.include({ version: '2026-03', url: '/examples/docs/access-rules.html' });
    expect(sub.consent!.acceptedAt.getTime()).to.be.within(before - 1000, Date.now() + 1000);
    const config = await api(`${T}/config`);
    expect(config.body.registration.consent).to.deep.equal({ url: '/examples/docs/access-rules.html', version: '2026-03' });
  });

  it('mails a temporary password that must be replaced at the first sign-in', async () => {
    const { login, password, passwordMail } = await throughTemporaryPassword(mail(), 'legal');
    expect(passwordMail.text).to.include('сменить временный пароль').and.include('Никому не сообщайте');
    expect(passwordMail.text).to.match(/Временный пароль действует до \d{1,2} [а-я]+ \d{4} г\. в \d{2}:\d{2} \(МСК\)\./);
    expect(password).to.match(/^(?=.*[A-Za-z])(?=.*\d)[A-Za-z\d]{12}$/);

    const signed = await api(`${T}/auth/login`, { body: { login, password } });
    expect(signed.status).to.equal(200);
    expect(signed.body.me).to.include({ mustChangePassword: true, status: 'active', personType: 'legal' });
    const auth = bearer(signed.body.token);

    const guarded = await api(`${T}/me/sessions`, { headers: auth });
    expect(guarded.status).to.equal(403);
    expect(guarded.body.error.code).to.equal('password_change_required');
    expect((await api(`${T}/me`, { method: 'PATCH', headers: auth, body: { fullName: 'X' } })).body.error.code).to.equal(
      'password_change_required',
    );
    expect((await api(`${T}/me`, { headers: auth })).status).to.equal(200);

    const weak = await api(`${T}/auth/password/change`, {
      headers: auth,
      body: { currentPassword: password, password: 'onlyletters', passwordRepeat: 'onlyletters' },
    });
    expect(weak.body.error.fields.password.code).to.equal('password_letters_and_digits');

    const changed = await api(`${T}/auth/password/change`, {
      headers: auth,
      body: { currentPassword: password, password: 'MyOwn2026', passwordRepeat: 'MyOwn2026' },
    });
    expect(changed.status).to.equal(200);
    expect(changed.body.mustChangePassword).to.equal(false);
    expect((await api(`${T}/me/sessions`, { headers: auth })).status).to.equal(200);
    expect((await api(`${T}/auth/login`, { body: { login, password } })).status).to.equal(401);
    expect((await api(`${T}/auth/login`, { body: { login, password: 'MyOwn2026' } })).status).to.equal(200);
  });

  it('refuses a temporary password after its deadline', async () => {
    const { login, password } = await throughTemporaryPassword(mail());
    await Subscriber.updateOne({ login }, { $set: { passwordExpiresAt: new Date(Date.now() - 1000) } });
    const res = await api(`${T}/auth/login`, { body: { login, password } });
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal('temporary_password_expired');
  });

  it('cannot sign in before the code is confirmed (there is no password yet)', async () => {
    const login = uniqueEmail('early');
    await api(`${T}/auth/register`, { body: { login, personType: 'individual', captcha: await solvedCaptcha('vostok-gaz') } });
    const res = await api(`${T}/auth/login`, { body: { login, password: 'Anything1' } });
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal('invalid_credentials');
  });
});
