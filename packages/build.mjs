/**
 * Assembles the npm packages in dist/packages/ after `rollup -c` and the custom elements manifest
 * (see package.json's build script); `npm pack dist/packages/sdk` and `npm pack
 * dist/packages/widgets` make the tarballs.
 *
 * - @gaskit/sdk: sdk/ and the contracts/ it takes its types and shared rules from, compiled by tsc
 *   (sdk/tsconfig.build.json: ES modules and declarations, no DOM library, so a Node project
 *   type-checks against it), with packages/sdk/package.json.
 * - @gaskit/widgets: rollup's modules (rollup.config.mjs), declarations from tsc
 *   (widgets/tsconfig.build.json), a custom elements manifest whose paths are the built modules,
 *   and packages/widgets/package.json completed with an `exports` entry per widget and the
 *   version ranges of its dependencies from the root package.json.
 * Also rewrites dist/custom-elements.json to the built files (dist/widgets/<name>.js) instead of
 * the TypeScript sources, with its brotli and gzip copies. `node packages/build.mjs sdk` assembles
 * @gaskit/sdk alone (it needs no rollup output).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist', 'packages');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
/** What the widgets package imports (rollup leaves them as imports). */
const WIDGET_DEPENDENCIES = ['@lit/context', '@lit/task', '@stripe/stripe-js', 'altcha-lib', 'lit'];

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const writeJson = (path, value) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** tsc keeps the sources' `.ts` specifiers in declarations; published ones name the `.js` files. */
function declarationsImportJs(dir) {
  for (const file of files(dir).filter((path) => path.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2');
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

/** The manifest with each module's path replaced by the built file that defines its elements. */
function manifestFor(manifest, fileOf) {
  const text = JSON.stringify(manifest).replace(/"\/?widgets\/([\w-]+)\/[\w.-]+\.ts"/g, (_match, folder) =>
    JSON.stringify(fileOf(folder)),
  );
  return JSON.parse(text);
}

const pkg = readJson(join(root, 'package.json'));
const widgets = readdirSync(join(root, 'widgets'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => entry.name)
  .filter((name) => files(join(root, 'widgets', name)).some((path) => path.endsWith('define.ts')))
  .sort();

execFileSync(process.execPath, [tsc, '-p', join(root, 'sdk', 'tsconfig.build.json')], { stdio: 'inherit' });
declarationsImportJs(join(dist, 'sdk'));
// The declarations name the contracts' zod schemas (the SDK's types are inferred from them); no zod runs in the SDK.
writeJson(join(dist, 'sdk', 'package.json'), {
  ...readJson(join(root, 'packages', 'sdk', 'package.json')),
  version: pkg.version,
  dependencies: { zod: pkg.dependencies.zod },
});
copyFileSync(join(root, 'packages', 'sdk', 'README.md'), join(dist, 'sdk', 'README.md'));
if (process.argv[2] === 'sdk') process.exit(0);

execFileSync(process.execPath, [tsc, '-p', join(root, 'widgets', 'tsconfig.build.json')], { stdio: 'inherit' });
declarationsImportJs(join(dist, 'widgets', 'types'));
const widgetsPkg = readJson(join(root, 'packages', 'widgets', 'package.json'));
writeJson(join(dist, 'widgets', 'package.json'), {
  ...widgetsPkg,
  version: pkg.version,
  exports: {
    '.': { types: './types/widgets/index.d.ts', default: './index.js' },
    ...Object.fromEntries(
      widgets.map((name) => [`./${name}`, { types: `./types/widgets/${name}/define.d.ts`, default: `./${name}.js` }]),
    ),
    './custom-elements.json': './custom-elements.json',
    './package.json': './package.json',
  },
  // zod for the declarations only: the SDK types they include are inferred from the contracts' schemas.
  dependencies: Object.fromEntries([...WIDGET_DEPENDENCIES, 'zod'].map((name) => [name, pkg.dependencies[name]])),
});

// Elements of a folder without define.ts of their own (account-pin…) are defined by their folder's.
const manifest = readJson(join(root, 'dist', 'custom-elements.json'));
const entryOf = (folder) => (widgets.includes(folder) ? folder : 'index');
writeJson(
  join(dist, 'widgets', 'custom-elements.json'),
  manifestFor(manifest, (folder) => `${entryOf(folder)}.js`),
);
writeJson(
  join(root, 'dist', 'custom-elements.json'),
  manifestFor(manifest, (folder) => (widgets.includes(folder) ? `dist/widgets/${folder}.js` : 'dist/gaskit.js')),
);
// Served to pages (server/http/widget-files.ts) like the bundles, so precompressed as rollup's are.
const served = readFileSync(join(root, 'dist', 'custom-elements.json'));
writeFileSync(
  join(root, 'dist', 'custom-elements.json.br'),
  brotliCompressSync(served, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
);
writeFileSync(join(root, 'dist', 'custom-elements.json.gz'), gzipSync(served, { level: 9 }));
copyFileSync(join(root, 'packages', 'widgets', 'README.md'), join(dist, 'widgets', 'README.md'));
