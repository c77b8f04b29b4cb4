import http from 'node:http';
import { expect } from 'chai';
import { solvedCaptcha, uniqueEmail, useMailCatcher } from '../helpers/auth.ts';
import type { CaughtMail } from '../helpers/mail.ts';
import { testServer } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

const ATTACKER = 'attacker.example';

/**
 * A request with headers fetch will not send (`Host`), as an attacker's client sends it; the body
 * is JSON, or a form (serialised as the browser would).
 */
async function raw(pathname: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  let payload: Buffer;
  let type: string;
  if (body instanceof FormData) {
    const encoded = new Request('http://form.invalid/', { method: 'POST', body });
    payload = Buffer.from(await encoded.arrayBuffer());
    type = encoded.headers.get('content-type')!;
  } else {
    payload = Buffer.from(JSON.stringify(body));
    type = 'application/json';
  }
  const { port } = new URL(testServer().baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: pathname,
        method: 'POST',
        headers: { 'Content-Type': type, 'Content-Length': String(payload.length), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function linksIn(mail: CaughtMail): URL[] {
  return [...mail.text.matchAll(/https?:\/\/\S+/g)].map((m) => new URL(m[0]));
}

async function registered(login: string) {
  const res = await raw(
    '/api/v1/t/sever-gaz/auth/register',
    { login, password: 'abc12', passwordRepeat: 'abc12', consent: true, captcha: await solvedCaptcha('sever-gaz') },
    {},
  );
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
}

describe('security: mailed links lead only to trusted origins (issue 14, item 1)', () => {
  const { mail } = useMailCatcher();
  const trusted = () => new URL(testServer().baseUrl).origin;

  it('builds the reset link from the public URL, whatever Host and Origin the request names', async () => {
    const login = uniqueEmail('host');
    await registered(login);
    await mail().waitForTo(login);
    mail().clear();
    const res = await raw(
      '/api/v1/t/sever-gaz/auth/password/forgot',
      { login, captcha: await solvedCaptcha('sever-gaz') },
      { Host: ATTACKER, Origin: `http://${ATTACKER}` },
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const links = linksIn(await mail().waitFor((m) => m.to.includes(login) && m.text.includes('gaskit-reset=')));
    const reset = links.find((l) => l.searchParams.has('gaskit-reset'))!;
    expect(reset.origin).to.equal(trusted());
    expect(reset.pathname).to.equal('/t/sever-gaz');
    expect(links.map((l) => l.hostname)).not.to.include(ATTACKER);
  });

  it('builds the confirmation link from the public URL under a forged Host', async () => {
    const login = uniqueEmail('host-confirm');
    const res = await raw(
      '/api/v1/t/sever-gaz/auth/register',
      { login, password: 'abc12', passwordRepeat: 'abc12', consent: true, captcha: await solvedCaptcha('sever-gaz') },
      { Host: ATTACKER },
    );
    expect(res.status).to.equal(202);
    const links = linksIn(await mail().waitForTo(login));
    const confirm = links.find((l) => l.searchParams.has('gaskit-confirm'))!;
    expect(confirm.origin).to.equal(trusted());
    expect(links.map((l) => l.hostname)).not.to.include(ATTACKER);
  });

  it('refuses a returnUrl on the host the request names, and sends nothing', async () => {
    const login = uniqueEmail('return');
    await registered(login);
    await mail().waitForTo(login);
    mail().clear();
    for (const path of ['password/forgot', 'resend']) {
      const res = await raw(
        `/api/v1/t/sever-gaz/auth/${path}`,
        { login, captcha: await solvedCaptcha('sever-gaz'), returnUrl: `http://${ATTACKER}/cabinet` },
        { Host: ATTACKER },
      );
      expect(res.status, path).to.equal(400);
      expect(res.body.error.fields.returnUrl.code, path).to.equal('return_url_not_allowed');
    }
    const register = await raw(
      '/api/v1/t/sever-gaz/auth/register',
      {
        login: uniqueEmail('return-register'),
        password: 'abc12',
        passwordRepeat: 'abc12',
        consent: true,
        captcha: await solvedCaptcha('sever-gaz'),
        returnUrl: `http://${ATTACKER}/cabinet`,
      },
      { Host: ATTACKER },
    );
    expect(register.status).to.equal(400);
    expect(register.body.error.fields.returnUrl.code).to.equal('return_url_not_allowed');
    await new Promise((r) => setTimeout(r, 500));
    expect(mail().messages.filter((m) => m.to.includes(login))).to.deep.equal([]);
  });

  it('accepts a returnUrl on one of the supplier’s own origins', async () => {
    const login = uniqueEmail('own-origin');
    await registered(login);
    await mail().waitForTo(login);
    mail().clear();
    const res = await raw(
      '/api/v1/t/sever-gaz/auth/password/forgot',
      { login, captcha: await solvedCaptcha('sever-gaz'), returnUrl: 'http://localhost:3000/examples/sever/login.html' },
      { Host: ATTACKER },
    );
    expect(res.status).to.equal(202);
    const reset = linksIn(await mail().waitForTo(login)).find((l) => l.searchParams.has('gaskit-reset'))!;
    expect(`${reset.origin}${reset.pathname}`).to.equal('http://localhost:3000/examples/sever/login.html');
  });

  it('puts the public URL in the attachment links of a department’s email under a forged Host', async () => {
    const { auth } = await signedInSubscriber('sever-gaz');
    const message = `Файл через чужой Host ${Date.now()}`;
    const form = new FormData();
    form.append('topic', 'meters');
    form.append('message', message);
    form.append('files', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), 'bill.pdf');
    const res = await raw('/api/v1/t/sever-gaz/feedback', form, { ...auth, Host: ATTACKER });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const links = linksIn(await mail().waitFor((m) => m.text.includes(message))).filter((l) => l.pathname.includes('/files/'));
    expect(links).to.have.length(1);
    expect(links[0]!.origin).to.equal(trusted());
  });
});
