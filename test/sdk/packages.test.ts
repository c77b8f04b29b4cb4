import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { createClient } from '../../sdk/index.ts';
import { confirmedByLink, useMailCatcher } from '../helpers/auth.ts';
import { seedAccount } from '../helpers/billing.ts';
import { npm, typecheck } from '../helpers/packages.ts';
import { ROOT } from '../helpers/process.ts';
import { testServer } from '../helpers/server.ts';

/** examples/integrator/node.ts as an integrator has it: importing the installed package, not the SDK's sources. */
async function portedExample(): Promise<string> {
  const example = await readFile(path.join(ROOT, 'examples', 'integrator', 'node.ts'), 'utf8');
  return example.replace("from '../../sdk/index.ts'", "from '@gaskit/sdk'");
}

describe('@gaskit/sdk as an npm package', function () {
  this.timeout(120_000);
  const { mail } = useMailCatcher();
  let dir: string;
  let tarball: string;

  before(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'packages', 'build.mjs'), 'sdk'], { cwd: ROOT, stdio: 'pipe' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-integrator-'));
    const [packed] = JSON.parse(
      npm(['pack', path.join(ROOT, 'dist', 'packages', 'sdk'), '--json', '--pack-destination', dir], dir),
    ) as {
      filename: string;
    }[];
    tarball = path.join(dir, packed!.filename);
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'integrator', private: true, type: 'module' }));
    // Its one dependency, zod (the types of its answers are inferred from the contracts' schemas), is
    // packed from the repository's own copy, so npm installs both without the network.
    const [zod] = JSON.parse(
      npm(['pack', path.join(ROOT, 'node_modules', 'zod'), '--ignore-scripts', '--json', '--pack-destination', dir], dir),
    ) as { filename: string }[];
    npm(['install', '--offline', '--no-audit', '--no-fund', tarball, path.join(dir, zod!.filename)], dir);
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          // A Node project: no DOM library, Node's own types.
          lib: ['ES2023'],
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          skipLibCheck: false,
        },
        include: ['*.ts'],
      }),
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('packs ES modules with declarations, an exports map and no TypeScript sources', () => {
    const [report] = JSON.parse(npm(['pack', '--dry-run', '--json', path.join(ROOT, 'dist', 'packages', 'sdk')], dir)) as {
      name: string;
      files: { path: string }[];
    }[];
    const files = report!.files.map((f) => f.path);
    expect(report!.name).to.equal('@gaskit/sdk');
    expect(files).to.include.members([
      'sdk/index.js',
      'sdk/index.d.ts',
      'sdk/client.d.ts',
      'contracts/rules/validators.js',
      'package.json',
      'README.md',
    ]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).to.deep.equal([]);
  });

  it('type-checks the integrator’s Node example (examples/integrator/node.ts) against the installed package, without DOM types', async () => {
    const ported = await portedExample();
    expect(ported).to.include("from '@gaskit/sdk'");
    await writeFile(path.join(dir, 'integrator.ts'), ported);
    expect(typecheck(dir)).to.equal('');
  });

  it('type-checks the example in the package’s own README', async () => {
    const readme = await readFile(path.join(ROOT, 'dist', 'packages', 'sdk', 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'a ```ts block in the README').to.be.a('string');
    await writeFile(path.join(dir, 'readme.ts'), `${example}\nexport {};\n`);
    try {
      expect(typecheck(dir)).to.equal('');
    } finally {
      await rm(path.join(dir, 'readme.ts'));
    }
  });

  it('gives real types: a wrong call is a type error', async () => {
    await writeFile(
      path.join(dir, 'wrong.ts'),
      "import { createClient } from '@gaskit/sdk';\nconst client = createClient({ apiBase: 'http://x', tenant: 't', locale: 'ru' });\nawait client.accounts.list(42);\n",
    );
    try {
      expect(typecheck(dir)).to.match(/wrong\.ts\(3,28\): error TS2559/);
    } finally {
      await rm(path.join(dir, 'wrong.ts'));
    }
  });

  it('runs in Node from the installed package against a Gaskit server', async () => {
    await writeFile(
      path.join(dir, 'run.mjs'),
      "import { createClient } from '@gaskit/sdk';\nconst client = createClient({ apiBase: process.argv[2], tenant: 'sever-gaz', locale: 'ru' });\nconsole.log((await client.getConfig()).tenant.name);\n",
    );
    // Asynchronously: the server answering it runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, ['run.mjs', testServer().baseUrl], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(stdout.trim()).to.equal('Северогаз (демо)');
  });

  it('runs the integrator’s Node example from the installed package against a Gaskit server: signs in, lists the accounts, sends a reading', async () => {
    // A confirmed cabinet (registered, its emailed link followed) with an account that has a meter.
    const { login, password, token } = await confirmedByLink(mail());
    const { number } = await seedAccount('sever-gaz');
    const cabinet = createClient({ apiBase: testServer().baseUrl, tenant: 'sever-gaz', locale: 'ru' });
    cabinet.session.setToken(token);
    await cabinet.accounts.link({ supplier: 'sever-gaz', number });
    await writeFile(path.join(dir, 'example.ts'), await portedExample());
    // tsx only strips the types: '@gaskit/sdk' resolves to the package installed in the project.
    const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, 'example.ts'], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GASKIT_URL: testServer().baseUrl,
        GASKIT_TENANT: 'sever-gaz',
        GASKIT_LOGIN: login,
        GASKIT_PASSWORD: password,
      },
    });
    expect(stdout).to.include(`Signed in as ${login}`);
    expect(stdout).to.include('Accounts: 1');
    // Basic mode names the meter by its name; outside the supplier's window the reading is queued.
    expect(stdout, stdout).to.match(
      new RegExp(
        `Reading 1244\\.5 for "Газовый счётчик" of account ${number}: (?:accepted|queued), counted for [A-Z][a-z]+ \\d{4}`,
      ),
    );
  });
});
