import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { expect } from 'chai';
import { Types } from 'mongoose';
import pino from 'pino';
import ts from 'typescript';
import { authModule } from '../../server/auth/module.ts';
import type { Gaskit } from '../../server/bootstrap.ts';
import { appContextOf } from '../../server/bootstrap.ts';
import { loadConfig } from '../../server/config.ts';
import { moduleRoutes } from '../../server/http/app.ts';
import type { ModuleManifest } from '../../server/manifest.ts';
import { MODULES } from '../../server/modules.ts';
import { pendingPaidAmount } from '../../server/payments/service.ts';
import { relaxAuthForTests, uniqueEmail } from '../helpers/auth.ts';
import { startMailCatcher, type CaughtMail, type MailCatcher } from '../helpers/mail.ts';
import { ROOT } from '../helpers/process.ts';
import { startApp, testApp, testServer } from '../helpers/server.ts';

const SERVER = path.join(ROOT, 'server');

/** The server's module files: what main.ts, the CLI and the tests import. */
function serverFiles(dir = SERVER): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'ferretdb' ? [] : serverFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * Statements run on import that call into another module: `registerX(…)`, `registry.add(…)`.
 * Calls on what the file itself declares (its router, its schema, its own authenticator) are
 * its own business.
 */
function importTimeCalls(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const imported = new Set<string>();
  for (const st of source.statements) {
    const clause = ts.isImportDeclaration(st) ? st.importClause : undefined;
    if (!clause || clause.isTypeOnly) continue;
    if (clause.name) imported.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) imported.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) imported.add(el.name.text);
  }
  const root = (e: ts.Expression): ts.Expression => {
    while (ts.isPropertyAccessExpression(e) || ts.isCallExpression(e)) e = e.expression;
    return e;
  };
  const calls: string[] = [];
  for (const st of source.statements) {
    let e = ts.isExpressionStatement(st) ? st.expression : undefined;
    if (e && ts.isAwaitExpression(e)) e = e.expression;
    if (!e || !ts.isCallExpression(e)) continue;
    const callee = root(e.expression);
    if (ts.isIdentifier(callee) && imported.has(callee.text)) calls.push(e.expression.getText(source));
  }
  return calls;
}

/** What still runs on import, and why it may: process-wide settings of libraries. */
const ALLOWED: Record<string, RegExp> = {
  'db/connection.ts': /^mongoose\.set$/,
  'http/metrics.ts': /^client\.collectDefaultMetrics$/,
  'http/openapi.ts': /^extendZodWithOpenApi$/,
  'db/prepare.ts': /^console\.log$/,
};

async function solved(baseUrl: string, slug: string): Promise<string> {
  const challenge = await (await fetch(`${baseUrl}/api/v1/t/${slug}/auth/captcha`)).json();
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

async function register(baseUrl: string, login: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/v1/t/sever-gaz/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      login,
      password: 'abc12',
      passwordRepeat: 'abc12',
      consent: true,
      captcha: await solved(baseUrl, 'sever-gaz'),
    }),
  });
  return res.status;
}

const confirmLink = (m: CaughtMail) => /https?:\/\/\S+gaskit-confirm=[\w-]+/.exec(m.text)?.[0];

describe('bootstrap: module manifests and one app per context', function () {
  this.timeout(60_000);

  it('has no server module register anything on import: no top-level call into another module', () => {
    const found = serverFiles().flatMap((file) => {
      const rel = path.relative(SERVER, file);
      return importTimeCalls(file)
        .filter((call) => !ALLOWED[rel]?.test(call))
        .map((call) => `${rel}: ${call}(…)`);
    });
    expect(found).to.deep.equal([]);
  });

  it('builds every worker, template, hook and attachment source from the manifests, refusing a name given twice', () => {
    const context = appContextOf(testServer().config, pino({ level: 'silent' }));
    const listed = (key: 'workers' | 'templates') =>
      MODULES.flatMap((m) => (key === 'workers' ? (m.workers ?? []).map((w) => w.name) : Object.keys(m.templates ?? {})));
    expect([...context.workers.keys()]).to.have.members(listed('workers'));
    expect([...context.workers.keys()]).to.include.members(['notify.outbox', 'auth.sweep', 'payments.fulfil', 'kernel.tickets']);
    expect([...context.templates.keys()]).to.have.members(listed('templates'));
    expect([...context.templates.keys()]).to.include.members(['auth.confirm-link', 'payments.receipt', 'readings.reminder']);
    expect(context.subscriberDeleted.map((h) => h.name)).to.have.members([
      'feedback',
      'auth.sessions',
      'auth.tokens',
      'accounts',
    ]);
    expect([...context.attachmentSources.keys()]).to.deep.equal(['feedback-file']);
    expect(() => appContextOf(testServer().config, pino({ level: 'silent' }), [authModule, authModule])).to.throw(
      /^(worker|template|subscriber-deleted hook) auth\.\S+ is contributed twice \(module auth\)$/,
    );
  });

  it('mounts every endpoint with the guard a manifest gives, refusing an auth no module guards or two guard', () => {
    const routes = moduleRoutes(MODULES);
    expect(new Set(routes.map((r) => r.module))).to.include.keys(['http', 'auth', 'integration', 'feedback', 'notify']);
    expect(() => moduleRoutes(MODULES.filter((m) => m.name !== 'integration'))).to.throw(
      /^(GET|POST|PUT|PATCH|DELETE) \/integration\/\S+: no module guards 'apiKey' endpoints$/,
    );
    expect(() => moduleRoutes(MODULES.filter((m) => m.name !== 'auth'))).to.throw(
      /: no module guards '(subscriber|session|sender)' endpoints$/,
    );
    const another: ModuleManifest = { name: 'another', guards: { local: (_req, _res, next) => next() } };
    expect(() => moduleRoutes([...MODULES, another])).to.throw(/^guard local is contributed twice \(module another\)$/);
  });

  it("gives accounts the pending payments from payments' manifest: nothing pending without it, refused when two give it", async () => {
    const logger = pino({ level: 'silent' });
    expect(appContextOf(testServer().config, logger).pendingPaid).to.equal(pendingPaidAmount);
    const withoutPayments = appContextOf(
      testServer().config,
      logger,
      MODULES.filter((m) => m.name !== 'payments'),
    );
    expect(await withoutPayments.pendingPaid(new Types.ObjectId(), 'any')).to.equal(0);
    const another: ModuleManifest = { name: 'another', pendingPaid: async () => 1 };
    expect(() => appContextOf(testServer().config, logger, [...MODULES, another])).to.throw(
      /^pendingPaid is contributed twice \(modules payments, another\)$/,
    );
  });

  describe('two apps in one process', () => {
    let other: { app: Gaskit; baseUrl: string };
    let mailA: MailCatcher;
    let mailB: MailCatcher;
    let previous: ReturnType<Gaskit['context']['notify']['settings']>;

    before(async () => {
      [mailA, mailB] = await Promise.all([startMailCatcher(), startMailCatcher()]);
      previous = testApp().notify.settings();
      testApp().notify.configure({ smtp: mailA.smtp });
      relaxAuthForTests();
      other = await startApp(
        loadConfig({
          ...process.env,
          NODE_ENV: 'test',
          GASKIT_DEMO: '0',
          PUBLIC_URL: 'https://b.example.test/',
          GASKIT_DATA_DIR: testServer().dataDir,
        }),
      );
      const b = other.app.context;
      b.notify.configure({ smtp: mailB.smtp });
      b.captcha.setDifficulty({ cost: 1, counterMin: 1, counterMax: 30 });
      b.auth.setPolicy({ responseFloorMs: 0 });
    });

    after(async () => {
      testApp().notify.configure(previous);
      testApp().auth.setPolicy({});
      await other?.app.stop();
      await Promise.all([mailA?.stop(), mailB?.stop()]);
    });

    it('keep their own public URL, mail transport and mode while serving requests at the same time', async () => {
      const [loginA, loginB] = [uniqueEmail('app-a'), uniqueEmail('app-b')];
      expect(await Promise.all([register(testServer().baseUrl, loginA), register(other.baseUrl, loginB)])).to.deep.equal([
        202, 202,
      ]);
      const [a, b] = await Promise.all([mailA.waitForTo(loginA), mailB.waitForTo(loginB)]);
      expect(confirmLink(a)).to.match(new RegExp(`^${testServer().baseUrl}/t/sever-gaz\\?`));
      expect(confirmLink(b)).to.match(/^https:\/\/b\.example\.test\/t\/sever-gaz\?/);
      // Each app's mail went through its own transport only.
      expect(mailA.messages.some((m) => m.to.includes(loginB))).to.equal(false);
      expect(mailB.messages.some((m) => m.to.includes(loginA))).to.equal(false);
      // The test server is in demo mode (its dev mailbox answers), the other one is not.
      expect((await fetch(`${testServer().baseUrl}/dev/mailbox.json`)).status).to.equal(200);
      expect((await fetch(`${other.baseUrl}/dev/mailbox.json`)).status).to.equal(404);
    });
  });
});
