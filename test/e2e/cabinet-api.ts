/**
 * A confirmed cabinet with linked accounts, made through the public API as a person's browser would
 * (captcha solved, codes and links read from the dev mailbox), for tests about what the cabinet
 * shows rather than how one registers.
 */
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { expect } from 'chai';
import type { BrowserContext } from 'playwright-core';
import { codeIn, linkIn, mailTo, unique, type Demo } from './journey-demo.ts';

export interface SampleBill {
  number: string;
  pin: string;
  debt: number;
  penalties: number;
  period: string | null;
}

export interface Cabinet {
  slug: string;
  login: string;
  password: string;
  token: string;
  /** Linked accounts, the first in extended mode (its PIN entered). */
  accounts: { id: string; number: string }[];
}

type Call = (path: string, init?: { body?: unknown; auth?: string; status?: number }) => Promise<any>;

function caller(d: Demo, slug: string): Call {
  return async (path, { body, auth, status = 200 } = {}) => {
    const res = await fetch(`${d.server.baseUrl}/api/v1/t/${slug}/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(auth ? { Authorization: `Bearer ${auth}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json();
    expect(res.status, `${slug} ${path}: ${JSON.stringify(json)}`).to.equal(status);
    return json;
  };
}

/** The demo supplier's printable sample bills. */
export async function sampleBills(d: Demo, slug: string): Promise<SampleBill[]> {
  const res = await fetch(`${d.server.baseUrl}/demo/bills/${slug}.json`);
  return ((await res.json()) as { bills: SampleBill[] }).bills;
}

async function captcha(call: Call): Promise<string> {
  const challenge = await call('auth/captcha');
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

/** Registers in the supplier's own flow (link, code, or code + temporary password) and signs in. */
async function register(d: Demo, slug: string): Promise<{ login: string; password: string; token: string }> {
  const call = caller(d, slug);
  const config = await call('config');
  const login = `${slug}-${unique()}@example.test`;
  const flow = config.registration.confirmation as 'link' | 'code' | 'code-temp-password';
  const password = flow === 'code-temp-password' ? 'narrow2026' : 'narrow1';
  const mine = (m: { to: string }) => m.to.includes(login);
  if (flow === 'code-temp-password') {
    await call('auth/register', { body: { login, personType: 'individual', captcha: await captcha(call) }, status: 202 });
    const code = codeIn((await mailTo(d.server, login, mine)).text);
    await call('auth/confirm', { body: { login, code, consent: true } });
    const mail = await mailTo(d.server, login, (m) => /для первого входа:\s+\S+/.test(m.text));
    const temporary = /для первого входа:\s+(\S+)/.exec(mail.text)![1]!;
    const first = await call('auth/login', { body: { login, password: temporary } });
    await call('auth/password/change', {
      auth: first.token,
      body: { currentPassword: temporary, password, passwordRepeat: password },
    });
    return { login, password, token: first.token };
  }
  const body = { login, password, passwordRepeat: password, consent: true, captcha: await captcha(call) };
  await call('auth/register', { body, status: 202 });
  const mail = await mailTo(d.server, login, mine);
  const confirm =
    flow === 'link'
      ? { token: new URL(linkIn(mail.text, 'gaskit-confirm')).searchParams.get('gaskit-confirm') }
      : { login, code: codeIn(mail.text) };
  await call('auth/confirm', { body: confirm });
  const session = await call('auth/login', { body: { login, password } });
  return { login, password, token: session.token };
}

/**
 * A new cabinet of the supplier with accounts of its sample bills linked, the first with its PIN:
 * the given bills, or else the first two that owe.
 */
export async function cabinetWithAccounts(d: Demo, slug: string, chosen?: SampleBill[]): Promise<Cabinet> {
  const call = caller(d, slug);
  const { login, password, token } = await register(d, slug);
  const bills = chosen ?? (await sampleBills(d, slug)).filter((b) => b.debt > 0).slice(0, 2);
  const accounts = [];
  for (const bill of bills) {
    const linked = await call('accounts', { auth: token, body: { supplier: slug, number: bill.number }, status: 201 });
    accounts.push({ id: linked.id as string, number: bill.number });
  }
  await call(`accounts/${accounts[0]!.id}/pin`, { auth: token, body: { pin: bills[0]!.pin } });
  return { slug, login, password, token, accounts };
}

/** Opens the browser context signed in to the cabinet (the token the SDK keeps in sessionStorage), optionally in low vision. */
export async function signInContext(
  context: BrowserContext,
  d: Demo,
  cabinet: Cabinet,
  { vision = 'standard' }: { vision?: 'standard' | 'low' } = {},
): Promise<void> {
  const base = d.server.baseUrl;
  await context.addInitScript(
    ([sessionKey, token, preferencesKey, prefs]) => {
      sessionStorage.setItem(sessionKey!, token!);
      localStorage.setItem(preferencesKey!, prefs!);
    },
    [
      `gaskit:session:${base}:${cabinet.slug}`,
      cabinet.token,
      `gaskit:preferences:${base}:${cabinet.slug}`,
      JSON.stringify({ vision, accountId: cabinet.accounts[0]!.id }),
    ],
  );
}
