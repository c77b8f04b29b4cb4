import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { npm, typecheck } from '../helpers/packages.ts';
import { ROOT } from '../helpers/process.ts';

describe('@gaskit/widgets as an npm package', function () {
  this.timeout(120_000);

  it('packs modules, declarations and a custom elements manifest that points at the built files; an integrator’s TypeScript type-checks against them', async function () {
    const pkgDir = path.join(ROOT, 'dist', 'packages', 'widgets');
    // Built by `npm run build` (rollup, then packages/build.mjs).
    const pkg = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8')) as {
      name: string;
      sideEffects: string[];
      exports: Record<string, { types: string; default: string }>;
    };
    expect(pkg.name).to.equal('@gaskit/widgets');
    expect(pkg.sideEffects).to.deep.equal(['./*.js']);
    expect(pkg.exports['./feedback']).to.deep.equal({ types: './types/widgets/feedback/define.d.ts', default: './feedback.js' });
    const manifest = await readFile(path.join(pkgDir, 'custom-elements.json'), 'utf8');
    expect(manifest).to.include('"path": "feedback.js"');
    expect(manifest).not.to.match(/\.ts"/);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'gaskit-widgets-'));
    try {
      const [packed] = JSON.parse(npm(['pack', pkgDir, '--json', '--pack-destination', dir], dir)) as { filename: string }[];
      // npm would fetch Lit and the other dependencies from the registry; without the network the
      // tarball is unpacked as npm would and they are linked from this repository.
      const target = path.join(dir, 'node_modules', '@gaskit', 'widgets');
      await mkdir(target, { recursive: true });
      execFileSync('tar', ['-xzf', path.join(dir, packed!.filename), '-C', target, '--strip-components=1']);
      for (const dep of ['lit', 'lit-html', 'lit-element', '@lit', 'i18next', 'altcha-lib', '@stripe', 'zod']) {
        await mkdir(path.dirname(path.join(dir, 'node_modules', dep)), { recursive: true });
        await symlink(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep));
      }
      await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'site', private: true, type: 'module' }));
      await writeFile(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module: 'ESNext',
            moduleResolution: 'Bundler',
            target: 'ES2022',
            lib: ['ES2023', 'DOM', 'DOM.Iterable'],
            types: [],
            skipLibCheck: true,
          },
          include: ['*.ts'],
        }),
      );
      await writeFile(
        path.join(dir, 'site.ts'),
        [
          "import '@gaskit/widgets/feedback';",
          "import { GaskitPay } from '@gaskit/widgets';",
          "const feedback = document.createElement('gaskit-feedback');",
          "feedback.tenant = 'sever-gaz';",
          "document.addEventListener('gaskit-payment-succeeded', (event) => console.log(event.detail.total));",
          "const pay: GaskitPay = document.createElement('gaskit-pay');",
          'document.body.append(feedback, pay);',
        ].join('\n'),
      );
      expect(typecheck(dir)).to.equal('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
