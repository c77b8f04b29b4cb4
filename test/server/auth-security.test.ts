import { expect } from 'chai';
import mongoose from 'mongoose';
import { failureKey } from '../../server/auth/credentials.ts';
import { clearKey, consume } from '../../server/http/limits.ts';
import { peek } from '../../server/db/kernel/limits.ts';
import {
  bearer,
  confirmedByLink,
  expireToken,
  LOOSE_LIMITS,
  relaxAuthForTests,
  relaxedPolicy,
  solvedCaptcha,
  uniqueEmail,
  useMailCatcher,
} from '../helpers/auth.ts';
import { api, testApp } from '../helpers/server.ts';

const T = '/api/v1/t/sever-gaz';

/** Moves the failures of a login back in time, as if the lockout delay had passed. */
async function ageFailures(login: string, ms: number) {
  const stream = new RegExp(`^limit:${encodeURIComponent(failureKey('gazregion', login))}:`);
  const hits = mongoose.connection.collection<{ _id: string; at: Date }>('kernel_hits');
  for (const h of await hits.find({ stream }).toArray()) {
    await hits.updateOne({ _id: h._id }, { $set: { at: new Date(h.at.getTime() - ms) } });
  }
}

async function failuresOf(login: string): Promise<number> {
  const { threshold, windowMs } = testApp().auth.policy.lockout;
  return (await peek(failureKey('gazregion', login), { points: threshold, windowMs })).count;
}

function withoutTimes(body: Record<string, unknown>) {
  const { confirmBy, ...rest } = body;
  return { ...rest, confirmByMinute: Math.round(new Date(String(confirmBy)).getTime() / 60_000) };
}

describe('auth: sign-in, lockout, limits and enumeration', () => {
  const { mail } = useMailCatcher();

  it('answers a wrong password and an unknown login alike', async () => {
    const { login } = await confirmedByLink(mail());
    const wrong = await api(`${T}/auth/login`, { body: { login, password: 'wrong1' } });
    const unknown = await api(`${T}/auth/login`, { body: { login: uniqueEmail('ghost'), password: 'wrong1' } });
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect(wrong.body).to.deep.equal(unknown.body);
    expect(wrong.body.error.code).to.equal('invalid_credentials');
  });

  it('locks a login out after five wrong passwords, with a delay that grows with each further failure', async () => {
    const { login, password } = await confirmedByLink(mail());
    for (let i = 0; i < 5; i++)
      expect((await api(`${T}/auth/login`, { body: { login, password: 'nope1' } })).status).to.equal(401);
    const locked = await api(`${T}/auth/login`, { body: { login, password } });
    expect(locked.status).to.equal(429);
    expect(locked.body.error.code).to.equal('login_locked');
    expect(Number(locked.headers.get('retry-after'))).to.be.within(25, 30);

    await ageFailures(login, 31_000);
    expect((await api(`${T}/auth/login`, { body: { login, password: 'nope1' } })).status).to.equal(401);
    const longer = await api(`${T}/auth/login`, { body: { login, password } });
    expect(longer.status).to.equal(429);
    expect(Number(longer.headers.get('retry-after'))).to.be.within(55, 60);

    await ageFailures(login, 61_000);
    const ok = await api(`${T}/auth/login`, { body: { login, password } });
    expect(ok.status).to.equal(200);
    expect(await failuresOf(login)).to.equal(0);
  });

  it('checks at most five of 40 tries sent at once for one login, 39 wrong and then the right one', async () => {
    const { login, password } = await confirmedByLink(mail());
    const tries = Array.from({ length: 40 }, (_, i) => (i < 39 ? `wrong${i}` : password));
    const answers = await Promise.all(tries.map((p) => api(`${T}/auth/login`, { body: { login, password: p } })));
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.length - refused.length).to.be.at.most(5);
    for (const a of refused) expect(a.body.error.code).to.equal('login_locked');
    for (const a of answers.filter((a) => a.status !== 429)) expect([200, 401]).to.include(a.status);
  });

  it('locks unknown logins out the same way (no hint that they do not exist)', async () => {
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 5; i++) await api(`${T}/auth/login`, { body: { login: ghost, password: 'nope1' } });
    expect((await api(`${T}/auth/login`, { body: { login: ghost, password: 'nope1' } })).body.error.code).to.equal(
      'login_locked',
    );
  });

  it('signs out by ending the session', async () => {
    const { token } = await confirmedByLink(mail());
    expect((await api(`${T}/auth/logout`, { method: 'POST', headers: bearer(token) })).status).to.equal(204);
    const after = await api(`${T}/me`, { headers: bearer(token) });
    expect(after.status).to.equal(401);
    expect(after.body.error.code).to.equal('session_expired');
  });

  describe('enumeration probes get identical answers', () => {
    it('register: new login, confirmed login, login awaiting confirmation', async () => {
      const { login: taken } = await confirmedByLink(mail());
      const waiting = uniqueEmail('wait');
      const fresh = uniqueEmail('fresh');
      const body = async (login: string) => ({
        login,
        password: 'abc12',
        passwordRepeat: 'abc12',
        consent: true,
        captcha: await solvedCaptcha('sever-gaz'),
      });
      await api(`${T}/auth/register`, { body: await body(waiting) });
      const answers = [];
      for (const login of [fresh, taken, waiting]) answers.push(await api(`${T}/auth/register`, { body: await body(login) }));
      for (const a of answers) expect(a.status).to.equal(202);
      const [first, ...others] = answers.map((a) => ({ ...withoutTimes(a.body), login: '' }));
      for (const o of others) expect(o).to.deep.equal(first);

      const notice = await mail().waitFor((m) => m.to.includes(taken) && m.subject === 'Попытка повторной регистрации');
      expect(notice.text).to.include('уже есть');
      expect((await api(`${T}/auth/login`, { body: { login: taken, password: 'abc12' } })).status).to.equal(200);
    });

    it('forgot and resend: existing and unknown logins', async () => {
      const { login } = await confirmedByLink(mail());
      for (const path of ['auth/password/forgot', 'auth/resend']) {
        const known = await api(`${T}/${path}`, { body: { login, captcha: await solvedCaptcha('sever-gaz') } });
        const unknown = await api(`${T}/${path}`, {
          body: { login: uniqueEmail('none'), captcha: await solvedCaptcha('sever-gaz') },
        });
        expect(known.status, path).to.equal(202);
        expect(known.body, path).to.deep.equal(unknown.body);
      }
    });

    it('take no less than the response floor in either branch', async () => {
      // A floor well above what either branch costs on a loaded 2-core machine, so both answer at it.
      testApp().auth.setPolicy({ ...relaxedPolicy(), responseFloorMs: 1000 });
      try {
        const { login } = await confirmedByLink(mail());
        const timed = async (who: string) => {
          const captcha = await solvedCaptcha('sever-gaz');
          const started = Date.now();
          await api(`${T}/auth/password/forgot`, { body: { login: who, captcha } });
          return Date.now() - started;
        };
        const known = await timed(login);
        const unknown = await timed(uniqueEmail('none'));
        expect(known).to.be.at.least(1000);
        expect(unknown).to.be.at.least(1000);
        expect(Math.abs(known - unknown)).to.be.below(150);
      } finally {
        relaxAuthForTests();
      }
    });
  });

  describe('rate limits kept in the database', () => {
    afterEach(() => relaxAuthForTests());

    it('limits registrations per client IP with 429 and Retry-After', async () => {
      testApp().auth.setPolicy({
        ...relaxedPolicy(),
        limits: {
          ...relaxedPolicy().limits,
          register: { ip: { points: 2, windowMs: 60_000 }, login: LOOSE_LIMITS, tenant: LOOSE_LIMITS },
        },
      });
      await clearKey('register:ip:127.0.0.1');
      const body = async () => ({
        login: uniqueEmail(),
        password: 'abc12',
        consent: true,
        captcha: await solvedCaptcha('sever-gaz'),
      });
      const firstAt = Date.now();
      expect((await api(`${T}/auth/register`, { body: await body() })).status).to.equal(202);
      expect((await api(`${T}/auth/register`, { body: await body() })).status).to.equal(202);
      const third = await api(`${T}/auth/register`, { body: await body() });
      expect(third.status).to.equal(429);
      expect(third.body.error.code).to.equal('rate_limited');
      // Room again when the first registration leaves the minute's window (the captchas take a while on a loaded machine).
      const frees = 60 - Math.floor((Date.now() - firstAt) / 1000);
      expect(Number(third.headers.get('retry-after'))).to.be.within(frees - 1, 60);
    });

    it('limits registrations per tenant', async () => {
      testApp().auth.setPolicy({
        ...relaxedPolicy(),
        limits: {
          ...relaxedPolicy().limits,
          register: { ip: LOOSE_LIMITS, login: LOOSE_LIMITS, tenant: { points: 0, windowMs: 60_000 } },
        },
      });
      const res = await api(`${T}/auth/register`, {
        body: { login: uniqueEmail(), password: 'abc12', consent: true, captcha: await solvedCaptcha('sever-gaz') },
      });
      expect(res.status).to.equal(429);
    });

    it('lets the limit through one by one and never more, however many requests come at once', async () => {
      const key = `test:${uniqueEmail()}`;
      const outcomes: string[] = [];
      for (let i = 0; i < 7; i++)
        outcomes.push(
          await consume(key, { points: 5, windowMs: 60_000 }).then(
            () => 'ok',
            () => 'limited',
          ),
        );
      expect(outcomes).to.deep.equal(['ok', 'ok', 'ok', 'ok', 'ok', 'limited', 'limited']);

      const burst = `test:${uniqueEmail()}`;
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => consume(burst, { points: 5, windowMs: 60_000 })));
      expect(results.filter((r) => r.status === 'fulfilled').length).to.be.at.most(5);
    });
  });

  describe('forgot password → reset by emailed link', () => {
    it('mails a reset link that sets a new password once and ends every session', async () => {
      const { login, token } = await confirmedByLink(mail());
      const forgot = await api(`${T}/auth/password/forgot`, { body: { login, captcha: await solvedCaptcha('sever-gaz') } });
      expect(forgot.body).to.deep.equal({ status: 'sent', channel: 'email', method: 'link', resendAfter: 60 });
      const message = await mail().waitFor((m) => m.to.includes(login) && m.subject === 'Восстановление пароля');
      const reset = new URL(message.text.match(/https?:\/\/\S+gaskit-reset=\S+/)![0]).searchParams.get('gaskit-reset')!;

      const weak = await api(`${T}/auth/password/reset`, { body: { token: reset, password: 'a1' } });
      expect(weak.body.error.fields.password.code).to.equal('password_latin_letters_digits');

      const done = await api(`${T}/auth/password/reset`, { body: { token: reset, password: 'new12', passwordRepeat: 'new12' } });
      expect(done.body).to.deep.equal({ status: 'password_reset', login });
      expect((await api(`${T}/me`, { headers: bearer(token) })).body.error.code).to.equal('session_expired');
      expect((await api(`${T}/auth/login`, { body: { login, password: 'abc12' } })).status).to.equal(401);
      expect((await api(`${T}/auth/login`, { body: { login, password: 'new12' } })).status).to.equal(200);
      expect((await api(`${T}/auth/password/reset`, { body: { token: reset, password: 'other1' } })).body.error.code).to.equal(
        'link_invalid',
      );
      await mail().waitFor((m) => m.to.includes(login) && m.subject === 'Пароль изменён');
    });

    it('refuses an expired reset link', async () => {
      const { login } = await confirmedByLink(mail());
      await api(`${T}/auth/password/forgot`, { body: { login, captcha: await solvedCaptcha('sever-gaz') } });
      const message = await mail().waitFor((m) => m.to.includes(login) && m.subject === 'Восстановление пароля');
      const reset = new URL(message.text.match(/https?:\/\/\S+gaskit-reset=\S+/)![0]).searchParams.get('gaskit-reset')!;
      await expireToken('sever-gaz', login, 'reset');
      expect((await api(`${T}/auth/password/reset`, { body: { token: reset, password: 'new12' } })).body.error.code).to.equal(
        'link_expired',
      );
    });

    it('leads the link to an allowed page of the supplier only', async () => {
      const res = await api(`${T}/auth/password/forgot`, {
        body: { login: uniqueEmail(), captcha: await solvedCaptcha('sever-gaz'), returnUrl: 'https://evil.example/phish' },
      });
      expect(res.status).to.equal(400);
      expect(res.body.error.fields.returnUrl.code).to.equal('return_url_not_allowed');
    });
  });

  describe('change password', () => {
    it('needs the current password, refuses the same one, and ends the other sessions only', async () => {
      const { login, password, token } = await confirmedByLink(mail());
      const other = (await api(`${T}/auth/login`, { body: { login, password } })).body.token;
      const wrong = await api(`${T}/auth/password/change`, {
        headers: bearer(token),
        body: { currentPassword: 'bad12', password: 'fresh1', passwordRepeat: 'fresh1' },
      });
      expect(wrong.status).to.equal(400);
      expect(wrong.body.error.fields.currentPassword.code).to.equal('current_password_wrong');
      const same = await api(`${T}/auth/password/change`, {
        headers: bearer(token),
        body: { currentPassword: password, password, passwordRepeat: password },
      });
      expect(same.body.error.fields.password.code).to.equal('password_same_as_current');
      const mismatch = await api(`${T}/auth/password/change`, {
        headers: bearer(token),
        body: { currentPassword: password, password: 'fresh1', passwordRepeat: 'fresh2' },
      });
      expect(mismatch.body.error.fields.passwordRepeat.code).to.equal('mismatch');

      const ok = await api(`${T}/auth/password/change`, {
        headers: bearer(token),
        body: { currentPassword: password, password: 'fresh1', passwordRepeat: 'fresh1' },
      });
      expect(ok.status).to.equal(200);
      expect((await api(`${T}/me`, { headers: bearer(token) })).status).to.equal(200);
      expect((await api(`${T}/me`, { headers: bearer(other) })).status).to.equal(401);
      expect((await api(`${T}/auth/login`, { body: { login, password: 'fresh1' } })).status).to.equal(200);
    });
  });
});
