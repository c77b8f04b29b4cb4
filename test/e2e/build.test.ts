import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { expect } from 'chai';
import { BUILT_SERVER, ROOT } from '../helpers/process.ts';
import { startDemoServer, type DemoServer } from './helpers.ts';

/** Every `.js` file under `dir`. */
async function scripts(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => path.join(e.parentPath, e.name));
}

/** The package a bare import specifier names (`@scope/name/x` → `@scope/name`). */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

function gaskit(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'server', 'cli.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LANG: 'en_US.UTF-8', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('production build', function () {
  this.timeout(180_000);
  let demo: DemoServer;

  before(async () => {
    demo = await startDemoServer();
  });
  after(async () => {
    await demo?.stop();
  });

  it('runs the demo from the compiled server', async () => {
    expect(demo.proc.child.spawnargs).to.include(BUILT_SERVER);
    expect((await fetch(`${demo.baseUrl}/readyz`)).status).to.equal(200);
    const config = await fetch(`${demo.baseUrl}/api/v1/t/sever-gaz/config`);
    expect(config.status).to.equal(200);
    expect((await config.json()).theme.name).to.equal('sever');
  });

  it('needs only the runtime dependencies and its own code: no tsx, TypeScript, other devDependency or test code', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies).to.include.keys('tsx', 'typescript');
    expect(pkg.dependencies).to.not.have.any.keys('tsx', 'typescript');
    const imported = new Set<string>();
    for (const file of await scripts(path.dirname(BUILT_SERVER))) {
      const source = await readFile(file, 'utf8');
      for (const m of source.matchAll(
        /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
      )) {
        const specifier = (m[1] ?? m[2])!;
        expect(specifier, `${file} imports TypeScript`).to.not.match(/\.ts$/);
        if (specifier.startsWith('.')) {
          const target = path.relative(path.join(ROOT, 'dist'), path.resolve(path.dirname(file), specifier));
          expect(target.split(path.sep)[0], `${file} imports ${specifier}`).to.be.oneOf(['server', 'contracts']);
        }
        if (!specifier.startsWith('.') && !specifier.startsWith('node:')) imported.add(packageOf(specifier));
      }
    }
    expect([...imported].filter((p) => !builtinModules.includes(p) && !(p in pkg.dependencies))).to.deep.equal([]);
    expect(imported).to.include('express').and.include('mongoose');
  });

  it('has a `gaskit` command that runs from the compiled output', async () => {
    const run = await gaskit(['tenants', 'list'], { MONGODB_URI: `mongodb://127.0.0.1:${demo.proc.dbPort}/gaskit` });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.trim().split('\n')).to.deep.equal([
      'sever-gaz\tСеверогаз (демо)\tgazregion\tactive',
      'vostok-gaz\tВостокгаз (демо)\tvostok\tactive',
      'yug-gaz\tЮжгаз (демо)\tgazregion\tactive',
    ]);
  });
});
