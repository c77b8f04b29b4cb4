import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runToEnd, spawnServer } from '../helpers/process.ts';

/** A production environment the server accepts: every case below breaks one thing in it. */
const PRODUCTION: Record<string, string> = {
  NODE_ENV: 'production',
  MONGODB_URI: 'mongodb://127.0.0.1:1/gaskit',
  PUBLIC_URL: 'https://lk.example.ru',
  GASKIT_FEEDBACK_SECRET: 'f'.repeat(32),
  GASKIT_INBOUND_SECRET: 'i'.repeat(32),
  STRIPE_SECRET_KEY: 'sk_live_gaskit',
  STRIPE_PUBLISHABLE_KEY: 'pk_live_gaskit',
  STRIPE_WEBHOOK_SECRET: 'whsec_gaskit',
};

/** The real server started with `env` (and nothing else of this process's environment but PATH and HOME). */
function start(env: Record<string, string | undefined>) {
  const vars = { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: '0', ...env };
  return runToEnd(
    ['--import', 'tsx', 'server/main.ts'],
    Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined)),
  );
}

/** The variables named by the "Invalid environment" message. */
function named(output: string): string[] {
  return [...output.matchAll(/^ {2}([A-Z_]+): /gm)].map((m) => m[1]!);
}

describe('configuration checked at start-up', function () {
  this.timeout(60_000);

  const refused: [string, Record<string, string | undefined>, string, RegExp][] = [
    ['no MONGODB_URI', { MONGODB_URI: undefined }, 'MONGODB_URI', /GASKIT_EMBEDDED_DB=1/],
    ['no PUBLIC_URL', { PUBLIC_URL: undefined }, 'PUBLIC_URL', /required in production/],
    ['a PUBLIC_URL over plain http', { PUBLIC_URL: 'http://lk.example.ru' }, 'PUBLIC_URL', /https required in production/],
    ['a Stripe test secret key', { STRIPE_SECRET_KEY: 'sk_test_gaskit' }, 'STRIPE_SECRET_KEY', /test key/],
    ['a Stripe test publishable key', { STRIPE_PUBLISHABLE_KEY: 'pk_test_gaskit' }, 'STRIPE_PUBLISHABLE_KEY', /test key/],
    ['another Stripe API host', { STRIPE_API_BASE: 'http://127.0.0.1:12111' }, 'STRIPE_API_BASE', /refused in production/],
    [
      'a Stripe key without the webhook secret',
      { STRIPE_WEBHOOK_SECRET: undefined },
      'STRIPE_WEBHOOK_SECRET',
      /required with STRIPE_SECRET_KEY/,
    ],
    ['demo mode', { GASKIT_DEMO: '1' }, 'GASKIT_DEMO', /refused when NODE_ENV=production/],
  ];
  for (const [what, change, variable, reason] of refused) {
    it(`refuses ${what} in production, naming ${variable}`, async () => {
      const { code, output } = await start({ ...PRODUCTION, ...change });
      expect(code, output).to.equal(1);
      expect(output).to.include(`gaskit: `);
      if (variable === 'GASKIT_DEMO') expect(output).to.match(new RegExp(`${variable}: .*${reason.source}`));
      else {
        expect(named(output)).to.deep.equal([variable]);
        expect(output).to.match(new RegExp(`^ {2}${variable}: .*${reason.source}`, 'm'));
      }
    });
  }

  it('refuses a PUBLIC_URL that links cannot start with: no URL, another scheme, a query, a fragment or credentials', async () => {
    for (const bad of [
      'lk.example.ru',
      'ftp://lk.example.ru',
      'https://lk.example.ru/?from=mail',
      'https://lk.example.ru/#cabinet',
      'https://user:secret@lk.example.ru',
    ]) {
      const { code, output } = await start({ ...PRODUCTION, PUBLIC_URL: bad });
      expect(code, bad).to.equal(1);
      expect(named(output), bad).to.deep.equal(['PUBLIC_URL']);
      expect(output, bad).to.match(/^ {2}PUBLIC_URL: must be an http\(s\) address/m);
    }
  });

  it('names every refused variable at once', async () => {
    const { code, output } = await start({ NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_test_gaskit' });
    expect(code).to.equal(1);
    expect(named(output)).to.deep.equal([
      'MONGODB_URI',
      'PUBLIC_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'GASKIT_FEEDBACK_SECRET',
      'GASKIT_INBOUND_SECRET',
    ]);
  });

  it('names malformed and refused variables together, each once', async () => {
    const { code, output } = await start({
      ...PRODUCTION,
      PUBLIC_URL: 'lk.example.ru',
      METRICS_TOKEN: 'short',
      STRIPE_SECRET_KEY: 'sk_test_gaskit',
      GASKIT_DEMO: '1',
    });
    expect(code).to.equal(1);
    expect(named(output)).to.deep.equal(['PUBLIC_URL', 'METRICS_TOKEN', 'GASKIT_DEMO', 'STRIPE_SECRET_KEY']);
  });

  it('accepts the same test keys and Stripe host outside production', async () => {
    const { code, output } = await start({
      NODE_ENV: 'development',
      GASKIT_DEMO: '0',
      STRIPE_SECRET_KEY: 'sk_test_gaskit',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
      MONGODB_URI: 'mongodb://127.0.0.1:1/gaskit',
      TRUST_PROXY: 'nonsense',
    });
    expect(code).to.equal(1);
    expect(named(output), 'only the bad TRUST_PROXY').to.deep.equal(['TRUST_PROXY']);
  });

  for (const bad of ['yes-please', '10.0.0.0/33', '1, 2', '256.1.1.1']) {
    it(`refuses TRUST_PROXY=${bad}, naming it`, async () => {
      const { code, output } = await start({ NODE_ENV: 'development', TRUST_PROXY: bad });
      expect(code).to.equal(1);
      expect(output).to.match(/^ {2}TRUST_PROXY: .*not a hop count, true\/false, an address, a subnet/m);
    });
  }

  it('starts in production on the embedded database when GASKIT_EMBEDDED_DB=1 says so', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-prod-'));
    try {
      const srv = await spawnServer({ ...PRODUCTION, MONGODB_URI: undefined, GASKIT_EMBEDDED_DB: '1', GASKIT_DATA_DIR: dataDir });
      try {
        expect(srv.dbPid).to.be.a('number');
        expect((await fetch(`http://127.0.0.1:${srv.port}/readyz`)).status).to.equal(200);
      } finally {
        srv.child.kill('SIGTERM');
        await srv.exited;
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
