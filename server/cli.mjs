#!/usr/bin/env node
// `gaskit` command (package.json "bin"): the compiled server/cli.ts that `npm run build` writes to
// dist/server/ (the TypeScript sources run with `node --import tsx server/cli.ts` in development).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/server/cli.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('gaskit: not built yet: run `npm run build` first\n');
  process.exit(1);
}
await import(compiled.href);
