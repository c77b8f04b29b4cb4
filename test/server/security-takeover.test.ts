import { expect } from 'chai';
import { bearer, codeIn, linkParam, solvedCaptcha, uniqueEmail, useMailCatcher } from '../helpers/auth.ts';
import { api } from '../helpers/server.ts';

/**
 * Issue 14, item 5: an attacker registers the victim's email with a password of their own and
 * signs in while the cabinet awaits confirmation; the victim then registers too and confirms
 * from the mail. The cabinet must end up the victim's alone.
 */
describe('security: a cabinet awaiting confirmation cannot be taken over (issue 14, item 5)', () => {
  const { mail } = useMailCatcher();

  async function register(slug: string, login: string, password: string) {
    const res = await api(`/api/v1/t/${slug}/auth/register`, {
      body: { login, password, passwordRepeat: password, consent: true, captcha: await solvedCaptcha(slug) },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
  }

  async function nextMailTo(login: string) {
    const message = await mail().waitForTo(login);
    mail().clear();
    return message;
  }

  async function signIn(slug: string, login: string, password: string) {
    return api(`/api/v1/t/${slug}/auth/login`, { body: { login, password } });
  }

  async function expectVictimOwnsIt(slug: string, login: string, attackerToken: string) {
    const accounts = await api(`/api/v1/t/${slug}/accounts`, { headers: bearer(attackerToken) });
    expect(accounts.status, 'the attacker’s session before confirmation').to.equal(401);
    expect(accounts.body.error.code).to.equal('session_expired');
    expect((await signIn(slug, login, 'attack1')).status, 'the attacker’s password').to.equal(401);
    const victim = await signIn(slug, login, 'victim1');
    expect(victim.status, 'the victim’s own password').to.equal(200);
    expect(victim.body.me.status).to.equal('active');
    expect((await api(`/api/v1/t/${slug}/accounts`, { headers: bearer(victim.body.token) })).status).to.equal(200);
  }

  it('link flow: confirming the victim’s registration ends the attacker’s session and sets the victim’s password', async () => {
    const login = uniqueEmail('victim-link');
    await register('sever-gaz', login, 'attack1');
    await nextMailTo(login);
    const attacker = await signIn('sever-gaz', login, 'attack1');
    expect(attacker.status).to.equal(200);
    expect(attacker.body.me.status).to.equal('pending');

    await register('sever-gaz', login, 'victim1');
    const confirmed = await api('/api/v1/t/sever-gaz/auth/confirm', {
      body: { token: linkParam(await nextMailTo(login), 'gaskit-confirm') },
    });
    expect(confirmed.status).to.equal(200);
    await expectVictimOwnsIt('sever-gaz', login, attacker.body.token);
  });

  it('code flow: confirming with the code of the victim’s registration does the same', async () => {
    const login = uniqueEmail('victim-code');
    await register('yug-gaz', login, 'attack1');
    await nextMailTo(login);
    const attacker = await signIn('yug-gaz', login, 'attack1');
    expect(attacker.status).to.equal(200);

    await register('yug-gaz', login, 'victim1');
    const code = codeIn((await nextMailTo(login)).text);
    const confirmed = await api('/api/v1/t/yug-gaz/auth/confirm', { body: { login, code } });
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(200);
    await expectVictimOwnsIt('yug-gaz', login, attacker.body.token);
  });

  it('a link sent again from the attacker’s session still confirms the victim’s registration', async () => {
    const login = uniqueEmail('victim-resend');
    await register('sever-gaz', login, 'attack1');
    await nextMailTo(login);
    const attacker = await signIn('sever-gaz', login, 'attack1');
    await register('sever-gaz', login, 'victim1');
    await nextMailTo(login);

    const resent = await api('/api/v1/t/sever-gaz/auth/resend', {
      body: { captcha: await solvedCaptcha('sever-gaz') },
      headers: bearer(attacker.body.token),
    });
    expect(resent.status).to.equal(202);
    const confirmed = await api('/api/v1/t/sever-gaz/auth/confirm', {
      body: { token: linkParam(await nextMailTo(login), 'gaskit-confirm') },
    });
    expect(confirmed.status).to.equal(200);
    await expectVictimOwnsIt('sever-gaz', login, attacker.body.token);
  });
});
