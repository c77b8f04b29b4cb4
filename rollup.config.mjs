/**
 * dist/gaskit.js      every widget (entry widgets/index.ts)
 * dist/widgets/<n>.js one self-contained file per widget folder (widgets/<n>/define.ts), found automatically
 * dist/sdk.js         the SDK alone
 * Each output is built by its own config, so no code is shared between files:
 * a page loads exactly one file per widget. Only altcha, Stripe.js and the
 * lazy parts of widgets named in LAZY_ALLOWED (and the code that loads them)
 * may be split off, as lazily imported chunks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const widgets = readdirSync('widgets', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared' && existsSync(`widgets/${entry.name}/define.ts`))
  .map((entry) => entry.name)
  .sort();

/**
 * What lazy chunks may hold: altcha and Stripe.js, and the parts of widgets that a page may never
 * need (`lazyPart` in widgets/shared/lazy.ts): pay's readings step, the captcha element, the PIN
 * form's field, the account's consumption chart.
 */
const LAZY_ALLOWED =
  /[\\/](?:node_modules[\\/](?:altcha|@stripe[\\/]stripe-js)[\\/]|widgets[\\/](?:readings[\\/]|register[\\/]captcha\.|shared[\\/]text-field|account[\\/]usage-chart))/;

/**
 * Fails the build when a chunk other than the entry is split off for anything
 * but altcha or Stripe.js: a lazy chunk must contain one of them or load one.
 */
function selfContained() {
  return {
    name: 'gaskit-self-contained',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
      const loadsAllowed = new Set(chunks.filter((c) => c.moduleIds.some((id) => LAZY_ALLOWED.test(id))).map((c) => c.fileName));
      for (let grew = true; grew;) {
        grew = false;
        for (const chunk of chunks) {
          if (loadsAllowed.has(chunk.fileName) || ![...chunk.imports, ...chunk.dynamicImports].some((f) => loadsAllowed.has(f)))
            continue;
          loadsAllowed.add(chunk.fileName);
          grew = true;
        }
      }
      for (const chunk of chunks) {
        if (chunk.isEntry || loadsAllowed.has(chunk.fileName)) continue;
        this.error(
          `${chunk.fileName} splits off ${chunk.moduleIds.join(', ')}; only altcha, Stripe.js and the lazy parts named in LAZY_ALLOWED may be lazy chunks`,
        );
      }
    },
  };
}

/** Fails the dist/gaskit.js build when widgets/index.ts does not define every widget folder. */
function definesEveryWidget() {
  return {
    name: 'gaskit-defines-every-widget',
    buildStart() {
      const entry = readFileSync('widgets/index.ts', 'utf8');
      const missing = widgets.filter((name) => !entry.includes(`'./${name}/define.ts'`));
      if (missing.length > 0) {
        this.error(
          `widgets/index.ts must import ${missing.map((name) => `'./${name}/define.ts'`).join(', ')} so dist/gaskit.js has every widget`,
        );
      }
    },
  };
}

function bundle(name, input, dir, extraPlugins = []) {
  return {
    input: { [name]: input },
    // esbuild compiles each module; terser minifies the whole chunk after rollup has tree-shaken
    // it (about 4% smaller gzipped than esbuild's minifier on these bundles).
    plugins: [
      nodeResolve({ browser: true }),
      esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' }),
      terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
      selfContained(),
      ...extraPlugins,
    ],
    // Lit's css`` only builds a stylesheet: unused style blocks can be dropped.
    treeshake: { manualPureFunctions: ['css'] },
    // A lazy chunk imports the code it shares with its entry from the entry itself, instead of
    // rollup moving that code to a third chunk behind a facade entry.
    preserveEntrySignatures: 'allow-extension',
    output: { dir, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'lazy/[name]-[hash].js', sourcemap: true },
  };
}

export default [
  bundle('sdk', 'sdk/index.ts', 'dist'),
  ...widgets.map((name) => bundle(name, `widgets/${name}/define.ts`, 'dist/widgets')),
  bundle('gaskit', 'widgets/index.ts', 'dist', [definesEveryWidget()]),
];
