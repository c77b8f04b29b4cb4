import { expect } from 'chai';
import { AUTH_SWEEP } from '../../server/auth/service.ts';
import { Session } from '../../server/auth/session-model.ts';
import { CurrentToken, VerificationToken } from '../../server/auth/token-model.ts';
import { LoginKey, Subscriber } from '../../server/subscribers/model.ts';
import { updateSubscriber } from '../../server/subscribers/service.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { clearTenantCache } from '../../server/tenants/service.ts';
import {
  bearer,
  expireToken,
  linkParam,
  solvedCaptcha,
  subscriberByLogin,
  uniqueEmail,
  useMailCatcher,
  withRegistration,
} from '../helpers/auth.ts';
import { api, testServer } from '../helpers/server.ts';

const T = '/api/v1/t/sever-gaz';

async function registerLink(login: string, extra: Record<string, unknown> = {}) {
  return api(`${T}/auth/register`, {
    body: {
      login,
      password: 'abc12',
      passwordRepeat: 'abc12',
      consent: true,
      captcha: await solvedCaptcha('sever-gaz'),
      ...extra,
    },
  });
}

describe('auth: password + email link (seeds 000, 002, 003)', () => {
  const { mail } = useMailCatcher();

  it('mails a confirmation link through SMTP that confirms the cabinet, then the person signs in', async () => {
    const login = uniqueEmail('Link').toUpperCase();
    const reg = await registerLink(login, { returnUrl: 'http://localhost:3000/examples/sever/register.html' });
    expect(reg.status).to.equal(202);
    expect(reg.body).to.include({
      status: 'pending',
      login: login.toLowerCase(),
      method: 'link',
      channel: 'email',
      resendAfter: 60,
    });
    const deadline = new Date(reg.body.confirmBy);
    expect(deadline.getTime() - Date.now()).to.be.closeTo(72 * 3600_000, 60_000);

    const message = await mail().waitForTo(login.toLowerCase());
    expect(message.subject).to.equal('Подтвердите регистрацию в личном кабинете');
    expect(message.text).to.include('Северогаз (демо)').and.include('Ссылка действительна до');
    expect(message.html).to.include('#0b4f8a').and.include('Подтвердить регистрацию');
    const link = message.text.match(/https?:\/\/\S+gaskit-confirm=\S+/)![0];
    expect(link).to.match(/^http:\/\/localhost:3000\/examples\/sever\/register\.html\?gaskit-confirm=/);

    const before = await api(`${T}/auth/login`, { body: { login, password: 'abc12' } });
    expect(before.status).to.equal(200);
    expect(before.body.me).to.include({ status: 'pending', login: login.toLowerCase() });
    expect(before.body.me.consent).to.include({ version: '2026-01' });

    const confirmed = await api(`${T}/auth/confirm`, { body: { token: linkParam(message, 'gaskit-confirm') } });
    expect(confirmed.status).to.equal(200);
    expect(confirmed.body).to.deep.equal({ status: 'confirmed', login: login.toLowerCase() });

    const signed = await api(`${T}/auth/login`, { body: { login: login.toLowerCase(), password: 'abc12' } });
    expect(signed.status).to.equal(200);
    expect(signed.body.me).to.include({ status: 'active', confirmBy: null, mustChangePassword: false });
    const me = await api(`${T}/me`, { headers: bearer(signed.body.token) });
    expect(me.body.login).to.equal(login.toLowerCase());
  });

  it('refuses a link used twice, a wrong one and an expired one', async () => {
    const login = uniqueEmail();
    await registerLink(login);
    const token = linkParam(await mail().waitForTo(login), 'gaskit-confirm');

    const wrong = await api(`${T}/auth/confirm`, { body: { token: 'x'.repeat(43) } });
    expect(wrong.status).to.equal(422);
    expect(wrong.body.error.code).to.equal('link_invalid');

    await expireToken('sever-gaz', login, 'confirm');
    const expired = await api(`${T}/auth/confirm`, { body: { token } });
    expect(expired.status).to.equal(422);
    expect(expired.body.error.code).to.equal('link_expired');
    expect(expired.body.error.message).to.equal('Срок действия ссылки истёк.');

    const other = uniqueEmail();
    await registerLink(other);
    const fresh = linkParam(await mail().waitForTo(other), 'gaskit-confirm');
    expect((await api(`${T}/auth/confirm`, { body: { token: fresh } })).status).to.equal(200);
    const reused = await api(`${T}/auth/confirm`, { body: { token: fresh } });
    expect(reused.status).to.equal(422);
    expect(reused.body.error.code).to.equal('link_invalid');
  });

  it("states the link's deadline on the supplier's clock, named against Moscow time as people in Russia read it, not UTC", async () => {
    const deadlineIn = async () => {
      const login = uniqueEmail('zone');
      const reg = await registerLink(login);
      const message = await mail().waitForTo(login);
      const local = new Intl.DateTimeFormat('ru', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: (await Tenant.findOne({ slug: 'sever-gaz' }).lean())!.readings.timeZone,
      }).format(new Date(reg.body.confirmBy));
      expect(message.text).not.to.match(/UTC|GMT/);
      return { text: message.text, local };
    };
    const moscow = await deadlineIn();
    expect(moscow.text).to.include(`Ссылка действительна до ${moscow.local} (МСК).`);
    const before = (await Tenant.findOne({ slug: 'sever-gaz' }).lean())!.readings.timeZone;
    await Tenant.updateOne({ slug: 'sever-gaz' }, { $set: { 'readings.timeZone': 'Asia/Vladivostok' } });
    clearTenantCache();
    try {
      const far = await deadlineIn();
      expect(far.local).not.to.equal(moscow.local);
      expect(far.text).to.include(`Ссылка действительна до ${far.local} (МСК+7).`);
    } finally {
      await Tenant.updateOne({ slug: 'sever-gaz' }, { $set: { 'readings.timeZone': before } });
      clearTenantCache();
    }
  });

  it('lets a signed-in unconfirmed person resend the link, once per cooldown; the new link replaces the old and keeps the deadline', async () => {
    const login = uniqueEmail();
    const reg = await registerLink(login);
    const first = linkParam(await mail().waitForTo(login), 'gaskit-confirm');
    const signed = await api(`${T}/auth/login`, { body: { login, password: 'abc12' } });

    mail().clear();
    const again = await api(`${T}/auth/resend`, {
      headers: bearer(signed.body.token),
      body: { captcha: await solvedCaptcha('sever-gaz') },
    });
    expect(again.status).to.equal(202);
    expect(again.body).to.deep.equal({ status: 'sent', resendAfter: 60 });
    const second = linkParam(await mail().waitForTo(login), 'gaskit-confirm');
    expect(second).not.to.equal(first);

    const tooSoon = await api(`${T}/auth/resend`, {
      headers: bearer(signed.body.token),
      body: { captcha: await solvedCaptcha('sever-gaz') },
    });
    expect(tooSoon.status).to.equal(429);
    expect(tooSoon.body.error.code).to.equal('resend_too_soon');
    expect(Number(tooSoon.headers.get('retry-after'))).to.be.within(55, 60);

    expect((await api(`${T}/auth/confirm`, { body: { token: first } })).body.error.code).to.equal('link_invalid');
    expect((await subscriberByLogin('sever-gaz', login))!.confirmBy!.toISOString()).to.equal(reg.body.confirmBy);
    expect((await api(`${T}/auth/confirm`, { body: { token: second } })).status).to.equal(200);
  });

  it('keeps an unconfirmed person out of other modules until confirmed', async () => {
    const login = uniqueEmail();
    await registerLink(login);
    const signed = await api(`${T}/auth/login`, { body: { login, password: 'abc12' } });
    const sessions = await api(`${T}/me/sessions`, { headers: bearer(signed.body.token) });
    expect(sessions.status).to.equal(403);
    expect(sessions.body.error.code).to.equal('confirmation_required');
    expect((await api(`${T}/me`, { headers: bearer(signed.body.token) })).status).to.equal(200);
  });

  it('removes a cabinet not confirmed by its deadline, with its sessions and link', async () => {
    const login = uniqueEmail();
    await registerLink(login);
    const token = linkParam(await mail().waitForTo(login), 'gaskit-confirm');
    const signed = await api(`${T}/auth/login`, { body: { login, password: 'abc12' } });
    const sub = (await subscriberByLogin('sever-gaz', login))!;
    await updateSubscriber(sub, { set: { confirmBy: new Date(Date.now() - 1000) } });

    expect((await api(`${T}/auth/confirm`, { body: { token } })).body.error.code).to.equal('link_expired');
    expect((await api(`${T}/auth/login`, { body: { login, password: 'abc12' } })).body.error.code).to.equal(
      'invalid_credentials',
    );

    await testServer().app.runWorker(AUTH_SWEEP);
    expect(await Subscriber.countDocuments({ _id: sub._id })).to.equal(0);
    expect(await Session.countDocuments({ subscriberId: sub._id })).to.equal(0);
    expect(await VerificationToken.countDocuments({ subscriberId: sub._id })).to.equal(0);
    expect(await CurrentToken.countDocuments({ subscriberId: sub._id })).to.equal(0);
    expect(await LoginKey.countDocuments({ subscriberId: sub._id })).to.equal(0);
    expect((await api(`${T}/me`, { headers: bearer(signed.body.token) })).body.error.code).to.equal('session_expired');

    const again = await registerLink(login);
    expect(again.status).to.equal(202);
    expect(await mail().waitFor((m) => m.to.includes(login) && m.text.includes('gaskit-confirm') && !m.text.includes(token))).to
      .exist;
  });

  describe('field errors', () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      [
        'a password shorter than the policy',
        { password: 'ab1', passwordRepeat: 'ab1' },
        'password',
        'password_latin_letters_digits',
      ],
      [
        'a password longer than the policy',
        { password: 'abcdef123456', passwordRepeat: 'abcdef123456' },
        'password',
        'password_latin_letters_digits',
      ],
      [
        'a password with Cyrillic letters',
        { password: 'пароль12', passwordRepeat: 'пароль12' },
        'password',
        'password_latin_letters_digits',
      ],
      ['a password with a space', { password: 'abc 12', passwordRepeat: 'abc 12' }, 'password', 'password_latin_letters_digits'],
      ['a repeat that differs', { passwordRepeat: 'abc13' }, 'passwordRepeat', 'mismatch'],
      ['a malformed email', { login: 'ivanov@example' }, 'login', 'invalid_email'],
      ['a phone where the tenant takes email only', { login: '+79123456789' }, 'login', 'invalid_email'],
      ['no consent to the user agreement', { consent: false }, 'consent', 'consent_required'],
      ['an unknown field', { admin: true }, 'admin', 'unknown_field'],
    ];
    for (const [name, patch, field, code] of cases) {
      it(`rejects ${name} with ${field}: ${code}`, async () => {
        const res = await api(`${T}/auth/register`, {
          body: { login: uniqueEmail(), password: 'abc12', passwordRepeat: 'abc12', consent: true, ...patch },
        });
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal('validation_failed');
        expect(res.body.error.fields[field].code).to.equal(code);
      });
    }

    it('names the rule of the tenant’s password policy in the message', async () => {
      const res = await api(`${T}/auth/register`, { body: { login: uniqueEmail(), password: 'ab', consent: true } });
      expect(res.body.error.fields.password.message).to.equal('Пароль — от 5 до 10 латинских букв и цифр.');
      const en = await api(`${T}/auth/register`, {
        headers: { 'Accept-Language': 'en' },
        body: { login: uniqueEmail(), password: 'ab', consent: true },
      });
      expect(en.body.error.fields.password.message).to.equal('The password must be 5 to 10 Latin letters and digits.');
    });
  });

  describe('captcha', () => {
    it('is required when the tenant has it on', async () => {
      const res = await api(`${T}/auth/register`, { body: { login: uniqueEmail(), password: 'abc12', consent: true } });
      expect(res.status).to.equal(400);
      expect(res.body.error.fields.captcha.code).to.equal('captcha_required');
    });

    it('accepts a solution once only', async () => {
      const captcha = await solvedCaptcha('sever-gaz');
      expect((await registerLink(uniqueEmail(), { captcha })).status).to.equal(202);
      const replay = await registerLink(uniqueEmail(), { captcha });
      expect(replay.status).to.equal(400);
      expect(replay.body.error.fields.captcha.code).to.equal('captcha_invalid');
    });

    it('is not asked for when the tenant has it off', async () => {
      await withRegistration('sever-gaz', { captcha: false }, async () => {
        const res = await api(`${T}/auth/register`, { body: { login: uniqueEmail(), password: 'abc12', consent: true } });
        expect(res.status).to.equal(202);
        expect((await api(`${T}/config`)).body.registration.captcha).to.equal(false);
      });
    });

    it('refuses another tenant’s challenge and a forged solution', async () => {
      const foreign = await registerLink(uniqueEmail(), { captcha: await solvedCaptcha('yug-gaz') });
      expect(foreign.body.error.fields.captcha.code).to.equal('captcha_invalid');
      const solved = JSON.parse(Buffer.from(await solvedCaptcha('sever-gaz'), 'base64').toString());
      const key: string = solved.solution.derivedKey;
      solved.solution.derivedKey = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
      const forged = await registerLink(uniqueEmail(), { captcha: Buffer.from(JSON.stringify(solved)).toString('base64') });
      expect(forged.body.error.fields.captcha.code).to.equal('captcha_invalid');
    });
  });
});
