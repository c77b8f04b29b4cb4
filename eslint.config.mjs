import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { configs as litConfigs } from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';

/**
 * The server's domain modules (server/<module>/) and the modules each one imports, besides the
 * platform (server/db, server/http, server/i18n, the files in server/ itself) and the code shared
 * with the widgets (contracts/, the SDK). An import of another module must be listed here (checked
 * below by `no-restricted-imports`, and a dynamic `import()` of one likewise), and the list must
 * have no cycle, so two modules never import each other: the config refuses to load with one.
 * Type imports count as imports. Where a module needs an answer of one that imports it, the
 * answering module gives it in its manifest (server/manifest.ts: guards, `pendingPaid`, hooks).
 */
const SERVER_MODULES = {
  tenants: [],
  portal: ['tenants'],
  notify: ['tenants'],
  subscribers: ['tenants'],
  billing: ['portal', 'tenants'],
  auth: ['notify', 'subscribers', 'tenants'],
  accounts: ['billing', 'subscribers', 'tenants'],
  readings: ['accounts', 'billing', 'notify', 'subscribers', 'tenants'],
  payments: ['accounts', 'auth', 'billing', 'notify', 'portal', 'readings', 'subscribers', 'tenants'],
  integration: ['billing', 'payments', 'readings'],
  feedback: ['accounts', 'auth', 'notify', 'subscribers', 'tenants'],
};

function moduleCycle(modules) {
  const state = new Map();
  const visit = (name, path) => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    for (const next of modules[name] ?? []) {
      const cycle = visit(next, [...path, name]);
      if (cycle) return cycle;
    }
    state.set(name, 'done');
    return null;
  };
  for (const name of Object.keys(modules)) {
    const cycle = visit(name, []);
    if (cycle) return cycle;
  }
  return null;
}

const cycle = moduleCycle(SERVER_MODULES);
if (cycle) throw new Error(`eslint.config.mjs: server modules import each other: ${cycle.join(' → ')}`);

/** Per module: an import of a module it does not list is an error. */
const moduleBoundaries = Object.entries(SERVER_MODULES).map(([name, allowed]) => {
  const others = Object.keys(SERVER_MODULES).filter((m) => m !== name && !allowed.includes(m));
  // Any relative spelling of the path: `../auth/x`, `./../auth/x`, `../../server/auth/x`.
  const regex = `^(\\./)?(\\.\\./)+(server/)?(${others.join('|')})/`;
  const message = `server/${name} does not import this module (SERVER_MODULES in eslint.config.mjs: modules never import each other).`;
  return {
    files: [`server/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex, message }] }],
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]`, message },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'test-results/', 'server/db/ferretdb/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['widgets/**/*.ts', 'test/widgets/**/*.ts'],
    ...litConfigs['flat/recommended'],
  },
  {
    // A promise a widget's handler returns or drops unchecked hides its failure: checked with types.
    files: ['widgets/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-misused-promises': 'error', '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['widgets/**/*.ts'],
    plugins: { 'lit-a11y': litA11y },
    rules: Object.fromEntries(Object.keys(litA11y.rules).map((r) => [`lit-a11y/${r}`, 'error'])),
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...moduleBoundaries,
  {
    // The code shared by server, SDK and widgets: contracts take nothing but zod and each other,
    // the SDK nothing of the server or the widgets.
    files: ['contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(node:|(\\./)?(\\.\\./)+(server|sdk|widgets)/)', message: 'contracts/ import only zod and each other.' },
          ],
        },
      ],
    },
  },
  {
    files: ['sdk/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(node:|(\\./)?(\\.\\./)+(server|widgets)/)',
              message: 'the SDK runs in browsers: nothing of the server or the widgets.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', 'bench/**', 'test/run.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', AbortSignal: 'readonly' },
    },
  },
);
