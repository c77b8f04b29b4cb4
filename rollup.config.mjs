/**
 * dist/gaskit.js            the loader (entry widgets/loader.ts): defines the gaskit-* elements a page
 *                           uses, importing them from dist/chunks/
 * dist/chunks/*-[hash].js   content-hashed ES module chunks: one per widget, all sharing one core
 *                           chunk (Lit, the widgets' base, the SDK core)
 * dist/sdk.js               the SDK alone, self-contained
 * dist/widgets/<n>.js       one self-contained file per widget folder (widgets/<n>/define.ts), found
 *                           automatically, for pages that want no loader
 * dist/packages/widgets/    the @gaskit/widgets npm package's modules (dependencies left as imports)
 * The self-contained files are built by one config each, so no code is shared between them. Only
 * altcha-lib's solver, Stripe.js, the lazy parts of widgets named in LAZY_ALLOWED and the portal's
 * sections (and the code that loads them) may be split off them, as lazily imported chunks.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const widgets = readdirSync('widgets', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared' && existsSync(`widgets/${entry.name}/define.ts`))
  .map((entry) => entry.name)
  .sort();

/**
 * What lazy chunks may hold: altcha-lib's solver and Stripe.js, and the parts of widgets that a page may never
 * need (`lazyPart` in widgets/shared/lazy.ts): pay's readings step, the captcha element, the PIN
 * form (for an account in the basic mode) and its field, the account's
 * consumption chart, the settings' "forgot password"; and the shared rules (contracts/rules/) only
 * those parts use.
 */
const LAZY_ALLOWED =
  /[\\/](?:node_modules[\\/](?:altcha-lib|@stripe[\\/]stripe-js)[\\/]|widgets[\\/](?:readings[\\/]|shared[\\/](?:captcha[.-]|text-field|account-pin)|account[\\/]usage-chart|settings[\\/]recovery)|contracts[\\/]rules[\\/])/;

/** What the portal's lazy chunks may hold besides: its sections' widgets, loaded when first shown. */
const PORTAL_SECTIONS = /[\\/]widgets[\\/](?!portal[\\/])[^\\/]+[\\/]/;

/**
 * Fails the build when a chunk other than the entry is split off for anything but what `allowed`
 * names: a lazy chunk must contain one of those modules or load one.
 */
function selfContained(allowed) {
  return {
    name: 'gaskit-self-contained',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
      const loadsAllowed = new Set(
        chunks.filter((c) => c.moduleIds.some((id) => allowed.some((pattern) => pattern.test(id)))).map((c) => c.fileName),
      );
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
          `${chunk.fileName} splits off ${chunk.moduleIds.join(', ')}; only altcha-lib, Stripe.js and the lazy parts named in LAZY_ALLOWED (and the portal's sections) may be lazy chunks`,
        );
      }
    },
  };
}

/** Fails the build of widgets/index.ts (the package's entry) when it does not define every widget folder. */
function definesEveryWidget() {
  return {
    name: 'gaskit-defines-every-widget',
    buildStart() {
      const entry = readFileSync('widgets/index.ts', 'utf8');
      const missing = widgets.filter((name) => !entry.includes(`'./${name}/define.ts'`));
      if (missing.length > 0) {
        this.error(
          `widgets/index.ts must import ${missing.map((name) => `'./${name}/define.ts'`).join(', ')} so @gaskit/widgets has every widget`,
        );
      }
    },
  };
}

/**
 * What the loader's core chunk holds: what every widget needs (the widgets' base; not the parts
 * in widgets/shared/ that only some widgets render), so a page downloads it once and a
 * second page of the site finds it cached.
 */
const CORE =
  /[\\/](?:node_modules[\\/](?:lit|lit-html|lit-element|@lit[\\/](?:reactive-element|context|task))[\\/]|widgets[\\/]shared[\\/](?:context|errors|form|gaskit-element|i18n|lazy|localize|page|styles|submit|task|theme|vision)\.ts$|sdk[\\/](?:core|http|errors|events|locale|session|tenant-client|types|preferences)\.ts$|contracts[\\/]rules[\\/]validators\.ts$)/;

/**
 * Writes into the loader, in place of `__GASKIT_CHUNKS__`, each widget's tag with the chunks that
 * define it (as indexes into one list of files): its own chunk and every chunk it imports, transitively, so the loader fetches them
 * all at once instead of one import revealing the next. Fails the build when chunks import each
 * other in a cycle.
 */
function loaderManifest() {
  return {
    name: 'gaskit-loader-manifest',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
      const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
      const closure = (fileName, seen = new Set()) => {
        if (seen.has(fileName)) return seen;
        seen.add(fileName);
        for (const imported of byName.get(fileName).imports) closure(imported, seen);
        return seen;
      };
      // Chunks importing each other in a cycle can run a class before its base is defined.
      const visiting = new Set();
      const done = new Set();
      const acyclic = (fileName) => {
        if (done.has(fileName)) return;
        if (visiting.has(fileName)) this.error(`chunks import each other in a cycle through ${fileName}`);
        visiting.add(fileName);
        for (const imported of byName.get(fileName).imports) acyclic(imported);
        visiting.delete(fileName);
        done.add(fileName);
      };
      for (const chunk of chunks) acyclic(chunk.fileName);
      const files = [];
      const tags = {};
      for (const chunk of chunks) {
        const widget = chunk.isEntry && /[\\/]widgets[\\/]([^\\/]+)[\\/]define\.ts$/.exec(chunk.facadeModuleId ?? '');
        if (!widget) continue;
        tags[`gaskit-${widget[1]}`] = [...closure(chunk.fileName)].map((fileName) => {
          if (!files.includes(fileName)) files.push(fileName);
          return files.indexOf(fileName);
        });
      }
      const manifest = { files, tags };
      const loader = bundle['gaskit.js'];
      if (!loader.code.includes('__GASKIT_CHUNKS__')) this.error('the loader lost its __GASKIT_CHUNKS__ placeholder');
      loader.code = loader.code.replace('__GASKIT_CHUNKS__', JSON.stringify(manifest));
    },
  };
}

/**
 * Writes each output file's brotli (`.br`, quality 11) and gzip (`.gz`, level 9) copies beside it,
 * for the server to send as they are (server/http/widget-files.ts).
 */
function precompress() {
  return {
    name: 'gaskit-precompress',
    writeBundle(options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(?:js|map)$/.test(fileName)) continue;
        const file = join(options.dir, fileName);
        const source = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(source, { level: 9 }));
      }
    },
  };
}

const plugins = (minify) => [
  nodeResolve({ browser: true }),
  esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' }),
  // esbuild compiles each module; terser minifies the whole chunk after rollup has tree-shaken
  // it (about 4% smaller gzipped than esbuild's minifier on these bundles).
  ...(minify ? [terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } })] : []),
];

// Lit's css`` only builds a stylesheet: unused style blocks can be dropped.
const treeshake = { manualPureFunctions: ['css', 'rule'] };

/**
 * The chunk a module of the loader build goes to. A module a named chunk imports joins that chunk
 * unless it has a name of its own, which can tie two widgets' chunks in a cycle; so every module
 * the widgets share is named:
 * - the core;
 * - a widget's chunk for its own element (`widgets/<n>/<n>.component.ts`, its styles, `define.ts`),
 *   so the chunk the loader imports for a tag and the one the portal imports are one file;
 * - a chunk of its own for an SDK group, for each file of shared rules (contracts/rules/) and for
 *   each part in widgets/shared/, so a widget loads
 *   only what it calls; but one chunk for the parts of a linked account (ACCOUNT_PARTS), which
 *   `gaskit-account` renders together: one file compresses better than three;
 * - for any other module, its named importers' chunk when they all share one, else a chunk of its
 *   own (a helper several widgets import: the billing parts, the unlink button…), so a widget
 *   needing a helper does not load another widget's chunk with it;
 * - none for what is only imported lazily (the captcha's solver, Stripe.js): rollup splits it off.
 */
/**
 * The parts of a linked account: "Unlink", the billing parts and what loads the PIN form (the form
 * itself is a lazy chunk: only an account in the basic mode shows it).
 */
const ACCOUNT_PARTS = /^(?:account-unlink|billing-parts|lazy-pin)\b/;

function loaderChunks() {
  const memo = new Map();
  const chunkOf = (id, getModuleInfo) => {
    if (memo.has(id)) return memo.get(id);
    memo.set(id, undefined);
    const chunk = name(id, getModuleInfo);
    memo.set(id, chunk);
    return chunk;
  };
  const name = (id, getModuleInfo) => {
    if (CORE.test(id)) return 'core';
    const sdk = /[\\/]sdk[\\/]([^\\/]+)\.ts$/.exec(id);
    if (sdk) return `sdk-${sdk[1]}`;
    const rules = /[\\/]contracts[\\/]rules[\\/]([^\\/]+)\.ts$/.exec(id);
    if (rules) return `rules-${rules[1]}`;
    const widget = /[\\/]widgets[\\/]([^\\/]+)[\\/]([^\\/]+)\.ts$/.exec(id);
    if (!widget) return undefined;
    const [, folder, file] = widget;
    if (folder === 'shared') {
      // A part only imported lazily (the captcha and its solver) is split off by rollup.
      if (getModuleInfo(id).importers.every((importer) => !chunkOf(importer, getModuleInfo))) return undefined;
      return ACCOUNT_PARTS.test(file) ? 'account-parts' : file.replace(/\.(?:component|styles)$/, '');
    }
    if (file === 'define' || file === `${folder}.component` || file === `${folder}.styles`) return folder;
    const { importers } = getModuleInfo(id);
    // Lazy parts (no chunk of their own) import from the named chunk wherever it goes.
    const chunks = new Set(importers.map((importer) => chunkOf(importer, getModuleInfo)).filter(Boolean));
    if (chunks.size === 0) return undefined;
    return chunks.size === 1 ? [...chunks][0] : file.replace(/\.component$/, '');
  };
  return (id, { getModuleInfo }) => chunkOf(id, getModuleInfo);
}

/** The loader and every widget's chunk over one shared core, in dist/. */
function loaderBuild() {
  return {
    input: { gaskit: 'widgets/loader.ts' },
    plugins: [
      ...plugins(true),
      {
        name: 'gaskit-widget-chunks',
        // Widgets are entries whose exports nobody imports: rollup may merge them into their chunk.
        buildStart() {
          for (const name of widgets)
            this.emitFile({ type: 'chunk', id: `widgets/${name}/define.ts`, name, preserveSignature: false });
        },
      },
      loaderManifest(),
      precompress(),
    ],
    treeshake,
    preserveEntrySignatures: 'strict',
    output: {
      dir: 'dist',
      format: 'es',
      // The loader's name stays stable (and short-cached); everything else is content-hashed.
      entryFileNames: (chunk) => (chunk.name === 'gaskit' ? '[name].js' : 'chunks/[name]-[hash].js'),
      chunkFileNames: 'chunks/[name]-[hash].js',
      manualChunks: loaderChunks(),
      sourcemap: true,
    },
  };
}

/**
 * The @gaskit/widgets package: `index.js` defines every widget, `<name>.js` one widget; Lit and
 * the other dependencies stay imports for the integrator's bundler to share.
 */
function packageBuild() {
  return {
    input: { index: 'widgets/index.ts', ...Object.fromEntries(widgets.map((name) => [name, `widgets/${name}/define.ts`])) },
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    plugins: [...plugins(false), definesEveryWidget()],
    treeshake,
    preserveEntrySignatures: 'allow-extension',
    output: { dir: 'dist/packages/widgets', format: 'es', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
  };
}

function bundle(name, input, dir) {
  return {
    input: { [name]: input },
    plugins: [
      ...plugins(true),
      selfContained(name === 'portal' ? [LAZY_ALLOWED, PORTAL_SECTIONS] : [LAZY_ALLOWED]),
      precompress(),
    ],
    treeshake,
    // A lazy chunk imports the code it shares with its entry from the entry itself, instead of
    // rollup moving that code to a third chunk behind a facade entry.
    preserveEntrySignatures: 'allow-extension',
    output: { dir, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'lazy/[name]-[hash].js', sourcemap: true },
  };
}

export default [
  loaderBuild(),
  bundle('sdk', 'sdk/index.ts', 'dist'),
  ...widgets.map((name) => bundle(name, `widgets/${name}/define.ts`, 'dist/widgets')),
  packageBuild(),
];
