import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { LOCALES_DIR, SUPPORTED_LOCALES, translator } from '../../server/i18n/index.ts';
import { DEMO_TENANTS } from '../../server/tenants/demo.ts';
import { Tenant } from '../../server/tenants/model.ts';
import { scanErrorCodes, type CodeSite } from '../helpers/error-codes.ts';
import { linkPayableAccount } from '../helpers/payments.ts';
import { api } from '../helpers/server.ts';
import { signedInSubscriber } from '../helpers/subscribers.ts';

type Tree = { [key: string]: string | Tree };

/** Every message of a locale's namespace as `key.path` → text. */
function messages(lng: string, ns: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (tree: Tree, prefix: string) => {
    for (const [key, value] of Object.entries(tree)) {
      if (typeof value === 'string') out.set(`${prefix}${key}`, value);
      else walk(value, `${prefix}${key}.`);
    }
  };
  walk(JSON.parse(readFileSync(path.join(LOCALES_DIR, lng, `${ns}.json`), 'utf8')) as Tree, '');
  return out;
}

const NAMESPACES = readdirSync(path.join(LOCALES_DIR, 'ru'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5));
const PLACEHOLDER = /\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g;
const placeholders = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).sort();
/** A plural form (`payments_one`, `payments_few`) is one message for the comparison. */
const baseKey = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');

/**
 * Sites that pass on a code, with its parameters, that another site produced: a validator's code
 * (`validate`), a zod message that is a code, a readings rule's refusal, a login's normalisation,
 * a domain error caught and recorded, a field error turned into a CSV line's error or an answer.
 */
const FORWARDING = [
  ['contracts/rules/validators.ts', 'code'],
  ['server/http/validate.ts', 'issue.message'],
  ['server/readings/service.ts', 'first.code'],
  ['server/readings/service.ts', 'parsed.code'],
  ['server/payments/collaborators.ts', 'err.code'],
  ['server/auth/service.ts', 'failure.code'],
  ['server/feedback/service.ts', 'failure.code'],
  ['server/billing/csv.ts', 'e.code'],
  ['server/http/error-handler.ts', 'f.code'],
];

/** Sites whose codes the types do not tell, with the codes they produce. */
async function namedSites(): Promise<(CodeSite & { file: string; expression: string })[]> {
  const modelDefault = (Tenant.schema.path('registration.password.ruleKey') as unknown as { defaultValue?: string } | undefined)
    ?.defaultValue;
  const ruleKeys = new Set([...DEMO_TENANTS.map((t) => t.registration.password.ruleKey), modelDefault ?? 'latin_letters_digits']);
  return [
    ...['invalid_email', 'invalid_phone'].map((code) => ({
      file: 'server/auth/service.ts',
      expression: 'norm.error',
      code,
      params: [],
      where: 'server/auth/service.ts (normalizeLogin)',
    })),
    ...[...ruleKeys].map((key) => ({
      file: 'contracts/rules/auth.ts',
      expression: '`password_${policy.ruleKey}`',
      code: `password_${key}`,
      params: ['min', 'max'],
      where: 'contracts/rules/auth.ts (passwordPolicy, the suppliers’ rule keys)',
    })),
  ];
}

describe('texts: no message shows a raw key or placeholder', function () {
  this.timeout(120_000);
  let sites: CodeSite[];
  let scanned: ReturnType<typeof scanErrorCodes>;

  before(async function () {
    scanned = scanErrorCodes();
    const named = await namedSites();
    const explained = (u: { file: string; expression: string }) =>
      FORWARDING.some(([file, expression]) => u.file === file && u.expression === expression) ||
      named.some((n) => n.file === u.file && n.expression === u.expression);
    const unexplained = scanned.unresolved.filter((u) => !explained(u));
    expect(
      unexplained.map((u) => `${u.where}: ${u.expression}`),
      'error codes the scan cannot resolve: name them here',
    ).to.deep.equal([]);
    sites = [...scanned.sites, ...named];
  });

  it('finds the error codes the server sends, and every exception named here still exists', async () => {
    const codes = new Set(sites.map((s) => s.code));
    for (const code of ['reading_below_last', 'payment_below_min', 'rate_limited', 'too_small', 'tenant_not_found', 'pin_locked'])
      expect(codes, code).to.include(code);
    for (const [file, expression] of FORWARDING) {
      expect(
        scanned.unresolved.some((u) => u.file === file && u.expression === expression),
        `${file}: ${expression}`,
      ).to.equal(true);
    }
  });

  for (const lng of SUPPORTED_LOCALES) {
    it(`renders every error code in "${lng}" with the parameters the server sends, without a placeholder`, () => {
      const texts = messages(lng, 'errors');
      const t = translator(lng);
      const problems: string[] = [];
      for (const site of sites) {
        if (!texts.has(site.code)) {
          problems.push(`${site.where}: errors:${site.code} has no text`);
          continue;
        }
        const params = Object.fromEntries(site.params.map((name) => [name, 7]));
        const text = t(`errors:${site.code}`, params);
        if (PLACEHOLDER.test(text) || text.includes('{{')) problems.push(`${site.where}: errors:${site.code} shows "${text}"`);
      }
      expect(problems).to.deep.equal([]);
    });
  }

  it('sends the parameters of every error text that has placeholders', () => {
    const sent = new Map<string, Set<string>>();
    for (const site of sites) {
      const known = sent.get(site.code) ?? new Set<string>();
      site.params.forEach((p) => known.add(p));
      sent.set(site.code, known);
    }
    const problems: string[] = [];
    for (const lng of SUPPORTED_LOCALES) {
      for (const [code, text] of messages(lng, 'errors')) {
        const needed = placeholders(text);
        if (needed.length && !sent.has(code))
          problems.push(`${lng} errors:${code} has {{${needed.join('}}, {{')}}} but nothing sends it`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('has every message in every locale, with the same placeholders', () => {
    const problems: string[] = [];
    for (const ns of NAMESPACES) {
      const byLocale = SUPPORTED_LOCALES.map((lng) => {
        const shapes = new Map<string, Set<string>>();
        for (const [key, text] of messages(lng, ns)) {
          const shape = shapes.get(baseKey(key)) ?? new Set<string>();
          placeholders(text).forEach((p) => shape.add(p));
          shapes.set(baseKey(key), shape);
        }
        return { lng, shapes };
      });
      const [first, ...others] = byLocale;
      for (const other of others) {
        for (const [key, shape] of first!.shapes) {
          const theirs = other.shapes.get(key);
          if (!theirs) problems.push(`${other.lng} ${ns}:${key} is missing`);
          else if ([...shape].sort().join() !== [...theirs].sort().join())
            problems.push(
              `${ns}:${key}: {{${[...shape].join(',')}}} in ${first!.lng}, {{${[...theirs].join(',')}}} in ${other.lng}`,
            );
        }
        for (const key of other.shapes.keys())
          if (!first!.shapes.has(key)) problems.push(`${first!.lng} ${ns}:${key} is missing`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('sends the values of an error’s text with it: a reading below the last one names the last one', async () => {
    const s = await signedInSubscriber('vostok-gaz');
    const account = await linkPayableAccount('vostok-gaz', s.auth, { meter: true });
    const res = await api('/api/v1/t/vostok-gaz/readings', {
      body: { accountId: account.id, readings: [{ meterId: account.meterId, value: '900' }] },
      headers: { ...s.auth, 'Accept-Language': 'ru' },
    });
    expect(res.status).to.equal(422);
    expect(res.body.error).to.deep.include({ code: 'reading_below_last', params: { last: '1000' } });
    expect(res.body.error.fields['readings.0.value']).to.deep.equal({
      code: 'reading_below_last',
      message: 'Показания меньше предыдущих (1000). Проверьте их.',
      params: { last: '1000' },
    });
  });
});
